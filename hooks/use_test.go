package hooks

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

func useURL(toolID string) string { return "/api/tools/tools/" + toolID + "/use/" }

// nothingWritten asserts that a refused use left no usage, no ledger row and
// no balance change behind.
func nothingWritten(t testing.TB, app *tests.TestApp) {
	t.Helper()
	if n := count(t, app, c.ToolUsage, nil); n != 0 {
		t.Errorf("%d usage rows written", n)
	}
	if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxKind: c.KindUsage}); n != 0 {
		t.Errorf("%d USAGE ledger rows written", n)
	}
	if got := balance(t, app, fx.client.id); got != fixturePoints {
		t.Errorf("client balance %d, want %d", got, fixturePoints)
	}
	mustVerify(t, app)
}

func TestUseRoute(t *testing.T) {
	t.Parallel()
	earning := int64(activeCost - activeCost*20/100)
	scenarios := []tests.ApiScenario{
		{
			Name:            "anonymous is 401",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Body:            strings.NewReader(`{"input_data":{}}`),
			ExpectedStatus:  401,
			ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:           "client pays: debit, earning, counters, usage",
			Method:         http.MethodPost,
			URL:            useURL(fx.active),
			Headers:        map[string]string{"Authorization": fx.client.auth},
			Body:           strings.NewReader(`{"input_data":{"text":"hello"}}`),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"usage_id":"`, `"points_spent":10`, `"remaining_points":990`,
				`"output_data":{"status":"accepted"}`, `"input_data":{"text":"hello"}`,
				`"success":true`, `"execution_time":"00:00:00"`, `"tool":"` + fx.active + `"`,
				`"user":"` + fx.client.id + `"`, `"user_email":"` + fx.client.email + `"`,
			},
			TestAppFactory: testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if got := balance(t, app, fx.client.id); got != fixturePoints-activeCost {
					t.Errorf("client balance %d", got)
				}
				creator, _ := app.FindRecordById(c.Users, fx.creator.id)
				if got := c.AsUser(creator).TotalRevenue(); got != earning {
					t.Errorf("creator total_revenue %d, want %d", got, earning)
				}
				tool, _ := app.FindRecordById(c.Tools, fx.active)
				if tl := c.AsTool(tool); tl.TotalUses() != 1 || tl.TotalRevenue() != activeCost {
					t.Errorf("tool counters %d uses, %d revenue", tl.TotalUses(), tl.TotalRevenue())
				}
				if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxKind: c.KindUsage, c.TxAmount: -activeCost}); n != 1 {
					t.Errorf("%d USAGE rows", n)
				}
				if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxKind: c.KindEarning, c.TxAmount: earning, c.TxUser: fx.creator.id}); n != 1 {
					t.Errorf("%d EARNING rows", n)
				}
				mustVerify(t, app)
			},
		},
		{
			Name:            "missing input_data is an empty object",
			Method:          http.MethodPost,
			URL:             useURL(fx.other),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"input_data":{}`, `"points_spent":5`, `"remaining_points":995`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "creator pays for another creator's tool",
			Method:          http.MethodPost,
			URL:             useURL(fx.other),
			Headers:         map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"non_field_errors":["Insufficient points"]`, `"required":5`, `"available":0`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "creator uses its own tool free",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"points_spent":0`, `"remaining_points":0`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   freeUseChecks,
		},
		{
			Name:            "admin uses any tool free",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.admin.auth},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"points_spent":0`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   freeUseChecks,
		},
		{
			Name:            "insufficient points is the DRF API's 400 and writes nothing",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			Body:            strings.NewReader(`{"input_data":{}}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"non_field_errors":["Insufficient points"]`, `"required":10`, `"available":7`},
			TestAppFactory:  testAppFactory,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				if _, err := postAudited(app, actorInfo{}, ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindDeduct, Amount: 7 - fixturePoints}); err != nil {
					t.Fatal(err)
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := count(t, app, c.ToolUsage, nil); n != 0 {
					t.Errorf("%d usage rows", n)
				}
				if got := balance(t, app, fx.client.id); got != 7 {
					t.Errorf("balance %d", got)
				}
				mustVerify(t, app)
			},
		},
		{
			Name:            "a tool of another creator that is not ACTIVE is 404",
			Method:          http.MethodPost,
			URL:             useURL(fx.draft),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   func(t testing.TB, app *tests.TestApp, _ *http.Response) { nothingWritten(t, app) },
		},
		{
			Name:            "an unknown tool is 404",
			Method:          http.MethodPost,
			URL:             useURL("nosuchtool12345"),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "an admin cannot use a tool that is not ACTIVE",
			Method:          http.MethodPost,
			URL:             useURL(fx.draft),
			Headers:         map[string]string{"Authorization": fx.admin.auth},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"non_field_errors":["Cannot use this tool"]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := count(t, app, c.ToolUsage, nil); n != 0 {
					t.Errorf("%d usage rows", n)
				}
			},
		},
		{
			Name:            "input_data that is a list is 400",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			Body:            strings.NewReader(`{"input_data":[1,2]}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"input_data":["Expected a dictionary of items but got type \"list\"."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   func(t testing.TB, app *tests.TestApp, _ *http.Response) { nothingWritten(t, app) },
		},
		{
			Name:            "input_data that is a string is 400",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			Body:            strings.NewReader(`{"input_data":"text"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"input_data":`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "input_data null is 400",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			Body:            strings.NewReader(`{"input_data":null}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"input_data":["This field may not be null."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "malformed JSON is 400",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			Body:            strings.NewReader(`{"input_data":`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"detail":"JSON parse error`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   func(t testing.TB, app *tests.TestApp, _ *http.Response) { nothingWritten(t, app) },
		},
		{
			Name:            "a body that is a JSON array is 400",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			Body:            strings.NewReader(`[]`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"non_field_errors":["Invalid data. Expected a dictionary, but got list."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "input_data over 64 KiB is 413",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			Body:            strings.NewReader(`{"input_data":{"text":"` + strings.Repeat("a", c.MaxInputBytes) + `"}}`),
			ExpectedStatus:  413,
			ExpectedContent: []string{`"detail":"input_data exceeds 65536 bytes."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   func(t testing.TB, app *tests.TestApp, _ *http.Response) { nothingWritten(t, app) },
		},
		{
			Name:            "a body over its limit is 413",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			Body:            strings.NewReader(`{"input_data":{},"pad":"` + strings.Repeat("a", maxUseBodyBytes) + `"}`),
			ExpectedStatus:  413,
			ExpectedContent: []string{`"detail":"Request body exceeds`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   func(t testing.TB, app *tests.TestApp, _ *http.Response) { nothingWritten(t, app) },
		},
		{
			Name:            "input_data just under 64 KiB is accepted",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			Body:            strings.NewReader(`{"input_data":{"t":"` + strings.Repeat("a", c.MaxInputBytes-len(`{"t":""}`)) + `"}}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"points_spent":10`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "another content type is 415",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth, "Content-Type": "text/plain"},
			Body:            strings.NewReader(`input_data`),
			ExpectedStatus:  415,
			ExpectedContent: []string{`"detail":"Unsupported media type`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "GET is 405",
			Method:          http.MethodGet,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus:  405,
			ExpectedContent: []string{`"detail":"Method \"GET\" not allowed."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "an over-long Idempotency-Key is 400",
			Method:          http.MethodPost,
			URL:             useURL(fx.active),
			Headers:         map[string]string{"Authorization": fx.client.auth, "Idempotency-Key": strings.Repeat("k", 256)},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"detail":"Idempotency-Key is longer than 255 characters."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   func(t testing.TB, app *tests.TestApp, _ *http.Response) { nothingWritten(t, app) },
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// freeUseChecks asserts a recorded use that moved no points.
func freeUseChecks(t testing.TB, app *tests.TestApp, _ *http.Response) {
	if n := count(t, app, c.ToolUsage, dbx.HashExp{c.UsagePointsSpent: 0}); n != 1 {
		t.Errorf("%d free usage rows, want 1", n)
	}
	if n := count(t, app, c.PointTransactions, dbx.Not(dbx.HashExp{c.TxKind: c.KindGrant})); n != 0 {
		t.Errorf("%d ledger rows for a free use", n)
	}
	tool, _ := app.FindRecordById(c.Tools, fx.active)
	if tl := c.AsTool(tool); tl.TotalUses() != 1 || tl.TotalRevenue() != 0 {
		t.Errorf("tool counters %d uses, %d revenue", tl.TotalUses(), tl.TotalRevenue())
	}
	mustVerify(t, app)
}

func TestUseFeeArithmetic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ cost, fee, earning int64 }{
		{1, 0, 1},
		{7, 1, 6},
		{100, 20, 80},
	} {
		t.Run(fmt.Sprint("cost ", tc.cost), func(t *testing.T) {
			app, tb := newTestBase(t)
			tool, err := createTool(app, fx.creator2.id, c.StatusActive, tc.cost)
			if err != nil {
				t.Fatal(err)
			}
			client, _ := app.FindRecordById(c.Users, fx.client.id)
			res, err := tb.UseTool(app, ledger.UseRequest{Tool: tool, User: client, Input: []byte(`{}`)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Remaining != fixturePoints-tc.cost {
				t.Errorf("remaining %d", res.Remaining)
			}
			creator, _ := app.FindRecordById(c.Users, fx.creator2.id)
			if got := c.AsUser(creator).TotalRevenue(); got != tc.earning {
				t.Errorf("earning %d, want %d (fee %d)", got, tc.earning, tc.fee)
			}
			mustVerify(t, app)
		})
	}
}

func TestUseFeePercentFromEnv(t *testing.T) {
	t.Setenv("TOOLBASE_PLATFORM_FEE_PERCENT", "50")
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	app, tb := newTestBase(t, func(tc *Config) { tc.FeePercent = cfg.FeePercent })
	tool, _ := app.FindRecordById(c.Tools, fx.other)
	client, _ := app.FindRecordById(c.Users, fx.client.id)
	if _, err := tb.UseTool(app, ledger.UseRequest{Tool: tool, User: client, Input: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	creator, _ := app.FindRecordById(c.Users, fx.creator2.id)
	if got := c.AsUser(creator).TotalRevenue(); got != otherCost-otherCost*50/100 {
		t.Errorf("earning %d at 50%%", got)
	}
	t.Setenv("TOOLBASE_PLATFORM_FEE_PERCENT", "101")
	if _, err := LoadConfig(); err == nil {
		t.Error("a fee of 101% was accepted")
	}
}

// get sends a GET with auth and returns the status and body.
func get(t testing.TB, url, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// post sends a JSON POST with auth and optional Idempotency-Key and returns
// the status and body.
func post(t testing.TB, url, auth, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if key != "" && res.Header.Get("Idempotent-Replayed") == "true" {
		return res.StatusCode, "replayed:" + string(b)
	}
	return res.StatusCode, string(b)
}

func TestUseIdempotency(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	first, firstBody := post(t, base+useURL(fx.active), fx.client.auth, "order-1", `{"input_data":{"a":1,"b":[2]}}`)
	if first != 200 {
		t.Fatalf("first use: %d %s", first, firstBody)
	}
	// same request, keys of the input in another order: a replay
	status, body := post(t, base+useURL(fx.active), fx.client.auth, "order-1", `{"input_data":{"b":[2],"a":1}}`)
	if status != 200 || body != "replayed:"+firstBody {
		t.Fatalf("replay: %d %s\nwant the first body %s", status, body, firstBody)
	}
	if got := balance(t, app, fx.client.id); got != fixturePoints-activeCost {
		t.Fatalf("balance %d after a replay", got)
	}
	for name, req := range map[string]struct{ tool, body string }{
		"other input": {fx.active, `{"input_data":{"a":2}}`},
		"other tool":  {fx.other, `{"input_data":{"a":1,"b":[2]}}`},
	} {
		if status, body := post(t, base+useURL(req.tool), fx.client.auth, "order-1", req.body); status != 422 {
			t.Errorf("%s under the same key: %d %s", name, status, body)
		}
	}
	// the same key from another user is another request
	if status, body := post(t, base+useURL(fx.active), fx.client2.auth, "order-1", `{"input_data":{"a":1,"b":[2]}}`); status != 200 || strings.HasPrefix(body, "replayed:") {
		t.Errorf("other user's key: %d %s", status, body)
	}
	// a key older than the window is forgotten
	if _, err := app.DB().NewQuery("UPDATE tool_usage SET created_at = '2000-01-01 00:00:00.000Z' WHERE user = {:u}").
		Bind(dbx.Params{"u": fx.client.id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if status, body := post(t, base+useURL(fx.active), fx.client.auth, "order-1", `{"input_data":{"x":1}}`); status != 200 || strings.HasPrefix(body, "replayed:") {
		t.Fatalf("expired key: %d %s", status, body)
	}
	if got := balance(t, app, fx.client.id); got != fixturePoints-2*activeCost {
		t.Fatalf("balance %d after a use under an expired key", got)
	}
	mustVerify(t, app)
}

func TestUseConcurrentSameKeyChargesOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	const n = 20
	var wg sync.WaitGroup
	statuses := make([]int, n)
	bodies := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], bodies[i] = post(t, base+useURL(fx.active), fx.client.auth, "same", `{"input_data":{"q":"x"}}`)
		}()
	}
	wg.Wait()
	replays := 0
	for i := range n {
		if statuses[i] != 200 {
			t.Errorf("request %d: %d %s", i, statuses[i], bodies[i])
		}
		if strings.HasPrefix(bodies[i], "replayed:") {
			replays++
		}
	}
	if replays != n-1 {
		t.Errorf("%d replays, want %d", replays, n-1)
	}
	if got := count(t, app, c.ToolUsage, nil); got != 1 {
		t.Errorf("%d usage rows, want 1", got)
	}
	if got := balance(t, app, fx.client.id); got != fixturePoints-activeCost {
		t.Errorf("balance %d, want one charge", got)
	}
	mustVerify(t, app)
}

// TestUseConcurrentHalfAffordable: 200 concurrent uses by 10 clients who can
// each afford exactly half of their 20: exactly 100 succeed, 100 get the
// insufficient-points 400, nothing else, and every balance ends at 0.
func TestUseConcurrentHalfAffordable(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	const clients, perClient = 10, 20
	auths := make([]string, clients)
	ids := make([]string, clients)
	for i := range clients {
		u, err := createUser(app, fmt.Sprintf("racer%d", i), c.RoleClient, activeCost*perClient/2)
		if err != nil {
			t.Fatal(err)
		}
		ids[i], auths[i] = u.Id, authOf(t, u)
	}
	type outcome struct {
		status int
		body   string
	}
	results := make(chan outcome, clients*perClient)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range clients {
		for range perClient {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				status, body := post(t, base+useURL(fx.active), auths[i], "", `{"input_data":{}}`)
				results <- outcome{status, body}
			}()
		}
	}
	close(start)
	wg.Wait()
	close(results)
	byStatus := map[int]int{}
	for r := range results {
		byStatus[r.status]++
		if strings.Contains(strings.ToLower(r.body), "locked") {
			t.Errorf("database lock surfaced: %s", r.body)
		}
		if r.status == 400 && !strings.Contains(r.body, `"Insufficient points"`) {
			t.Errorf("unexpected 400: %s", r.body)
		}
	}
	if byStatus[200] != 100 || byStatus[400] != 100 || len(byStatus) != 2 {
		t.Fatalf("statuses %v, want 100×200 and 100×400", byStatus)
	}
	for _, id := range ids {
		if got := balance(t, app, id); got != 0 {
			t.Errorf("user %s balance %d, want 0", id, got)
		}
	}
	tool, _ := app.FindRecordById(c.Tools, fx.active)
	if got := c.AsTool(tool).TotalUses(); got != 100 {
		t.Errorf("total_uses %d", got)
	}
	mustVerify(t, app)
}

// A successful use is kept out of PocketBase's request log unless
// TOOLBASE_LOG_USES asks for it (it is in tool_usage and the ledger); a
// refused use is logged either way.
func TestUseRequestLog(t *testing.T) {
	t.Parallel()
	for _, logUses := range []bool{false, true} {
		t.Run(fmt.Sprintf("LogUses=%v", logUses), func(t *testing.T) {
			t.Parallel()
			app, _ := newTestBase(t, func(cfg *Config) { cfg.LogUses = logUses })
			app.Settings().Logs.MaxDays = 1
			base := serve(t, app)
			if s, b := post(t, base+useURL(fx.active), fx.client.auth, "", `{"input_data":{}}`); s != 200 {
				t.Fatalf("use: %d %s", s, b)
			}
			if s, b := post(t, base+useURL("nosuchtool00000"), fx.client.auth, "", `{"input_data":{}}`); s != 404 {
				t.Fatalf("use of no tool: %d %s", s, b)
			}
			// logged after both uses, in order: once it is there, so are they
			if s, _ := get(t, base+"/api/tools/tools/", fx.client.auth); s != 200 {
				t.Fatalf("tool list: %d", s)
			}
			logged := func(url string) bool {
				var n int
				if err := app.AuxDB().Select("COUNT(*)").From("_logs").
					Where(dbx.Like("data", `"url":"`+url+`"`).Match(true, true)).Row(&n); err != nil {
					t.Fatal(err)
				}
				return n > 0
			}
			deadline := time.Now().Add(15 * time.Second)
			for !logged("/api/tools/tools/") {
				if time.Now().After(deadline) {
					t.Fatal("the request log was not written within 15 s")
				}
				time.Sleep(100 * time.Millisecond)
			}
			if !logged(useURL("nosuchtool00000")) {
				t.Error("a refused use is missing from the request log")
			}
			if got := logged(useURL(fx.active)); got != logUses {
				t.Errorf("the successful use logged: %v, want %v", got, logUses)
			}
		})
	}
}
