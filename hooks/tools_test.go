package hooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// apiCase is one request of a route × role table: the status it must get,
// what the body must contain and what it must never contain (another user's
// data).
type apiCase struct {
	name    string
	method  string
	url     string
	auth    string // Authorization header; "" for anonymous
	headers map[string]string
	body    string
	status  int
	want    []string
	notWant []string
	setup   func(t testing.TB, app *tests.TestApp)
	check   func(t testing.TB, app *tests.TestApp, res *http.Response)
}

// runCases runs each case as a tests.ApiScenario on a fresh fixture app with
// the usage rows of seedUsage.
func runCases(t *testing.T, cases []apiCase) {
	t.Helper()
	for _, tc := range cases {
		s := tests.ApiScenario{
			Name:               tc.name,
			Method:             tc.method,
			URL:                tc.url,
			Headers:            map[string]string{},
			ExpectedStatus:     tc.status,
			ExpectedContent:    tc.want,
			NotExpectedContent: tc.notWant,
			TestAppFactory:     testAppFactory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				seedUsage(t, app)
				if tc.setup != nil {
					tc.setup(t, app)
				}
			},
		}
		if tc.body != "" {
			s.Body = strings.NewReader(tc.body)
		}
		if tc.auth != "" {
			s.Headers["Authorization"] = tc.auth
		}
		for k, v := range tc.headers {
			s.Headers[k] = v
		}
		if tc.check != nil {
			s.AfterTestFunc = func(t testing.TB, app *tests.TestApp, res *http.Response) { tc.check(t, app, res) }
		}
		s.Test(t)
	}
}

// Usage rows made by seedUsage, oldest first:
//
//	usClient:   client   on fx.active (creator's)   2025-01-01 10:00
//	usClient2:  client2  on fx.active (creator's)   2025-01-02 10:00
//	usOther:    client   on fx.other  (creator2's)  2025-01-03 10:00
//	usCreator2: creator2 on fx.active (creator's)   2025-01-04 10:00
const (
	usClient   = "usgclient000001"
	usClient2  = "usgclient200001"
	usOther    = "usgclientother1"
	usCreator2 = "usgcreator20001"
)

// usageSecret is the marker in a usage's input_data, to spot a leaked row.
func usageSecret(id string) string { return "secret-of-" + id }

func seedUsage(t testing.TB, app core.App) {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(c.ToolUsage)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range []struct{ id, tool, user string }{
		{usClient, fx.active, fx.client.id},
		{usClient2, fx.active, fx.client2.id},
		{usOther, fx.other, fx.client.id},
		{usCreator2, fx.active, fx.creator2.id},
	} {
		r := core.NewRecord(col)
		r.Id = u.id
		r.Set(c.UsageTool, u.tool)
		r.Set(c.UsageUser, u.user)
		r.Set(c.UsageInputData, map[string]any{"note": usageSecret(u.id)})
		r.Set(c.UsageOutputData, map[string]any{"status": "accepted"})
		r.Set(c.UsagePointsSpent, 7)
		r.Set(c.UsageExecutionTime, 100)
		r.Set(c.UsageSuccess, true)
		if err := ledger.SaveSystem(app, r); err != nil {
			t.Fatal(err)
		}
		setCreated(t, app, c.ToolUsage, u.id, fmt.Sprintf("2025-01-%02d 10:00:00.000Z", i+1))
	}
}

// setCreated overwrites a record's created_at (autodate fields can't be set
// through a save).
func setCreated(t testing.TB, app core.App, table, id, when string) {
	t.Helper()
	if _, err := app.DB().Update(table, dbx.Params{c.FieldCreatedAt: when}, dbx.HashExp{c.FieldID: id}).Execute(); err != nil {
		t.Fatal(err)
	}
}

// findTool reads a tool straight from the database (nil when it is gone).
func findTool(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	r, err := app.FindRecordById(c.Tools, id)
	if err != nil {
		return nil
	}
	return r
}

// idsOf returns the ids of the items of a list body (a DRF page or a bare array), in order.
func idsOf(t testing.TB, res *http.Response) []string {
	t.Helper()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var items []struct {
		ID string `json:"id"`
	}
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
		var p struct {
			Results json.RawMessage `json:"results"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("not a page: %v\n%s", err, raw)
		}
		raw = p.Results
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		t.Fatalf("not a list: %v\n%s", err, raw)
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

// wantIDs checks a list body's ids, in order.
func wantIDs(want ...string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, _ *tests.TestApp, res *http.Response) {
		t.Helper()
		if got := idsOf(t, res); !slices.Equal(got, want) {
			t.Errorf("ids %v, want %v", got, want)
		}
	}
}

// wantToolStatus checks a tool's stored status.
func wantToolStatus(id, status string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		tool := findTool(t, app, id)
		if tool == nil {
			t.Fatalf("tool %s is gone", id)
		}
		if got := tool.GetString(c.ToolStatus); got != status {
			t.Errorf("stored status %s, want %s", got, status)
		}
	}
}

func toolURL(id string) string { return "/api/tools/tools/" + id + "/" }

func quoted(field, v string) string { return fmt.Sprintf("%q:%q", field, v) }

// every field of the detail representation, as it starts in the body
var detailFields = []string{`"id":`, `"name":`, `"description":`, `"category":`, `"status":`, `"creator":`,
	`"creator_name":`, `"creator_email":`, `"points_cost":`, `"api_endpoint":`, `"api_documentation":`, `"tags":`,
	`"version":`, `"total_uses":`, `"total_revenue":`, `"average_rating":`, `"rating_count":`, `"created_at":`, `"updated_at":`}

// every field of the DRF API's list representation
var listFields = []string{`"id":`, `"name":`, `"description":`, `"category":`, `"status":`, `"creator_name":`,
	`"points_cost":`, `"total_uses":`, `"average_rating":`, `"created_at":`}

var notAuthenticated = []string{`"detail":"Authentication credentials were not provided."`}
var forbidden = []string{`"detail":"You do not have permission to perform this action."`}
var notFound = []string{`"detail":"Not found."`}

// creatorHidden are tools of creator that nobody else but an admin may see.
func creatorHidden() []string { return []string{fx.draft, fx.pending, fx.inactive, fx.suspended} }

func TestToolsList(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{name: "anonymous", method: "GET", url: "/api/tools/tools/", status: 401, want: notAuthenticated},
		{name: "bad token", method: "GET", url: "/api/tools/tools/", auth: "Bearer nope", status: 401,
			want: []string{`"code":"token_not_valid"`}},
		{name: "client sees ACTIVE tools only", method: "GET", url: "/api/tools/tools/", auth: fx.client.auth, status: 200,
			want:    append([]string{`"count":2`, `"next":null`, `"previous":null`, fx.active, fx.other}, listFields...),
			notWant: append(creatorHidden(), `"creator_email"`, `"api_endpoint"`)},
		{name: "creator sees own tools in any status and others' ACTIVE", method: "GET", url: "/api/tools/tools/", auth: fx.creator.auth, status: 200,
			want: append([]string{`"count":6`, fx.other}, creatorHidden()...)},
		{name: "other creator sees only ACTIVE tools of creator", method: "GET", url: "/api/tools/tools/", auth: fx.creator2.auth, status: 200,
			want: []string{`"count":2`, fx.active, fx.other}, notWant: creatorHidden()},
		{name: "admin sees all", method: "GET", url: "/api/tools/tools/", auth: fx.admin.auth, status: 200,
			want: append([]string{`"count":6`, fx.active, fx.other}, creatorHidden()...)},
		{name: "creator_name is the creator's name", method: "GET", url: "/api/tools/tools/?creator=" + fx.creator2.id, auth: fx.client.auth, status: 200,
			want: []string{`"count":1`, `"creator_name":"creator2"`, quoted("creator", fx.creator2.id)}},
		{name: "POST is the create route, DELETE not allowed", method: "DELETE", url: "/api/tools/tools/", auth: fx.admin.auth, status: 405,
			want: []string{`"detail":"Method \"DELETE\" not allowed."`}},
		{name: "a malformed body on GET is ignored", method: "GET", url: "/api/tools/tools/", auth: fx.client.auth, body: `{oops`, status: 200,
			want: []string{`"count":2`}},
	})
}

func TestToolsListFiltersAndOrdering(t *testing.T) {
	t.Parallel()
	// three tools with distinct costs, names, tags, categories and times
	setup := func(t testing.TB, app *tests.TestApp) {
		for _, u := range []struct {
			id, name, category, created string
			cost                        int
			tags                        []string
		}{
			{fx.active, "Zeta translator", c.CategoryAI, "2025-03-01 00:00:00.000Z", 30, []string{"language", "nlp"}},
			{fx.other, "alpha 100% calculator", c.CategoryBusiness, "2025-02-01 00:00:00.000Z", 5, []string{"math"}},
			{fx.draft, "Beta draft_thing", c.CategoryAI, "2025-04-01 00:00:00.000Z", 20, nil},
		} {
			tool := findTool(t, app, u.id)
			tool.Set(c.ToolName, u.name)
			tool.Set(c.ToolCategory, u.category)
			tool.Set(c.ToolPointsCost, u.cost)
			if u.tags != nil {
				tool.Set(c.ToolTags, u.tags)
			}
			if err := app.Save(tool); err != nil {
				t.Fatal(err)
			}
			setCreated(t, app, c.Tools, u.id, u.created)
		}
		for i, id := range []string{fx.pending, fx.inactive, fx.suspended} {
			setCreated(t, app, c.Tools, id, fmt.Sprintf("2024-0%d-01 00:00:00.000Z", i+1))
		}
	}
	list := "/api/tools/tools/"
	runCases(t, []apiCase{
		{name: "newest first by default", method: "GET", url: list, auth: fx.admin.auth, status: 200, setup: setup,
			want:  []string{`"count":6`},
			check: wantIDs(fx.draft, fx.active, fx.other, fx.suspended, fx.inactive, fx.pending)},
		{name: "ordering by points_cost", method: "GET", url: list + "?ordering=points_cost", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":2`}, check: wantIDs(fx.other, fx.active)},
		{name: "ordering by -points_cost", method: "GET", url: list + "?ordering=-points_cost", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":2`}, check: wantIDs(fx.active, fx.other)},
		{name: "ordering by two fields", method: "GET", url: list + "?ordering=category,-points_cost&status=ACTIVE", auth: fx.admin.auth, status: 200, setup: setup,
			want: []string{`"count":2`}, check: wantIDs(fx.active, fx.other)},
		{name: "unknown ordering fields are ignored", method: "GET", url: list + "?ordering=creator__email,password", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":2`}, check: wantIDs(fx.active, fx.other)},
		{name: "ordering by created_at ascending", method: "GET", url: list + "?ordering=created_at", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":2`}, check: wantIDs(fx.other, fx.active)},
		{name: "category filter", method: "GET", url: list + "?category=AI", auth: fx.creator.auth, status: 200, setup: setup,
			want: []string{`"count":2`}, check: wantIDs(fx.draft, fx.active)},
		{name: "category filter within visibility", method: "GET", url: list + "?category=AI", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":1`}, check: wantIDs(fx.active)},
		{name: "bad category", method: "GET", url: list + "?category=GAMES", auth: fx.client.auth, status: 400,
			want: []string{`"category":["Select a valid choice. GAMES is not one of the available choices."]`}},
		{name: "status filter", method: "GET", url: list + "?status=SUSPENDED", auth: fx.creator.auth, status: 200,
			want: []string{`"count":1`, fx.suspended}},
		{name: "status filter never widens visibility", method: "GET", url: list + "?status=DRAFT", auth: fx.client.auth, status: 200,
			want: []string{`"count":0`, `"results":[]`}},
		{name: "bad status", method: "GET", url: list + "?status=active", auth: fx.client.auth, status: 400,
			want: []string{`"status":[`}},
		{name: "creator filter", method: "GET", url: list + "?creator=" + fx.creator.id, auth: fx.client.auth, status: 200,
			want: []string{`"count":1`, fx.active}, notWant: []string{fx.other}},
		{name: "creator filter with an unknown id", method: "GET", url: list + "?creator=nosuchuser00000", auth: fx.client.auth, status: 200,
			want: []string{`"count":0`}},
		{name: "search in name, case-insensitive", method: "GET", url: list + "?search=ZETA", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":1`, fx.active}},
		{name: "search in tags", method: "GET", url: list + "?search=nlp", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":1`, fx.active}},
		{name: "search in description", method: "GET", url: list + "?search=fixture", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":2`}},
		{name: "every search word must match", method: "GET", url: list + "?search=zeta+math", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":0`}},
		{name: "search words match different fields", method: "GET", url: list + "?search=alpha,math", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":1`, fx.other}},
		{name: "LIKE wildcards are literal", method: "GET", url: list + "?search=100%25", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":1`, fx.other}},
		{name: "underscore is no wildcard", method: "GET", url: list + "?search=Z_ta", auth: fx.admin.auth, status: 200, setup: setup,
			want: []string{`"count":0`}},
		{name: "underscore matches itself", method: "GET", url: list + "?search=t_th", auth: fx.admin.auth, status: 200, setup: setup,
			want: []string{`"count":1`, fx.draft}},
		{name: "search never widens visibility", method: "GET", url: list + "?search=draft", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`"count":0`}},
		{name: "search too long", method: "GET", url: list + "?search=" + strings.Repeat("a", maxSearchChars+1), auth: fx.client.auth, status: 400,
			want: []string{`"search":["Ensure this value has at most 200 characters."]`}},
		{name: "filters combine", method: "GET", url: list + "?category=AI&status=ACTIVE&search=translator&creator=" + fx.creator.id, auth: fx.admin.auth, status: 200, setup: setup,
			want: []string{`"count":1`, fx.active}},
	})
}

func TestToolsListPagination(t *testing.T) {
	t.Parallel()
	list := "/api/tools/tools/"
	runCases(t, []apiCase{
		{name: "first page", method: "GET", url: list + "?page_size=4", auth: fx.admin.auth, status: 200,
			want: []string{`"count":6`, `"next":"http://example.com/api/tools/tools/?page=2&page_size=4"`, `"previous":null`},
			check: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
				if n := len(idsOf(t, res)); n != 4 {
					t.Errorf("%d results, want 4", n)
				}
			}},
		{name: "last page", method: "GET", url: list + "?page_size=4&page=2", auth: fx.admin.auth, status: 200,
			want: []string{`"count":6`, `"next":null`, `"previous":"http://example.com/api/tools/tools/?page_size=4"`},
			check: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
				if n := len(idsOf(t, res)); n != 2 {
					t.Errorf("%d results, want 2", n)
				}
			}},
		{name: "page=last", method: "GET", url: list + "?page_size=5&page=last", auth: fx.admin.auth, status: 200,
			want: []string{`"count":6`, `"next":null`, `"previous":"http://example.com/api/tools/tools/?page_size=5"`}},
		{name: "a page past the end", method: "GET", url: list + "?page_size=4&page=3", auth: fx.admin.auth, status: 404,
			want: []string{`"detail":"Invalid page."`}},
		{name: "a page that is not a number", method: "GET", url: list + "?page=two", auth: fx.admin.auth, status: 404,
			want: []string{`"detail":"Invalid page."`}},
		{name: "filters are kept in the next link", method: "GET", url: list + "?page_size=1&status=ACTIVE", auth: fx.admin.auth, status: 200,
			want: []string{`"count":2`, `"next":"http://example.com/api/tools/tools/?page=2&page_size=1&status=ACTIVE"`}},
	})
}

// The creators of a list are loaded in one query, however many rows and
// creators the list has.
func TestToolsListQueriesDoNotGrowWithRows(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"/api/tools/tools/", "/api/tools/tools/search/?q=tool"} {
		few, many := countQueries(t, url, fx.client.auth, 0), countQueries(t, url, fx.client.auth, 4)
		if few != many || few == 0 {
			t.Errorf("%s: %d queries for 2 rows, %d for 6 rows of 6 creators", url, few, many)
		}
	}
}

// countQueries answers how many SQL reads a GET of url makes after extra
// creators, each with an ACTIVE tool, are added.
func countQueries(t *testing.T, url, auth string, extra int) int {
	t.Helper()
	n := 0
	runCases(t, []apiCase{{name: fmt.Sprintf("%s with %d more creators", url, extra), method: "GET", url: url, auth: auth, status: 200,
		want: []string{`"id":`},
		setup: func(t testing.TB, app *tests.TestApp) {
			for i := range extra {
				u, err := createUser(app, fmt.Sprintf("maker%d", i), c.RoleToolCreator, 0)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := createTool(app, u.Id, c.StatusActive, 1); err != nil {
					t.Fatal(err)
				}
			}
			app.ConcurrentDB().(*dbx.DB).QueryLogFunc = func(context.Context, time.Duration, string, *sql.Rows, error) { n++ }
		}}})
	return n
}

func TestToolsCreate(t *testing.T) {
	t.Parallel()
	list := "/api/tools/tools/"
	// newTool checks that exactly one tool was created, by creator, with want's fields
	newTool := func(creator string, want map[string]any) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, res *http.Response) {
			t.Helper()
			var body struct {
				ID string `json:"id"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			tool := findTool(t, app, body.ID)
			if tool == nil {
				t.Fatalf("tool %q not stored", body.ID)
			}
			if got := tool.GetString(c.ToolCreator); got != creator {
				t.Errorf("creator %s, want %s", got, creator)
			}
			for field, v := range want {
				if got := fmt.Sprint(tool.Get(field)); got != fmt.Sprint(v) {
					t.Errorf("%s = %s, want %v", field, got, v)
				}
			}
		}
	}
	noNewTool := func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		if n, err := app.CountRecords(c.Tools); err != nil || n != 6 {
			t.Errorf("%d tools (err %v), want the 6 fixtures", n, err)
		}
	}
	full := `{"name":"Summarizer","description":"Summarizes text","category":"AI","points_cost":25,` +
		`"api_endpoint":"https://api.example.com/sum","api_documentation":"https://docs.example.com/sum",` +
		`"tags":["text","nlp"],"version":"2.1.0"}`
	cases := []apiCase{
		{name: "anonymous", method: "POST", url: list, body: full, status: 401, want: notAuthenticated, check: noNewTool},
		{name: "client", method: "POST", url: list, auth: fx.client.auth, body: full, status: 403, want: forbidden, check: noNewTool},
		{name: "client with a bad body is still 403", method: "POST", url: list, auth: fx.client.auth, body: `{"points_cost":"x"}`, status: 403,
			want: forbidden, check: noNewTool},
		{name: "client with malformed JSON is still 403", method: "POST", url: list, auth: fx.client.auth, body: `{"name":`, status: 403,
			want: forbidden, check: noNewTool},
		{name: "client with a body over the limit is still 403", method: "POST", url: list, auth: fx.client.auth,
			body: `{"name":"` + strings.Repeat("n", maxBodyBytes) + `"}`, status: 403, want: forbidden, check: noNewTool},
		{name: "creator with every field", method: "POST", url: list, auth: fx.creator.auth, body: full, status: 201,
			want: append([]string{`"name":"Summarizer"`, `"description":"Summarizes text"`, `"category":"AI"`, `"status":"DRAFT"`,
				quoted("creator", fx.creator.id), `"creator_name":"creator"`, `"creator_email":"creator@test.example"`,
				`"points_cost":25`, `"api_endpoint":"https://api.example.com/sum"`, `"api_documentation":"https://docs.example.com/sum"`,
				`"tags":["text","nlp"]`, `"version":"2.1.0"`, `"total_uses":0`, `"total_revenue":0`, `"average_rating":0`, `"rating_count":0`},
				detailFields...),
			check: newTool(fx.creator.id, map[string]any{c.ToolName: "Summarizer", c.ToolPointsCost: 25, c.ToolStatus: c.StatusDraft})},
		{name: "creator with the name only gets the defaults", method: "POST", url: list, auth: fx.creator.auth, body: `{"name":"Bare"}`, status: 201,
			want:  []string{`"status":"DRAFT"`, `"category":"OTHER"`, `"points_cost":1`, `"version":"1.0.0"`, `"tags":[]`, `"description":""`, `"api_endpoint":""`},
			check: newTool(fx.creator.id, map[string]any{c.ToolPointsCost: 1, c.ToolCategory: c.CategoryOther, c.ToolVersion: "1.0.0"})},
		{name: "points_cost 0 is kept, not defaulted", method: "POST", url: list, auth: fx.creator.auth, body: `{"name":"Free","points_cost":0}`, status: 201,
			want: []string{`"points_cost":0`}, check: newTool(fx.creator.id, map[string]any{c.ToolPointsCost: 0})},
		{name: "creator submits for review at once", method: "POST", url: list, auth: fx.creator.auth, body: `{"name":"X","status":"PENDING"}`, status: 201,
			want: []string{`"status":"PENDING"`}, check: newTool(fx.creator.id, map[string]any{c.ToolStatus: c.StatusPending})},
		{name: "creator sends DRAFT", method: "POST", url: list, auth: fx.creator.auth, body: `{"name":"X","status":"DRAFT"}`, status: 201,
			want: []string{`"status":"DRAFT"`}},
		{name: "admin creates an ACTIVE tool of its own", method: "POST", url: list, auth: fx.admin.auth, body: `{"name":"X","status":"ACTIVE"}`, status: 201,
			want:  []string{`"status":"ACTIVE"`, quoted("creator", fx.admin.id), `"creator_email":"admin@test.example"`},
			check: newTool(fx.admin.id, map[string]any{c.ToolStatus: c.StatusActive})},
		{name: "admin creates a SUSPENDED tool", method: "POST", url: list, auth: fx.admin.auth, body: `{"name":"X","status":"SUSPENDED"}`, status: 201,
			want: []string{`"status":"SUSPENDED"`}},
		{name: "read-only fields are ignored", method: "POST", url: list, auth: fx.creator.auth,
			body:   fmt.Sprintf(`{"name":"X","id":"chosenid0000001","creator":%q,"total_uses":99,"total_revenue":500,"average_rating":4.5,"rating_count":3,"created_at":"2000-01-01T00:00:00Z","creator_email":"x@y.z"}`, fx.creator2.id),
			status: 201, want: []string{quoted("creator", fx.creator.id), `"total_uses":0`, `"total_revenue":0`, `"average_rating":0`, `"rating_count":0`, `"creator_email":"creator@test.example"`},
			notWant: []string{fx.creator2.id, "chosenid0000001", "2000-01-01", "x@y.z"},
			check:   newTool(fx.creator.id, map[string]any{c.ToolTotalUses: 0, c.ToolTotalRevenue: 0, c.ToolRatingCount: 0})},
		{name: "unknown fields are ignored", method: "POST", url: list, auth: fx.creator.auth, body: `{"name":"X","colour":"blue"}`, status: 201,
			notWant: []string{"colour"}},
		{name: "form-encoded body", method: "POST", url: list, auth: fx.creator.auth, body: "name=Formed&points_cost=3",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 201,
			want: []string{`"name":"Formed"`, `"points_cost":3`}},
	}
	for _, status := range []string{c.StatusActive, c.StatusInactive, c.StatusSuspended} {
		// the DRF API's create serializer has no status: it is ignored
		cases = append(cases, apiCase{name: "creator's status " + status + " is ignored: the tool starts as DRAFT", method: "POST", url: list, auth: fx.creator.auth,
			body: fmt.Sprintf(`{"name":"X","status":%q}`, status), status: 201,
			want:    []string{`"status":"DRAFT"`, `"name":"X"`},
			notWant: []string{`"status":"` + status + `"`},
			check:   newTool(fx.creator.id, map[string]any{c.ToolStatus: c.StatusDraft, c.ToolName: "X"})})
	}
	// bad input: 4xx in DRF's shape, nothing stored
	for _, bad := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"empty body", ``, 400, `"name":["This field is required."]`},
		{"missing name", `{"description":"d"}`, 400, `"name":["This field is required."]`},
		{"blank name", `{"name":"   "}`, 400, `"name":["This field may not be blank."]`},
		{"null name", `{"name":null}`, 400, `"name":["This field may not be null."]`},
		{"name of the wrong type", `{"name":["a"]}`, 400, `"name":["Not a valid string."]`},
		{"name too long", `{"name":"` + strings.Repeat("n", maxToolNameChars+1) + `"}`, 400, `"name":["Ensure this field has no more than 200 characters."]`},
		{"description too long", `{"name":"X","description":"` + strings.Repeat("d", maxToolDescriptionChars+1) + `"}`, 400, `"description":["Ensure this field has no more than 10000 characters."]`},
		{"points_cost not a number", `{"name":"X","points_cost":"ten"}`, 400, `"points_cost":["A valid integer is required."]`},
		{"points_cost fractional", `{"name":"X","points_cost":1.5}`, 400, `"points_cost":["A valid integer is required."]`},
		{"points_cost negative", `{"name":"X","points_cost":-1}`, 400, `"points_cost":["Ensure this value is greater than or equal to 0."]`},
		{"points_cost too high", `{"name":"X","points_cost":1000001}`, 400, `"points_cost":["Ensure this value is less than or equal to 1000000."]`},
		{"points_cost huge", `{"name":"X","points_cost":1e300}`, 400, `"points_cost":["A valid integer is required."]`},
		{"bad category", `{"name":"X","category":"GAMES"}`, 400, `"category":["\"GAMES\" is not a valid choice."]`},
		{"bad status", `{"name":"X","status":"LIVE"}`, 400, `"status":["\"LIVE\" is not a valid choice."]`},
		{"tags not a list", `{"name":"X","tags":"a,b"}`, 400, `"tags":["Expected a list of items but got type \"str\"."]`},
		{"tags of numbers", `{"name":"X","tags":[1,2]}`, 400, `"tags":["Each item must be a string of at most 100 characters."]`},
		{"too many tags", `{"name":"X","tags":[` + strings.TrimSuffix(strings.Repeat(`"t",`, maxListItems+1), ",") + `]}`, 400, `"tags":["Ensure this field has no more than 50 elements."]`},
		{"a tag too long", `{"name":"X","tags":["` + strings.Repeat("t", maxItemChars+1) + `"]}`, 400, `"tags":["Each item must be a string of at most 100 characters."]`},
		{"api_endpoint not a URL", `{"name":"X","api_endpoint":"not a url"}`, 400, `"api_endpoint":["Enter a valid URL."]`},
		{"api_endpoint not http", `{"name":"X","api_endpoint":"ftp://example.com/x"}`, 400, `"api_endpoint":["Enter a valid URL."]`},
		{"api_documentation not a URL", `{"name":"X","api_documentation":"javascript:alert(1)"}`, 400, `"api_documentation":["Enter a valid URL."]`},
		{"blank version", `{"name":"X","version":""}`, 400, `"version":["This field may not be blank."]`},
		{"version too long", `{"name":"X","version":"` + strings.Repeat("1", maxToolVersionChars+1) + `"}`, 400, `"version":["Ensure this field has no more than 50 characters."]`},
		{"malformed JSON", `{"name":"X",`, 400, `"detail":"JSON parse error - the body is not valid JSON."`},
		{"trailing garbage", `{"name":"X"} {}`, 400, `"detail":"JSON parse error - the body is not valid JSON."`},
		{"a list instead of an object", `[{"name":"X"}]`, 400, `"non_field_errors":["Invalid data. Expected a dictionary, but got list."]`},
		{"a string instead of an object", `"X"`, 400, `"non_field_errors":["Invalid data. Expected a dictionary, but got str."]`},
		{"body over the limit", `{"name":"X","description":"` + strings.Repeat("d", maxBodyBytes) + `"}`, 413, `"detail":"Request body exceeds 262144 bytes."`},
	} {
		cases = append(cases, apiCase{name: "bad input: " + bad.name, method: "POST", url: list, auth: fx.creator.auth, body: bad.body,
			status: bad.status, want: []string{bad.want}, check: noNewTool})
	}
	cases = append(cases, apiCase{name: "bad input: several errors at once", method: "POST", url: list, auth: fx.creator.auth,
		body: `{"points_cost":"x","category":1}`, status: 400, check: noNewTool,
		want: []string{`"category":["\"1\" is not a valid choice."]`, `"name":["This field is required."]`, `"points_cost":["A valid integer is required."]`}})
	cases = append(cases, apiCase{name: "bad input: unsupported media type", method: "POST", url: list, auth: fx.creator.auth,
		body: `name: X`, headers: map[string]string{"Content-Type": "text/yaml"}, status: 415,
		want: []string{`"detail":"Unsupported media type \"text/yaml\" in request."`}, check: noNewTool})
	runCases(t, cases)
}

func TestToolsDetail(t *testing.T) {
	t.Parallel()
	runCases(t, []apiCase{
		{name: "anonymous", method: "GET", url: toolURL(fx.active), status: 401, want: notAuthenticated},
		{name: "client, ACTIVE tool", method: "GET", url: toolURL(fx.active), auth: fx.client.auth, status: 200,
			want: append([]string{quoted("id", fx.active), `"status":"ACTIVE"`, `"creator_email":"creator@test.example"`, `"points_cost":10`}, detailFields...)},
		{name: "client, a draft", method: "GET", url: toolURL(fx.draft), auth: fx.client.auth, status: 404, want: notFound,
			notWant: []string{fx.draft}},
		{name: "client, a suspended tool", method: "GET", url: toolURL(fx.suspended), auth: fx.client.auth, status: 404, want: notFound},
		{name: "owner, own draft", method: "GET", url: toolURL(fx.draft), auth: fx.creator.auth, status: 200,
			want: []string{quoted("id", fx.draft), `"status":"DRAFT"`}},
		{name: "owner, own suspended tool", method: "GET", url: toolURL(fx.suspended), auth: fx.creator.auth, status: 200,
			want: []string{`"status":"SUSPENDED"`}},
		{name: "other creator, a draft", method: "GET", url: toolURL(fx.draft), auth: fx.creator2.auth, status: 404, want: notFound},
		{name: "other creator, an ACTIVE tool", method: "GET", url: toolURL(fx.active), auth: fx.creator2.auth, status: 200,
			want: []string{quoted("id", fx.active)}},
		{name: "admin, a draft", method: "GET", url: toolURL(fx.draft), auth: fx.admin.auth, status: 200,
			want: []string{quoted("id", fx.draft)}},
		{name: "unknown id", method: "GET", url: toolURL("nosuchtool00000"), auth: fx.admin.auth, status: 404, want: notFound},
		{name: "an id with odd characters", method: "GET", url: toolURL("%27%20OR%201=1%20--"), auth: fx.admin.auth, status: 404, want: notFound},
		{name: "a malformed body is ignored", method: "GET", url: toolURL(fx.active), auth: fx.client.auth, body: `[1,`, status: 200,
			want: []string{quoted("id", fx.active)}},
		{name: "POST not allowed", method: "POST", url: toolURL(fx.active), auth: fx.admin.auth, status: 405,
			want: []string{`"detail":"Method \"POST\" not allowed."`}},
	})
}

// statusMoves is the creator's side of spec section 3: from → to allowed for
// a creator on its own tool (a status left unchanged is always allowed).
var creatorMoves = map[[2]string]bool{
	{c.StatusDraft, c.StatusPending}:       true,
	{c.StatusActive, c.StatusInactive}:     true,
	{c.StatusInactive, c.StatusActive}:     true,
	{c.StatusDraft, c.StatusDraft}:         true,
	{c.StatusPending, c.StatusPending}:     true,
	{c.StatusActive, c.StatusActive}:       true,
	{c.StatusInactive, c.StatusInactive}:   true,
	{c.StatusSuspended, c.StatusSuspended}: true,
}

func fixtureToolOf(status string) string {
	return map[string]string{c.StatusDraft: fx.draft, c.StatusPending: fx.pending, c.StatusActive: fx.active,
		c.StatusInactive: fx.inactive, c.StatusSuspended: fx.suspended}[status]
}

// Every status move through PATCH, for the owner and for an admin, and
// through PUT for a sample.
func TestToolsStatusMoves(t *testing.T) {
	t.Parallel()
	var cases []apiCase
	for _, from := range c.Statuses {
		for _, to := range c.Statuses {
			id := fixtureToolOf(from)
			body := fmt.Sprintf(`{"status":%q}`, to)
			if creatorMoves[[2]string{from, to}] {
				cases = append(cases, apiCase{name: fmt.Sprintf("owner moves %s to %s", from, to), method: "PATCH", url: toolURL(id),
					auth: fx.creator.auth, body: body, status: 200, want: []string{quoted("status", to)}, check: wantToolStatus(id, to)})
			} else {
				cases = append(cases, apiCase{name: fmt.Sprintf("owner may not move %s to %s", from, to), method: "PATCH", url: toolURL(id),
					auth: fx.creator.auth, body: body, status: 400,
					want:  []string{`"status":["Cannot move this tool from ` + from + ` to ` + to + `: a creator may only`},
					check: wantToolStatus(id, from)})
			}
			cases = append(cases, apiCase{name: fmt.Sprintf("admin moves %s to %s", from, to), method: "PATCH", url: toolURL(id),
				auth: fx.admin.auth, body: body, status: 200, want: []string{quoted("status", to)}, check: wantToolStatus(id, to)})
		}
	}
	put := func(status string) string {
		return fmt.Sprintf(`{"name":"Renamed","description":"d","category":"AI","points_cost":3,"tags":["x"],"version":"2.0.0","status":%q}`, status)
	}
	cases = append(cases,
		apiCase{name: "PUT: owner submits a draft", method: "PUT", url: toolURL(fx.draft), auth: fx.creator.auth, body: put(c.StatusPending),
			status: 200, want: []string{`"status":"PENDING"`, `"name":"Renamed"`, `"points_cost":3`, `"version":"2.0.0"`}, check: wantToolStatus(fx.draft, c.StatusPending)},
		apiCase{name: "PUT: owner pauses", method: "PUT", url: toolURL(fx.active), auth: fx.creator.auth, body: put(c.StatusInactive),
			status: 200, want: []string{`"status":"INACTIVE"`}, check: wantToolStatus(fx.active, c.StatusInactive)},
		apiCase{name: "PUT: owner may not approve", method: "PUT", url: toolURL(fx.pending), auth: fx.creator.auth, body: put(c.StatusActive),
			status: 400, want: []string{`"status":["Cannot move this tool from PENDING to ACTIVE`}, check: wantToolStatus(fx.pending, c.StatusPending)},
		apiCase{name: "PUT: owner may not lift a suspension", method: "PUT", url: toolURL(fx.suspended), auth: fx.creator.auth, body: put(c.StatusActive),
			status: 400, want: []string{`"status":["Cannot move this tool from SUSPENDED to ACTIVE`}, check: wantToolStatus(fx.suspended, c.StatusSuspended)},
		apiCase{name: "PUT: admin approves", method: "PUT", url: toolURL(fx.pending), auth: fx.admin.auth, body: put(c.StatusActive),
			status: 200, want: []string{`"status":"ACTIVE"`}, check: wantToolStatus(fx.pending, c.StatusActive)},
		apiCase{name: "PUT: admin suspends another creator's tool", method: "PUT", url: toolURL(fx.other), auth: fx.admin.auth, body: put(c.StatusSuspended),
			status: 200, want: []string{`"status":"SUSPENDED"`, quoted("creator", fx.creator2.id)}, check: wantToolStatus(fx.other, c.StatusSuspended)},
		apiCase{name: "a refused move and a bad field are reported together", method: "PATCH", url: toolURL(fx.draft), auth: fx.creator.auth,
			body: `{"status":"ACTIVE","points_cost":-5}`, status: 400,
			want: []string{`"points_cost":["Ensure this value is greater than or equal to 0."]`, `"status":["Cannot move this tool from DRAFT to ACTIVE`}, check: wantToolStatus(fx.draft, c.StatusDraft)},
		apiCase{name: "an allowed move with a bad field stores nothing", method: "PATCH", url: toolURL(fx.draft), auth: fx.creator.auth,
			body: `{"status":"PENDING","name":""}`, status: 400,
			want: []string{`"name":["This field may not be blank."]`}, notWant: []string{`"status"`}, check: wantToolStatus(fx.draft, c.StatusDraft)},
	)
	runCases(t, cases)
}

func TestToolsUpdate(t *testing.T) {
	t.Parallel()
	unchanged := func(id string) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			t.Helper()
			if tool := findTool(t, app, id); tool == nil || strings.Contains(tool.GetString(c.ToolName), "Hacked") {
				t.Errorf("tool %s changed or gone", id)
			}
		}
	}
	nameBody := `{"name":"Hacked"}`
	cases := []apiCase{
		{name: "anonymous", method: "PATCH", url: toolURL(fx.active), body: nameBody, status: 401, want: notAuthenticated, check: unchanged(fx.active)},
		{name: "client, an ACTIVE tool", method: "PATCH", url: toolURL(fx.active), auth: fx.client.auth, body: nameBody, status: 403,
			want: forbidden, check: unchanged(fx.active)},
		{name: "client, a status move is 403 too", method: "PATCH", url: toolURL(fx.active), auth: fx.client.auth, body: `{"status":"INACTIVE"}`,
			status: 403, want: forbidden, check: wantToolStatus(fx.active, c.StatusActive)},
		{name: "client, a draft", method: "PATCH", url: toolURL(fx.draft), auth: fx.client.auth, body: nameBody, status: 404,
			want: notFound, check: unchanged(fx.draft)},
		{name: "other creator, an ACTIVE tool", method: "PATCH", url: toolURL(fx.active), auth: fx.creator2.auth, body: nameBody, status: 403,
			want: forbidden, check: unchanged(fx.active)},
		{name: "other creator, malformed JSON is still 403", method: "PATCH", url: toolURL(fx.active), auth: fx.creator2.auth, body: `{"name":`, status: 403,
			want: forbidden, check: unchanged(fx.active)},
		{name: "client, a body over the limit is still 403", method: "PUT", url: toolURL(fx.active), auth: fx.client.auth,
			body: `{"name":"` + strings.Repeat("n", maxBodyBytes) + `"}`, status: 403, want: forbidden, check: unchanged(fx.active)},
		{name: "other creator, PUT", method: "PUT", url: toolURL(fx.active), auth: fx.creator2.auth, body: nameBody, status: 403,
			want: forbidden, check: unchanged(fx.active)},
		{name: "other creator, a draft", method: "PATCH", url: toolURL(fx.draft), auth: fx.creator2.auth, body: nameBody, status: 404,
			want: notFound, check: unchanged(fx.draft)},
		{name: "other creator, a draft, with a bad body", method: "PATCH", url: toolURL(fx.draft), auth: fx.creator2.auth, body: `{bad`, status: 404,
			want: notFound},
		{name: "unknown id", method: "PATCH", url: toolURL("nosuchtool00000"), auth: fx.admin.auth, body: nameBody, status: 404, want: notFound},
		{name: "owner renames", method: "PATCH", url: toolURL(fx.active), auth: fx.creator.auth, body: `{"name":"Renamed","tags":["a","b"]}`, status: 200,
			want: append([]string{`"name":"Renamed"`, `"tags":["a","b"]`, `"status":"ACTIVE"`, `"points_cost":10`}, detailFields...),
			check: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if tool := findTool(t, app, fx.active); tool.GetString(c.ToolName) != "Renamed" || tool.GetInt(c.ToolPointsCost) != activeCost {
					t.Errorf("stored %s / %d", tool.GetString(c.ToolName), tool.GetInt(c.ToolPointsCost))
				}
			}},
		{name: "owner edits a suspended tool's text", method: "PATCH", url: toolURL(fx.suspended), auth: fx.creator.auth, body: `{"description":"fixed"}`,
			status: 200, want: []string{`"description":"fixed"`, `"status":"SUSPENDED"`}},
		{name: "owner clears the endpoint", method: "PATCH", url: toolURL(fx.active), auth: fx.creator.auth, body: `{"api_endpoint":""}`,
			status: 200, want: []string{`"api_endpoint":""`}},
		{name: "admin edits another creator's tool", method: "PATCH", url: toolURL(fx.other), auth: fx.admin.auth, body: `{"points_cost":50}`, status: 200,
			want: []string{`"points_cost":50`, quoted("creator", fx.creator2.id), `"creator_email":"creator2@test.example"`}},
		{name: "PUT without a name", method: "PUT", url: toolURL(fx.active), auth: fx.creator.auth, body: `{"description":"d"}`, status: 400,
			want: []string{`"name":["This field is required."]`}, check: unchanged(fx.active)},
		{name: "PATCH with an empty body changes nothing", method: "PATCH", url: toolURL(fx.active), auth: fx.creator.auth, body: ``, status: 200,
			want: []string{quoted("id", fx.active), `"status":"ACTIVE"`}},
		{name: "read-only fields are ignored", method: "PATCH", url: toolURL(fx.active), auth: fx.creator.auth,
			body:   fmt.Sprintf(`{"id":"chosenid0000001","creator":%q,"total_uses":99,"total_revenue":500,"average_rating":4.5,"rating_count":3,"created_at":"2000-01-01T00:00:00Z"}`, fx.creator2.id),
			status: 200, want: []string{quoted("id", fx.active), quoted("creator", fx.creator.id), `"total_uses":0`, `"total_revenue":0`, `"average_rating":0`, `"rating_count":0`},
			notWant: []string{fx.creator2.id, "chosenid0000001", "2000-01-01"},
			check: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				tool := findTool(t, app, fx.active)
				if tool.GetString(c.ToolCreator) != fx.creator.id || tool.GetInt(c.ToolTotalUses) != 0 || tool.GetInt(c.ToolRatingCount) != 0 {
					t.Errorf("read-only fields changed: %v", tool.PublicExport())
				}
			}},
		{name: "admin can't reassign a tool through the DRF API either", method: "PATCH", url: toolURL(fx.active), auth: fx.admin.auth,
			body: fmt.Sprintf(`{"creator":%q}`, fx.creator2.id), status: 200, want: []string{quoted("creator", fx.creator.id)}},
		{name: "PUT on the list is not allowed", method: "PUT", url: "/api/tools/tools/", auth: fx.admin.auth, body: nameBody, status: 405,
			want: []string{`not allowed`}},
	}
	for _, bad := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"blank name", `{"name":""}`, 400, `"name":["This field may not be blank."]`},
		{"name too long", `{"name":"` + strings.Repeat("n", maxToolNameChars+1) + `"}`, 400, `"name":["Ensure this field has no more than 200 characters."]`},
		{"bad URL", `{"api_documentation":"http//x"}`, 400, `"api_documentation":["Enter a valid URL."]`},
		{"malformed JSON", `{"name":`, 400, `"detail":"JSON parse error - the body is not valid JSON."`},
		{"not an object", `42`, 400, `"non_field_errors":["Invalid data. Expected a dictionary, but got number."]`},
		{"body over the limit", `{"description":"` + strings.Repeat("d", maxBodyBytes) + `"}`, 413, `"detail":"Request body exceeds 262144 bytes."`},
	} {
		cases = append(cases, apiCase{name: "bad input: " + bad.name, method: "PATCH", url: toolURL(fx.active), auth: fx.creator.auth, body: bad.body,
			status: bad.status, want: []string{bad.want}, check: unchanged(fx.active)})
	}
	cases = append(cases, apiCase{name: "bad input: wrong types", method: "PATCH", url: toolURL(fx.active), auth: fx.creator.auth,
		body: `{"points_cost":true,"tags":{"a":1},"category":null}`, status: 400, check: unchanged(fx.active),
		want: []string{`"category":["This field may not be null."]`, `"points_cost":["A valid integer is required."]`, `"tags":["Expected a list of items but got type \"dict\"."]`}})
	runCases(t, cases)
}

func TestToolsDelete(t *testing.T) {
	t.Parallel()
	gone := func(id string) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			t.Helper()
			if findTool(t, app, id) != nil {
				t.Errorf("tool %s still there", id)
			}
		}
	}
	kept := func(id string) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			t.Helper()
			if findTool(t, app, id) == nil {
				t.Errorf("tool %s deleted", id)
			}
			if n, _ := app.CountRecords(c.ToolUsage); n != 4 {
				t.Errorf("%d usage rows, want 4", n)
			}
		}
	}
	inUse := []string{`"detail":"This tool has usage records, which are never deleted, so it cannot be deleted; set it INACTIVE instead."`}
	runCases(t, []apiCase{
		{name: "anonymous", method: "DELETE", url: toolURL(fx.draft), status: 401, want: notAuthenticated, check: kept(fx.draft)},
		{name: "client, an ACTIVE tool", method: "DELETE", url: toolURL(fx.other), auth: fx.client.auth, status: 403, want: forbidden, check: kept(fx.other)},
		{name: "client, a draft", method: "DELETE", url: toolURL(fx.draft), auth: fx.client.auth, status: 404, want: notFound, check: kept(fx.draft)},
		{name: "other creator, an ACTIVE tool", method: "DELETE", url: toolURL(fx.active), auth: fx.creator2.auth, status: 403, want: forbidden, check: kept(fx.active)},
		{name: "other creator, a draft", method: "DELETE", url: toolURL(fx.draft), auth: fx.creator2.auth, status: 404, want: notFound, check: kept(fx.draft)},
		{name: "owner, own draft", method: "DELETE", url: toolURL(fx.draft), auth: fx.creator.auth, status: 204, check: gone(fx.draft)},
		{name: "owner, a tool with usage", method: "DELETE", url: toolURL(fx.active), auth: fx.creator.auth, status: 409, want: inUse, check: kept(fx.active)},
		{name: "admin, another creator's tool with usage", method: "DELETE", url: toolURL(fx.other), auth: fx.admin.auth, status: 409, want: inUse, check: kept(fx.other)},
		{name: "admin, a tool without usage", method: "DELETE", url: toolURL(fx.suspended), auth: fx.admin.auth, status: 204, check: gone(fx.suspended)},
		{name: "a tool with a review", method: "DELETE", url: toolURL(fx.inactive), auth: fx.creator.auth, status: 409,
			want: []string{`set it INACTIVE instead."`},
			setup: func(t testing.TB, app *tests.TestApp) {
				// a review needs a use: the tool was used while it was ACTIVE
				tool, _ := app.FindRecordById(c.Tools, fx.inactive)
				client, _ := app.FindRecordById(c.Users, fx.client.id)
				tool.Set(c.ToolStatus, c.StatusActive)
				if err := app.Save(tool); err != nil {
					t.Fatal(err)
				}
				if _, err := useTool(app, ledger.UseRequest{Tool: tool, User: client}); err != nil {
					t.Fatal(err)
				}
				tool.Set(c.ToolStatus, c.StatusInactive)
				if err := app.Save(tool); err != nil {
					t.Fatal(err)
				}
				col, _ := app.FindCollectionByNameOrId(c.ToolFeedback)
				r := core.NewRecord(col)
				r.Set(c.FeedbackTool, fx.inactive)
				r.Set(c.FeedbackUser, fx.client.id)
				r.Set(c.FeedbackRating, 4)
				if err := ledger.SaveSystem(app, r); err != nil {
					t.Fatal(err)
				}
			}, check: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if findTool(t, app, fx.inactive) == nil {
					t.Error("the reviewed tool was deleted")
				}
			}},
		{name: "a scoped API key goes with its tool", method: "DELETE", url: toolURL(fx.draft), auth: fx.creator.auth, status: 204,
			setup: func(t testing.TB, app *tests.TestApp) {
				col, _ := app.FindCollectionByNameOrId(c.ToolAPIKeys)
				k := core.NewRecord(col)
				k.Set(c.APIKeyUser, fx.client.id)
				k.Set(c.APIKeyTool, fx.draft)
				k.Set(c.APIKeyName, "scoped")
				k.Set(c.APIKeyHash, strings.Repeat("a", 64))
				if err := ledger.SaveSystem(app, k); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				gone(fx.draft)(t, app, res)
				if n, _ := app.CountRecords(c.ToolAPIKeys); n != 0 {
					t.Errorf("%d keys left, want the scoped key deleted", n)
				}
			}},
		{name: "unknown id", method: "DELETE", url: toolURL("nosuchtool00000"), auth: fx.admin.auth, status: 404, want: notFound},
		{name: "a malformed body is ignored", method: "DELETE", url: toolURL(fx.pending), auth: fx.creator.auth, body: `{oops`, status: 204, check: gone(fx.pending)},
	})
}

func TestToolsSearch(t *testing.T) {
	t.Parallel()
	url := "/api/tools/tools/search/"
	setup := func(t testing.TB, app *tests.TestApp) {
		for id, tags := range map[string][]string{fx.active: {"Vision", "ocr"}, fx.other: {"audio"}, fx.draft: {"vision"}} {
			tool := findTool(t, app, id)
			tool.Set(c.ToolTags, tags)
			if id == fx.other {
				tool.Set(c.ToolCategory, c.CategoryCreative)
				tool.Set(c.ToolDescription, "Transcribes speech")
			}
			if err := app.Save(tool); err != nil {
				t.Fatal(err)
			}
		}
	}
	runCases(t, []apiCase{
		{name: "anonymous", method: "GET", url: url + "?q=tool", status: 401, want: notAuthenticated},
		{name: "client: a bare array of visible matches", method: "GET", url: url + "?q=tool", auth: fx.client.auth, status: 200, setup: setup,
			want: append([]string{`[{"id":`, fx.active, fx.other}, detailFields...), notWant: append(creatorHidden(), `"count"`)},
		{name: "q in the description, case-insensitive", method: "GET", url: url + "?q=TRANSCRIBES", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{fx.other}, notWant: []string{fx.active}},
		{name: "q equal to a tag, case-insensitive", method: "GET", url: url + "?q=vision", auth: fx.client.auth, status: 200, setup: setup,
			check: wantIDs(fx.active), want: []string{fx.active}},
		{name: "q only part of a tag does not match it", method: "GET", url: url + "?q=visi", auth: fx.client.auth, status: 200, setup: setup,
			want: []string{`[]`}},
		{name: "owner finds its draft by tag", method: "GET", url: url + "?q=vision", auth: fx.creator.auth, status: 200, setup: setup,
			want: []string{fx.active, fx.draft}},
		{name: "other creator does not", method: "GET", url: url + "?q=vision", auth: fx.creator2.auth, status: 200, setup: setup,
			want: []string{fx.active}, notWant: []string{fx.draft}},
		{name: "category", method: "GET", url: url + "?q=tool&category=CREATIVE", auth: fx.client.auth, status: 200, setup: setup,
			check: wantIDs(fx.other), want: []string{fx.other}},
		{name: "category alone", method: "GET", url: url + "?category=OTHER", auth: fx.client.auth, status: 200, setup: setup,
			check: wantIDs(fx.active), want: []string{fx.active}},
		{name: "no q: every visible tool", method: "GET", url: url, auth: fx.admin.auth, status: 200,
			want: append([]string{fx.active, fx.other}, creatorHidden()...)},
		{name: "no match", method: "GET", url: url + "?q=zzzz", auth: fx.admin.auth, status: 200, want: []string{`[]`}},
		{name: "bad category", method: "GET", url: url + "?category=x", auth: fx.client.auth, status: 400,
			want: []string{`"category":["Select a valid choice. x is not one of the available choices."]`}},
		{name: "q too long", method: "GET", url: url + "?q=" + strings.Repeat("q", maxSearchChars+1), auth: fx.client.auth, status: 400,
			want: []string{`"q":["Ensure this value has at most 200 characters."]`}},
		{name: "POST not allowed", method: "POST", url: url, auth: fx.client.auth, status: 405, want: []string{`not allowed`}},
	})
}

func TestToolsMine(t *testing.T) {
	t.Parallel()
	url := "/api/tools/tools/my_tools/"
	runCases(t, []apiCase{
		{name: "anonymous", method: "GET", url: url, status: 401, want: notAuthenticated},
		{name: "client", method: "GET", url: url, auth: fx.client.auth, status: 403, want: forbidden},
		{name: "creator: own tools in every status, newest first", method: "GET", url: url, auth: fx.creator.auth, status: 200,
			want: append([]string{`[{"id":`}, detailFields...), notWant: []string{fx.other},
			check: wantIDs(fx.suspended, fx.inactive, fx.pending, fx.draft, fx.active),
			setup: func(t testing.TB, app *tests.TestApp) {
				for i, id := range []string{fx.active, fx.draft, fx.pending, fx.inactive, fx.suspended} {
					setCreated(t, app, c.Tools, id, fmt.Sprintf("2025-01-0%d 00:00:00.000Z", i+1))
				}
			}},
		{name: "creator: filtered by status", method: "GET", url: url + "?status=DRAFT", auth: fx.creator.auth, status: 200,
			check: wantIDs(fx.draft), want: []string{fx.draft}},
		{name: "other creator: only its own", method: "GET", url: url, auth: fx.creator2.auth, status: 200,
			check: wantIDs(fx.other), want: []string{fx.other}, notWant: append(creatorHidden(), fx.active)},
		{name: "admin: its own, none", method: "GET", url: url, auth: fx.admin.auth, status: 200, want: []string{`[]`}},
		{name: "admin: its own", method: "GET", url: url, auth: fx.admin.auth, status: 200,
			setup: func(t testing.TB, app *tests.TestApp) {
				tool, err := createTool(app, fx.admin.id, c.StatusDraft, 1)
				if err != nil {
					t.Fatal(err)
				}
				tool.Set(c.ToolName, "Admin's own tool")
				if err := app.Save(tool); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{`"name":"Admin's own tool"`}, notWant: []string{fx.active, fx.other}},
		{name: "client, POST: 403 before 405", method: "POST", url: url, auth: fx.client.auth, status: 403, want: forbidden},
		{name: "creator, POST not allowed", method: "POST", url: url, auth: fx.creator.auth, status: 405, want: []string{`not allowed`}},
	})
}
