package hooks

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

func submitURL(tool string) string      { return "/api/tools/tools/" + tool + "/submit_feedback/" }
func toolReviewsURL(tool string) string { return "/api/tools/tools/" + tool + "/feedback/" }
func feedbackURL(id string) string {
	if id == "" {
		return "/api/tools/feedback/"
	}
	return "/api/tools/feedback/" + id + "/"
}

// useOnce records one use of the tool by the user through UseTool.
func useOnce(t testing.TB, app core.App, user, tool string) {
	t.Helper()
	u, err := app.FindRecordById(c.Users, user)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := app.FindRecordById(c.Tools, tool)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := useTool(app, ledger.UseRequest{Tool: tl, User: u}); err != nil {
		t.Fatal(err)
	}
}

// review saves a review through the model (hooks included).
func review(t testing.TB, app core.App, user, tool string, rating int, public bool) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(c.ToolFeedback)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Set(c.FeedbackTool, tool)
	r.Set(c.FeedbackUser, user)
	r.Set(c.FeedbackRating, rating)
	r.Set(c.FeedbackComment, fmt.Sprintf("%d stars from %s", rating, user))
	r.Set(c.FeedbackIsPublic, public)
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	return r
}

// counters reads a tool's rating counters.
func counters(t testing.TB, app core.App, tool string) (float64, int64) {
	t.Helper()
	r, err := app.FindRecordById(c.Tools, tool)
	if err != nil {
		t.Fatal(err)
	}
	return c.AsTool(r).AverageRating(), c.AsTool(r).RatingCount()
}

// expectRating is the mean of ratings rounded half up to 2 decimals,
// computed here from the rows themselves.
func expectRating(ratings []int) (float64, int64) {
	if len(ratings) == 0 {
		return 0, 0
	}
	sum := 0
	for _, r := range ratings {
		sum += r
	}
	n := len(ratings)
	// hundredths, rounded half up: 100·sum/n + 1/2, floored
	cents := (200*sum + n) / (2 * n)
	return float64(cents) / 100, int64(n)
}

// ratingsOf reads the ratings of a tool's reviews straight from the table.
func ratingsOf(t testing.TB, app core.App, tool string) []int {
	t.Helper()
	var ratings []int
	if err := app.DB().Select(c.FeedbackRating).From(c.ToolFeedback).Where(dbx.HashExp{c.FeedbackTool: tool}).Column(&ratings); err != nil {
		t.Fatal(err)
	}
	return ratings
}

// mustMatchRatings fails when a tool's counters differ from a recount.
func mustMatchRatings(t testing.TB, app core.App, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		avg, n := counters(t, app, tool)
		wantAvg, wantN := expectRating(ratingsOf(t, app, tool))
		if avg != wantAvg || n != wantN {
			t.Errorf("tool %s: average_rating %v, rating_count %d; its reviews give %v, %d", tool, avg, n, wantAvg, wantN)
		}
	}
}

// usedFactory is a test app where client and client2 used both ACTIVE tools.
func usedFactory(t testing.TB) *tests.TestApp {
	app := newTestApp(t)
	for _, u := range []string{fx.client.id, fx.client2.id} {
		useOnce(t, app, u, fx.active)
		useOnce(t, app, u, fx.other)
	}
	return app
}

func TestSubmitFeedbackRoute(t *testing.T) {
	t.Parallel()
	client := map[string]string{"Authorization": fx.client.auth}
	scenarios := []tests.ApiScenario{
		{Name: "anonymous 401", Method: http.MethodPost, URL: submitURL(fx.active), Body: strings.NewReader(`{"rating":5}`),
			ExpectedStatus: 401, ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`}},
		{Name: "a draft of another 404", Method: http.MethodPost, URL: submitURL(fx.draft), Headers: client, Body: strings.NewReader(`{"rating":5}`),
			ExpectedStatus: 404, ExpectedContent: []string{`"detail":"Not found."`}},
		{Name: "own tool 403", Method: http.MethodPost, URL: submitURL(fx.active), Headers: map[string]string{"Authorization": fx.creator.auth},
			Body: strings.NewReader(`{"rating":5}`), TestAppFactory: func(t testing.TB) *tests.TestApp {
				app := newTestApp(t)
				useOnce(t, app, fx.creator.id, fx.active) // a creator's own use is free, and still no review
				return app
			},
			ExpectedStatus: 403, ExpectedContent: []string{`"detail":"You cannot review your own tool."`}},
		{Name: "never used 400", Method: http.MethodPost, URL: submitURL(fx.other), Headers: client, Body: strings.NewReader(`{"rating":5,"comment":"great"}`),
			ExpectedStatus: 400, ExpectedContent: []string{`{"non_field_errors":["You must use the tool before providing feedback"]}`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := count(t, app, c.ToolFeedback, nil); n != 0 {
					t.Errorf("%d reviews written", n)
				}
			}},
		{Name: "a used tool's usage of another user doesn't count 400", Method: http.MethodPost, URL: submitURL(fx.active), Headers: client,
			Body: strings.NewReader(`{"rating":5}`), TestAppFactory: func(t testing.TB) *tests.TestApp {
				app := newTestApp(t)
				useOnce(t, app, fx.client2.id, fx.active)
				return app
			},
			ExpectedStatus: 400, ExpectedContent: []string{`"You must use the tool before providing feedback"`}},
		{Name: "bad fields 400", Method: http.MethodPost, URL: submitURL(fx.active), Headers: client, TestAppFactory: usedFactory,
			Body:           strings.NewReader(`{"rating":6,"comment":"` + strings.Repeat("x", 2001) + `","is_public":"maybe"}`),
			ExpectedStatus: 400, ExpectedContent: []string{`"rating":["Ensure this value is less than or equal to 5."]`,
				`"comment":["Ensure this field has no more than 2000 characters."]`, `"is_public":["Must be a valid boolean."]`}},
		{Name: "rating missing, fractional or a word 400", Method: http.MethodPost, URL: submitURL(fx.active), Headers: client, TestAppFactory: usedFactory,
			Body: strings.NewReader(`{"comment":"no rating"}`), ExpectedStatus: 400, ExpectedContent: []string{`"rating":["This field is required."]`}},
		{Name: "rating 4.5 400", Method: http.MethodPost, URL: submitURL(fx.active), Headers: client, TestAppFactory: usedFactory,
			Body: strings.NewReader(`{"rating":4.5}`), ExpectedStatus: 400, ExpectedContent: []string{`"rating":["A valid integer is required."]`}},
		{Name: "rating 0 400", Method: http.MethodPost, URL: submitURL(fx.active), Headers: client, TestAppFactory: usedFactory,
			Body: strings.NewReader(`{"rating":0}`), ExpectedStatus: 400, ExpectedContent: []string{`"rating":["Ensure this value is greater than or equal to 1."]`}},
		{Name: "not JSON 400", Method: http.MethodPost, URL: submitURL(fx.active), Headers: client, TestAppFactory: usedFactory,
			Body: strings.NewReader(`{"rating":`), ExpectedStatus: 400, ExpectedContent: []string{`"detail":"JSON parse error`}},
		{Name: "a list body 400", Method: http.MethodPost, URL: submitURL(fx.active), Headers: client, TestAppFactory: usedFactory,
			Body: strings.NewReader(`[5]`), ExpectedStatus: 400, ExpectedContent: []string{`"non_field_errors":["Invalid data. Expected a dictionary, but got list."]`}},
		{Name: "first review 201, counters move", Method: http.MethodPost, URL: submitURL(fx.active), Headers: client, TestAppFactory: usedFactory,
			Body:           strings.NewReader(`{"rating":4,"comment":"  solid  "}`),
			ExpectedStatus: 201,
			ExpectedContent: []string{`"tool":"` + fx.active + `"`, `"tool_name":"ACTIVE tool of`, `"user":"` + fx.client.id + `"`,
				`"user_name":"client"`, `"rating":4`, `"comment":"solid"`, `"is_public":true`, `"created_at":"`, `"updated_at":"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if avg, n := counters(t, app, fx.active); avg != 4 || n != 1 {
					t.Errorf("counters %v, %d", avg, n)
				}
			}},
		{Name: "second review replaces the first 200", Method: http.MethodPost, URL: submitURL(fx.active), Headers: client,
			Body: strings.NewReader(`{"rating":1,"is_public":false}`),
			TestAppFactory: func(t testing.TB) *tests.TestApp {
				app := usedFactory(t)
				review(t, app, fx.client.id, fx.active, 5, true)
				review(t, app, fx.client2.id, fx.active, 4, true)
				return app
			},
			ExpectedStatus: 200, ExpectedContent: []string{`"rating":1`, `"comment":""`, `"is_public":false`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := count(t, app, c.ToolFeedback, dbx.HashExp{c.FeedbackUser: fx.client.id}); n != 1 {
					t.Errorf("%d reviews by client", n)
				}
				if avg, n := counters(t, app, fx.active); avg != 2.5 || n != 2 {
					t.Errorf("counters %v, %d", avg, n)
				}
			}},
		{Name: "GET 405", Method: http.MethodGet, URL: submitURL(fx.active), Headers: client,
			ExpectedStatus: 405, ExpectedContent: []string{`"detail":"Method \"GET\" not allowed."`}},
		{Name: "huge body 413", Method: http.MethodPost, URL: submitURL(fx.active), Headers: client,
			Body:           strings.NewReader(`{"rating":5,"comment":"` + strings.Repeat("x", 300<<10) + `"}`),
			ExpectedStatus: 413, ExpectedContent: []string{`"detail":"Request body exceeds`}},
		{Name: "plain text 415", Method: http.MethodPost, URL: submitURL(fx.active),
			Headers: map[string]string{"Authorization": fx.client.auth, "Content-Type": "text/plain"}, Body: strings.NewReader(`rating=5`),
			ExpectedStatus: 415, ExpectedContent: []string{`"detail":"Unsupported media type \"text/plain\" in request."`}},
	}
	for _, s := range scenarios {
		if s.TestAppFactory == nil {
			s.TestAppFactory = testAppFactory
		}
		s.Test(t)
	}
}

func TestToolFeedbackList(t *testing.T) {
	t.Parallel()
	withReviews := func(t testing.TB) *tests.TestApp {
		app := usedFactory(t)
		older := review(t, app, fx.client.id, fx.active, 5, true)
		review(t, app, fx.client2.id, fx.active, 2, false) // private
		review(t, app, fx.client2.id, fx.other, 3, true)   // another tool
		app.DB().NewQuery("UPDATE tool_feedback SET created_at = '2026-01-01 00:00:00.000Z' WHERE id = {:id}").
			Bind(dbx.Params{"id": older.Id}).Execute()
		client3, _ := createUser(app, "client3", c.RoleClient, fixturePoints)
		useOnce(t, app, client3.Id, fx.active)
		review(t, app, client3.Id, fx.active, 4, true)
		return app
	}
	scenarios := []tests.ApiScenario{
		{Name: "anonymous 401", Method: http.MethodGet, URL: toolReviewsURL(fx.active),
			ExpectedStatus: 401, ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`}},
		{Name: "a draft of another 404", Method: http.MethodGet, URL: toolReviewsURL(fx.draft), Headers: map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus: 404, ExpectedContent: []string{`"detail":"Not found."`}},
		{Name: "POST 405", Method: http.MethodPost, URL: toolReviewsURL(fx.active), Headers: map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus: 405, ExpectedContent: []string{`"detail":"Method \"POST\" not allowed."`}},
		{Name: "public reviews, newest first, bare array 200", Method: http.MethodGet, URL: toolReviewsURL(fx.active),
			Headers: map[string]string{"Authorization": fx.client2.auth}, TestAppFactory: withReviews,
			ExpectedStatus: 200, ExpectedContent: []string{`[{"id":"`, `"user_name":"client3","rating":4`, `"user_name":"client","rating":5`},
			NotExpectedContent: []string{`"rating":2`, `"rating":3`, `"count":`},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
				var got []feedbackView
				if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
					t.Fatal(err)
				}
				if len(got) != 2 || got[0].Rating != 4 || got[1].Rating != 5 {
					t.Errorf("reviews %+v", got)
				}
			}},
		{Name: "the creator's own draft: empty 200", Method: http.MethodGet, URL: toolReviewsURL(fx.draft), Headers: map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus: 200, ExpectedContent: []string{`[]`}},
	}
	for _, s := range scenarios {
		if s.TestAppFactory == nil {
			s.TestAppFactory = testAppFactory
		}
		s.Test(t)
	}
}

// feedbackWorld has a review by client (public) and by client2 (private) of
// creator's tool, and one by client2 of creator2's tool.
type feedbackWorld struct {
	app                        *tests.TestApp
	base                       string
	byClient, private, onOther string
}

func newFeedbackWorld(t *testing.T) *feedbackWorld {
	app := usedFactory(t)
	w := &feedbackWorld{app: app, base: serve(t, app)}
	w.byClient = review(t, app, fx.client.id, fx.active, 5, true).Id
	w.private = review(t, app, fx.client2.id, fx.active, 2, false).Id
	w.onOther = review(t, app, fx.client2.id, fx.other, 3, true).Id
	return w
}

func idsOfPage(t testing.TB, body []byte) []string {
	t.Helper()
	var p struct {
		Count   int            `json:"count"`
		Results []feedbackView `json:"results"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var ids []string
	for _, r := range p.Results {
		ids = append(ids, r.ID)
	}
	if p.Count != len(ids) {
		t.Errorf("count %d, %d results", p.Count, len(ids))
	}
	return ids
}

func TestFeedbackViewset(t *testing.T) {
	t.Parallel()
	w := newFeedbackWorld(t)
	get := func(url, auth string) (int, []byte) { return request(t, http.MethodGet, w.base+url, auth, "") }

	// reach: own; creator: reviews of own tools (private ones too); admin: all
	for _, tc := range []struct {
		who  fixtureUser
		want []string
	}{
		{fx.client, []string{w.byClient}},
		{fx.client2, []string{w.onOther, w.private}},
		{fx.creator, []string{w.private, w.byClient}},
		{fx.creator2, []string{w.onOther}},
		{fx.admin, []string{w.onOther, w.private, w.byClient}},
	} {
		status, body := get(feedbackURL(""), tc.who.auth)
		if status != 200 {
			t.Fatalf("%s list: %d %s", tc.who.email, status, body)
		}
		got := idsOfPage(t, body)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s sees %v, want %v (newest first)", tc.who.email, got, tc.want)
		}
	}
	if status, body := get(feedbackURL("")+"?tool="+fx.other, fx.admin.auth); status != 200 || len(idsOfPage(t, body)) != 1 {
		t.Errorf("?tool=: %d %s", status, body)
	}
	for _, tc := range []struct {
		method, url, auth, body string
		status                  int
		contains                string
	}{
		{http.MethodGet, feedbackURL(""), "", "", 401, `"Authentication credentials were not provided."`},
		{http.MethodPost, feedbackURL(""), fx.client.auth, `{"rating":5}`, 405, `"Method \"POST\" not allowed."`},
		{http.MethodGet, feedbackURL("") + "?page=9", fx.client.auth, "", 404, `"Invalid page."`},
		{http.MethodGet, feedbackURL(w.byClient), fx.client.auth, "", 200, `"rating":5`},
		{http.MethodGet, feedbackURL(w.private), fx.creator.auth, "", 200, `"is_public":false`},
		// a public review of another client is readable on the tool, not in this viewset
		{http.MethodGet, feedbackURL(w.byClient), fx.client2.auth, "", 404, `"Not found."`},
		{http.MethodGet, feedbackURL(w.private), fx.client.auth, "", 404, `"Not found."`},
		{http.MethodGet, feedbackURL("nope"), fx.admin.auth, "", 404, `"Not found."`},
		{http.MethodPost, feedbackURL(w.byClient), fx.client.auth, "", 405, `"Method \"POST\" not allowed."`},
		// edits: the author only
		{http.MethodPut, feedbackURL(w.byClient), fx.creator.auth, `{"rating":1}`, 403, `"You do not have permission to perform this action."`},
		{http.MethodPut, feedbackURL(w.byClient), fx.admin.auth, `{"rating":1}`, 200, `"rating":1`}, // IsOwnerOrAdmin
		{http.MethodPatch, feedbackURL(w.byClient), fx.admin.auth, `{"comment":"moderated"}`, 200, `"comment":"moderated"`},
		{http.MethodPatch, feedbackURL(w.byClient), fx.client2.auth, `{"rating":1}`, 404, `"Not found."`},
		{http.MethodPut, feedbackURL(w.byClient), fx.client.auth, `{"comment":"no rating"}`, 400, `"rating":["This field is required."]`},
		{http.MethodPatch, feedbackURL(w.byClient), fx.client.auth, `{"rating":9}`, 400, `"rating":["Ensure this value is less than or equal to 5."]`},
		{http.MethodPatch, feedbackURL(w.byClient), fx.client.auth, `{"is_public":[]}`, 400, `"is_public":["Must be a valid boolean."]`},
		{http.MethodPatch, feedbackURL(w.byClient), fx.client.auth, `{"rating":`, 400, `"JSON parse error`},
		{http.MethodPatch, feedbackURL(w.byClient), fx.client.auth, `{"comment":"` + strings.Repeat("y", 300<<10) + `"}`, 413, `"Request body exceeds`},
		// read-only fields are ignored
		{http.MethodPatch, feedbackURL(w.byClient), fx.client.auth, `{"rating":3,"tool":"` + fx.other + `","user":"` + fx.client2.id + `"}`, 200, `"tool":"` + fx.active + `"`},
		{http.MethodPut, feedbackURL(w.byClient), fx.client.auth, `{"rating":4,"comment":"edited"}`, 200, `"comment":"edited"`},
		// deletes: the author, or an admin moderating
		{http.MethodDelete, feedbackURL(w.private), fx.creator.auth, "", 403, `"You do not have permission to perform this action."`},
		{http.MethodDelete, feedbackURL(w.private), fx.client.auth, "", 404, `"Not found."`},
		{http.MethodDelete, feedbackURL(w.private), fx.client2.auth, "", 204, ``},
		{http.MethodDelete, feedbackURL(w.onOther), fx.admin.auth, "", 204, ``},
		{http.MethodDelete, feedbackURL(w.onOther), fx.admin.auth, "", 404, `"Not found."`},
	} {
		status, body := request(t, tc.method, w.base+tc.url, tc.auth, tc.body)
		if status != tc.status || !strings.Contains(string(body), tc.contains) {
			t.Errorf("%s %s: %d %.300s, want %d with %s", tc.method, tc.url, status, body, tc.status, tc.contains)
		}
		mustMatchRatings(t, w.app, fx.active, fx.other)
	}
	if avg, n := counters(t, w.app, fx.active); avg != 4 || n != 1 {
		t.Errorf("creator's tool: %v, %d", avg, n)
	}
	if avg, n := counters(t, w.app, fx.other); avg != 0 || n != 0 {
		t.Errorf("creator2's tool: %v, %d", avg, n)
	}
}

// TestFeedbackRecordsAPI: the same reviews through PocketBase's records API
// (the SDKs and the dashboard): authors write their own, only after a use,
// and the counters follow every write, a superuser's included.
func TestFeedbackRecordsAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	root := superuserAuth(t, app)
	records := base + "/api/collections/" + c.ToolFeedback + "/records"
	call := func(method, url, auth, body string) (int, map[string]any) {
		status, b := request(t, method, url, auth, body)
		var m map[string]any
		json.Unmarshal(b, &m)
		return status, m
	}

	// no use yet: refused by the hook, on the records API too
	if status, m := call(http.MethodPost, records, fx.client.auth, `{"tool":"`+fx.active+`","rating":5}`); status != 400 ||
		!strings.Contains(fmt.Sprint(m["data"]), "toolbase_review_not_used") {
		t.Errorf("create before a use: %d %v", status, m)
	}
	useOnce(t, app, fx.client.id, fx.active)
	useOnce(t, app, fx.client2.id, fx.active)
	// for another user: the create rule refuses
	if status, m := call(http.MethodPost, records, fx.client.auth, `{"tool":"`+fx.active+`","user":"`+fx.client2.id+`","rating":1}`); status != 400 {
		t.Errorf("create for another user: %d %v", status, m)
	}
	// the creator on its own tool (it used it, for free)
	useOnce(t, app, fx.creator.id, fx.active)
	if status, m := call(http.MethodPost, records, fx.creator.auth, `{"tool":"`+fx.active+`","rating":5}`); status != 400 ||
		!strings.Contains(fmt.Sprint(m["data"]), "toolbase_review_own_tool") {
		t.Errorf("creator's own tool: %d %v", status, m)
	}
	// anonymous
	if status, _ := call(http.MethodPost, records, "", `{"tool":"`+fx.active+`","rating":5}`); status != 400 && status != 401 && status != 403 {
		t.Errorf("anonymous create: %d", status)
	}
	status, m := call(http.MethodPost, records, fx.client.auth, `{"tool":"`+fx.active+`","rating":5}`)
	if status != 200 || m["user"] != fx.client.id || m["is_public"] != true {
		t.Fatalf("create: %d %v", status, m)
	}
	mine := m["id"].(string)
	mustMatchRatings(t, app, fx.active)
	if status, _ := call(http.MethodPost, records, fx.client.auth, `{"tool":"`+fx.active+`","rating":4}`); status != 400 {
		t.Errorf("a second review by create: %d", status)
	}
	status, m = call(http.MethodPost, records, fx.client2.auth, `{"tool":"`+fx.active+`","rating":2,"is_public":false}`)
	if status != 200 {
		t.Fatalf("client2 create: %d %v", status, m)
	}
	theirs := m["id"].(string)
	if avg, n := counters(t, app, fx.active); avg != 3.5 || n != 2 {
		t.Errorf("after two reviews: %v, %d", avg, n)
	}
	// counters can't be written by anyone but toolbase, superusers included: ignored
	if status, _ := call(http.MethodPatch, base+"/api/collections/tools/records/"+fx.active, root, `{"average_rating":5,"rating_count":99}`); status != 200 {
		t.Errorf("superuser writing counters: %d", status)
	}
	if avg, n := counters(t, app, fx.active); avg != 3.5 || n != 2 {
		t.Errorf("counters after a superuser wrote them: %v, %d", avg, n)
	}
	// edits: the author only, never moving the review
	for _, tc := range []struct {
		id, auth, body string
		status         int
	}{
		{theirs, fx.client.auth, `{"rating":5}`, 404},                   // another's private review: invisible
		{mine, fx.client2.auth, `{"rating":1}`, 404},                    // another's public review: visible, not editable
		{mine, fx.creator.auth, `{"rating":1}`, 404},                    // the tool's creator
		{mine, fx.admin.auth, `{"rating":1}`, 200},                      // an admin edits any review (IsOwnerOrAdmin)
		{mine, fx.admin.auth, `{"user":"` + fx.client2.id + `"}`, 404},  // but never moves it
		{mine, fx.client.auth, `{"tool":"` + fx.other + `"}`, 404},      // move it
		{mine, fx.client.auth, `{"user":"` + fx.client2.id + `"}`, 404}, // give it away
		{mine, fx.client.auth, `{"rating":3}`, 200},                     // 3 and 2
		{mine, root, `{"tool":"` + fx.other + `"}`, 400},                // not even a superuser moves it
		{theirs, root, `{"rating":5}`, 200},                             // a superuser's edit: 3 and 5
		{theirs, fx.client2.auth, `{"rating":0}`, 400},                  // out of range
		{mine, fx.client.auth, `{"comment":"` + strings.Repeat("z", 2001) + `"}`, 400},
	} {
		status, m := call(http.MethodPatch, records+"/"+tc.id, tc.auth, tc.body)
		if status != tc.status {
			t.Errorf("PATCH %s %s: %d %v, want %d", tc.id, tc.body, status, m, tc.status)
		}
		mustMatchRatings(t, app, fx.active, fx.other)
	}
	if avg, n := counters(t, app, fx.active); avg != 4 || n != 2 {
		t.Errorf("after edits: %v, %d", avg, n)
	}
	// deletes: author or admin; the creator can't; a superuser can
	if status, _ := call(http.MethodDelete, records+"/"+mine, fx.creator.auth, ""); status != 404 {
		t.Errorf("creator deletes a review: %d", status)
	}
	if status, _ := call(http.MethodDelete, records+"/"+theirs, root, ""); status != 204 {
		t.Errorf("superuser deletes: %d", status)
	}
	mustMatchRatings(t, app, fx.active)
	if status, _ := call(http.MethodDelete, records+"/"+mine, fx.admin.auth, ""); status != 204 {
		t.Errorf("admin deletes: %d", status)
	}
	if avg, n := counters(t, app, fx.active); avg != 0 || n != 0 {
		t.Errorf("after deletes: %v, %d", avg, n)
	}
	// the dashboard's create (a superuser, any user who used the tool)
	if status, m := call(http.MethodPost, records, root, `{"tool":"`+fx.active+`","user":"`+fx.client2.id+`","rating":4}`); status != 200 || m["is_public"] != true {
		t.Errorf("superuser create: %d %v", status, m)
	}
	if status, _ := call(http.MethodPost, records, root, `{"tool":"`+fx.other+`","user":"`+fx.client2.id+`","rating":4}`); status != 400 {
		t.Errorf("superuser create without a use: %d", status)
	}
	mustMatchRatings(t, app, fx.active, fx.other)
}

// TestRecountRatingsRounding: the average is rounded half up to 2 decimals,
// exactly, for any mix of ratings.
func TestRecountRatingsRounding(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, ratings := range [][]int{
		{}, {5}, {1, 2}, {5, 4, 4}, {1, 1, 2}, {5, 5, 4, 4, 4, 4, 4, 3}, // 33/8 = 4.125 → 4.13
		{1, 1, 1, 1, 1, 1, 1, 2}, // 9/8 = 1.125 → 1.13
		{2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3},
	} {
		if _, err := app.DB().NewQuery("DELETE FROM tool_feedback").Execute(); err != nil {
			t.Fatal(err)
		}
		for i, r := range ratings {
			if _, err := app.DB().NewQuery("INSERT INTO tool_feedback (id, tool, user, rating) VALUES ({:id}, {:tool}, {:user}, {:r})").
				Bind(dbx.Params{"id": fmt.Sprintf("fb%013d", i), "tool": fx.active, "user": fmt.Sprintf("u%d", i), "r": r}).Execute(); err != nil {
				t.Fatal(err)
			}
		}
		if err := recountRatings(app, fx.active); err != nil {
			t.Fatal(err)
		}
		avg, n := counters(t, app, fx.active)
		wantAvg, wantN := expectRating(ratings)
		if avg != wantAvg || n != wantN {
			t.Errorf("%v: %v, %d; want %v, %d", ratings, avg, n, wantAvg, wantN)
		}
	}
}

// TestFeedbackCountersUnderConcurrency: many users submit, replace, edit and
// delete reviews at once, through the DRF routes and the records API, while
// a superuser edits and deletes through the model; afterwards every tool's
// counters equal a recount of its reviews, and nothing answered 500.
func TestFeedbackCountersUnderConcurrency(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	tools := []string{fx.active, fx.other}
	const reviewers = 8
	var users []fixtureUser
	for i := range reviewers {
		u, err := createUser(app, fmt.Sprintf("rev%d", i), c.RoleClient, fixturePoints)
		if err != nil {
			t.Fatal(err)
		}
		for _, tool := range tools {
			useOnce(t, app, u.Id, tool)
		}
		users = append(users, fixtureUser{id: u.Id, email: u.Email(), auth: authOf(t, u)})
	}
	records := base + "/api/collections/" + c.ToolFeedback + "/records"
	var mu sync.Mutex
	statuses := map[int]int{}
	note := func(status int, body []byte) {
		mu.Lock()
		defer mu.Unlock()
		statuses[status]++
		// a race with another session may answer 400 (two creates) or 404
		// (gone meanwhile); a refusal of one's own review would be a bug
		if status == 403 {
			t.Errorf("%d %s", status, body)
		}
		if status >= 500 {
			t.Errorf("%d %s", status, body)
		}
	}
	// own review id of a user on a tool, if any
	ownReview := func(user, tool string) string {
		var id string
		app.DB().Select(c.FieldID).From(c.ToolFeedback).Where(dbx.HashExp{c.FeedbackUser: user, c.FeedbackTool: tool}).Row(&id)
		return id
	}
	var wg sync.WaitGroup
	for i, u := range users {
		for g := range 2 { // two sessions per user race each other too
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(i), uint64(g)))
				for range 25 {
					tool := tools[rng.IntN(len(tools))]
					rating := 1 + rng.IntN(5)
					switch rng.IntN(6) {
					case 0, 1: // submit or replace
						note(request(t, http.MethodPost, base+submitURL(tool), u.auth, fmt.Sprintf(`{"rating":%d}`, rating)))
					case 2: // edit through the viewset
						if id := ownReview(u.id, tool); id != "" {
							note(request(t, http.MethodPatch, base+feedbackURL(id), u.auth, fmt.Sprintf(`{"rating":%d}`, rating)))
						}
					case 3: // delete through the viewset
						if id := ownReview(u.id, tool); id != "" {
							note(request(t, http.MethodDelete, base+feedbackURL(id), u.auth, ""))
						}
					case 4: // the records API: create or edit
						if id := ownReview(u.id, tool); id != "" {
							note(request(t, http.MethodPatch, records+"/"+id, u.auth, fmt.Sprintf(`{"rating":%d}`, rating)))
						} else {
							note(request(t, http.MethodPost, records, u.auth, fmt.Sprintf(`{"tool":%q,"rating":%d}`, tool, rating)))
						}
					case 5: // an admin moderating
						if id := ownReview(u.id, tool); id != "" {
							note(request(t, http.MethodDelete, base+feedbackURL(id), fx.admin.auth, ""))
						}
					}
				}
			}()
		}
	}
	// a superuser (the dashboard) edits ratings meanwhile, through the model
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 40 {
			var reviews []*core.Record
			app.RecordQuery(c.ToolFeedback).Limit(3).All(&reviews)
			for _, r := range reviews {
				r.Set(c.FeedbackRating, 1+i%5)
				if err := app.Save(r); err != nil && !strings.Contains(err.Error(), "no rows") {
					// the row may have been deleted meanwhile
					continue
				}
			}
		}
	}()
	wg.Wait()
	t.Logf("statuses: %v", statuses)
	mustMatchRatings(t, app, tools...)
	mustVerify(t, app)
	for _, tool := range tools {
		if _, n := counters(t, app, tool); n == 0 {
			t.Logf("tool %s ended with no reviews", tool)
		}
	}
}

// TestFeedbackBadInputNever500 throws odd bodies, ids and methods at every
// review route: always a DRF-shaped 4xx (or a 2xx), never a 500.
func TestFeedbackBadInputNever500(t *testing.T) {
	t.Parallel()
	w := newFeedbackWorld(t)
	bodies := []string{
		``, `null`, `[]`, `"x"`, `{}`, `{"rating":null}`, `{"rating":"5"}`, `{"rating":"five"}`, `{"rating":1e400}`,
		`{"rating":-1}`, `{"rating":9007199254740993}`, `{"rating":true}`, `{"rating":{}}`, `{"comment":123,"rating":3}`,
		`{"rating":3,"is_public":"yes"}`, `{"rating":3,"comment":null}`, `{"rating":3,"tool":"x","user":"y","id":"z"}`,
		`{"rating":3,"comment":"\u0000\ud800"}`, `{"rating":2}{"rating":3}`,
	}
	urls := []string{
		submitURL(fx.active), submitURL(fx.draft), submitURL("%00"), submitURL(strings.Repeat("a", 300)),
		toolReviewsURL(fx.active), toolReviewsURL("nope"), feedbackURL(""), feedbackURL("") + "?page=0&page_size=-1&tool=%27",
		feedbackURL(w.byClient), feedbackURL(w.private), feedbackURL("nope"),
	}
	for _, who := range []string{fx.client.auth, fx.client2.auth, fx.creator.auth, fx.admin.auth, "", "Bearer x"} {
		for _, url := range urls {
			for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch} {
				for _, body := range bodies {
					status, b := request(t, method, w.base+url, who, body)
					if status >= 500 || (status >= 400 && !json.Valid(b)) {
						t.Fatalf("%s %s %s: %d %s", method, url, body, status, b)
					}
				}
			}
		}
	}
	mustMatchRatings(t, w.app, fx.active, fx.other)
	for _, tc := range []struct{ url, auth string }{{feedbackURL(w.byClient), ""}, {feedbackURL(w.byClient), "Bearer x"}} {
		if status, _ := request(t, http.MethodGet, w.base+tc.url, tc.auth, ""); status != 401 {
			t.Errorf("GET %s with %q: %d", tc.url, tc.auth, status)
		}
	}
}

// A public review is readable while its tool is: once the tool is suspended,
// only its author, the tool's creator and admins see it.
func TestFeedbackOfHiddenTool(t *testing.T) {
	t.Parallel()
	app := rulesApp(t)
	tool, _ := app.FindRecordById(c.Tools, fx.active)
	tool.Set(c.ToolStatus, c.StatusSuspended)
	if err := app.Save(tool); err != nil {
		t.Fatal(err)
	}
	base := serve(t, app)
	for _, tc := range []struct {
		who  fixtureUser
		sees bool
	}{{fx.client2, false}, {fx.creator2, false}, {fx.client, true}, {fx.creator, true}, {fx.admin, true}} {
		status, body := get(t, base+"/api/collections/tool_feedback/records/"+reviewOfClient, tc.who.auth)
		if (status == 200) != tc.sees {
			t.Errorf("%s: %d %s", tc.who.email, status, body)
		}
	}
}
