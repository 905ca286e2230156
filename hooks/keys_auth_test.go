package hooks

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

const keysURL = "/api/tools/api-keys/"

func keyURL(id string) string { return keysURL + id + "/" }

var secretPattern = regexp.MustCompile(`^tk_[A-Za-z0-9_-]{43}$`)

// testKey is a key inserted by a test, with its one-time secret.
type testKey struct{ id, secret string }

// insertKey saves a key of owner (scoped to tool unless "") as the create
// route does; edit may change the record before it is saved.
func insertKey(t testing.TB, app core.App, owner, tool string, edit func(*core.Record)) testKey {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(c.ToolAPIKeys)
	if err != nil {
		t.Fatal(err)
	}
	secret, hash, prefix, err := newSecret()
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Set(c.APIKeyUser, owner)
	r.Set(c.APIKeyTool, tool)
	r.Set(c.APIKeyName, "test key")
	r.Set(c.APIKeyHash, hash)
	r.Set(c.APIKeyPrefix, prefix)
	r.Set(c.APIKeyIsActive, true)
	r.Set(c.APIKeyDailyLimit, c.DefaultDailyLimit)
	r.Set(c.APIKeyMonthlyLimit, c.DefaultMonthlyLimit)
	if edit != nil {
		edit(r)
	}
	if err := ledger.SaveSystem(app, r); err != nil {
		t.Fatal(err)
	}
	return testKey{id: r.Id, secret: secret}
}

// call sends a request with headers and an optional JSON body.
func call(t testing.TB, method, url string, headers map[string]string, body string) (int, string, http.Header) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func apiKeyHeader(secret string) map[string]string { return map[string]string{"X-API-Key": secret} }
func authzKeyHeader(secret string) map[string]string {
	return map[string]string{"Authorization": "Api-Key " + secret}
}
func bearer(u fixtureUser) map[string]string { return map[string]string{"Authorization": u.auth} }

// keyRecord reads a key straight from the database.
func keyRecord(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	r, err := app.FindRecordById(c.ToolAPIKeys, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func decode(t testing.TB, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	return m
}

// ---------------------------------------------------------------------------

func TestKeySecretFormatAndHash(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		secret, hash, prefix, err := newSecret()
		if err != nil {
			t.Fatal(err)
		}
		if !secretPattern.MatchString(secret) || !wellFormed(secret) {
			t.Fatalf("secret %q is not tk_ + 43 URL-safe base64 characters", secret)
		}
		if seen[secret] {
			t.Fatal("a secret repeated")
		}
		seen[secret] = true
		if len(hash) != 64 || hash != hashSecret(secret) || strings.Contains(hash, secret[3:]) {
			t.Fatalf("hash %q", hash)
		}
		if prefix != secret[:11] || masked(prefix) != prefix+"…" {
			t.Fatalf("prefix %q of %q", prefix, secret)
		}
	}
	for _, bad := range []string{"", "tk_", "tk_short", "xx_" + strings.Repeat("a", 43), "tk_" + strings.Repeat("*", 43), "tk_" + strings.Repeat("a", 44)} {
		if wellFormed(bad) {
			t.Errorf("%q accepted as a secret", bad)
		}
	}
}

// TestKeySecretNotStored uses a key through both APIs with request logs on,
// stops the server and closes the app, and then finds the secret's bytes in
// no file of the data directory.
func TestKeySecretNotStored(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Settings().Logs.MaxDays = 1
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.OnServe().Trigger(&core.ServeEvent{App: app, Router: r}, func(*core.ServeEvent) error { return nil }); err != nil {
		t.Fatal(err)
	}
	mux, err := r.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	base := srv.URL

	status, body, _ := call(t, http.MethodPost, base+keysURL, bearer(fx.client), `{"key_name":"logged"}`)
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	secret := decode(t, body)["api_key"].(string)
	id := decode(t, body)["id"].(string)
	requests := 1
	for _, h := range []map[string]string{apiKeyHeader(secret), authzKeyHeader(secret)} {
		for _, r := range []struct{ method, url, body string }{
			{http.MethodPost, useURL(fx.active), `{"input_data":{"q":1}}`},
			{http.MethodGet, keysURL, ""},
			{http.MethodPost, keysURL, `{"key_name":"refused"}`}, // 403
			{http.MethodGet, "/api/collections/tool_usage/records", ""},
			{http.MethodPost, "/api/collections/users/auth-refresh", ""}, // 403
		} {
			if s, _, _ := call(t, r.method, base+r.url, h, r.body); s != 200 || r.url != useURL(fx.active) {
				requests++ // a successful use is not request-logged (Config.LogUses)
			}
		}
	}
	status, body, _ = call(t, http.MethodPost, base+keyURL(id)+"regenerate/", bearer(fx.client), `{"grace_seconds":60}`)
	if status != 200 {
		t.Fatalf("regenerate: %d %s", status, body)
	}
	second := decode(t, body)["api_key"].(string)
	call(t, http.MethodGet, base+keysURL, apiKeyHeader(second), "")
	call(t, http.MethodGet, base+keysURL, apiKeyHeader(secret), "") // in grace
	requests += 3

	// the request logs are written in batches: wait until they all are
	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		if err := app.AuxDB().Select("COUNT(*)").From("_logs").Row(&n); err != nil {
			t.Fatal(err)
		}
		if n >= requests {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d request logs after 15 s, want %d", n, requests)
		}
		time.Sleep(100 * time.Millisecond)
	}
	srv.Close()
	if err := app.ClearBootstrap(); err != nil {
		t.Fatal(err)
	}

	var files int
	err = filepath.WalkDir(app.DataDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, s := range []string{secret, second} {
			// the part after the displayable prefix is the secret part
			if bytes.Contains(raw, []byte(s[11:])) {
				t.Errorf("the secret %s… is stored in %s", s[:11], path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Fatalf("scanned %d files", files)
	}
}

func TestKeyAuthentication(t *testing.T) {
	t.Parallel()
	headers := map[string]string{}
	keyed := func(secret func(app core.App) string, h func(string) map[string]string) func(t testing.TB) *tests.TestApp {
		return func(t testing.TB) *tests.TestApp {
			app := newTestApp(t)
			clear(headers)
			for k, v := range h(secret(app)) {
				headers[k] = v
			}
			return app
		}
	}
	clientKey := func(edit func(*core.Record)) func(app core.App) string {
		return func(app core.App) string { return insertKey(t, app, fx.client.id, "", edit).secret }
	}
	deletedKey := func(app core.App) string {
		k := insertKey(t, app, fx.client.id, "", nil)
		if err := app.Delete(keyRecord(t, app, k.id)); err != nil {
			t.Fatal(err)
		}
		return k.secret
	}
	wrongSecret := func(app core.App) string {
		k := insertKey(t, app, fx.client.id, "", nil)
		return k.secret[:len(k.secret)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(k.secret, "A")]
	}
	invalidDRF := []string{`{"detail":"Invalid API key."}`}
	invalidPB := []string{`"message":"Invalid API key."`, `"status":401`}
	lowerScheme := func(s string) map[string]string { return map[string]string{"Authorization": "api-key " + s} }
	withBearer := func(s string) map[string]string {
		return map[string]string{"Authorization": fx.client.auth, "X-API-Key": s}
	}

	scenarios := []tests.ApiScenario{
		{
			Name: "X-API-Key on the DRF API", Method: http.MethodGet, URL: keysURL, Headers: headers,
			ExpectedStatus: 200, ExpectedContent: []string{`"count":1`, `"user":"` + fx.client.id + `"`},
			TestAppFactory: keyed(clientKey(nil), apiKeyHeader),
		},
		{
			Name: "Authorization: Api-Key on the DRF API", Method: http.MethodGet, URL: keysURL, Headers: headers,
			ExpectedStatus: 200, ExpectedContent: []string{`"count":1`, `"user":"` + fx.client.id + `"`},
			TestAppFactory: keyed(clientKey(nil), authzKeyHeader),
		},
		{
			Name: "the scheme is case-insensitive", Method: http.MethodGet, URL: keysURL, Headers: headers,
			ExpectedStatus: 200, ExpectedContent: []string{`"count":1`},
			TestAppFactory: keyed(clientKey(nil), lowerScheme),
		},
		{
			Name: "X-API-Key on the records API", Method: http.MethodGet, URL: "/api/collections/tool_api_keys/records", Headers: headers,
			ExpectedStatus: 200, ExpectedContent: []string{`"totalItems":1`, `"user":"` + fx.client.id + `"`},
			TestAppFactory: keyed(clientKey(nil), apiKeyHeader),
		},
		{
			Name: "Authorization: Api-Key on the records API, with the owner's rules", Method: http.MethodGet,
			URL: "/api/collections/users/records", Headers: headers,
			ExpectedStatus: 200, ExpectedContent: []string{`"totalItems":1`, `"id":"` + fx.client.id + `"`},
			TestAppFactory: keyed(clientKey(nil), authzKeyHeader),
		},
		{
			Name: "an unknown key is 401 on the DRF API", Method: http.MethodGet, URL: keysURL, Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidDRF,
			TestAppFactory: keyed(wrongSecret, apiKeyHeader),
		},
		{
			Name: "an unknown key is 401 on the records API", Method: http.MethodGet, URL: "/api/collections/tools/records", Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidPB,
			TestAppFactory: keyed(wrongSecret, authzKeyHeader),
		},
		{
			Name: "a malformed key is 401", Method: http.MethodPost, URL: useURL(fx.active), Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidDRF,
			TestAppFactory: keyed(func(core.App) string { return "tk_nope" }, apiKeyHeader),
			AfterTestFunc:  func(t testing.TB, app *tests.TestApp, _ *http.Response) { nothingWritten(t, app) },
		},
		{
			Name: "an inactive key is 401", Method: http.MethodPost, URL: useURL(fx.active), Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidDRF,
			TestAppFactory: keyed(clientKey(func(r *core.Record) { r.Set(c.APIKeyIsActive, false) }), apiKeyHeader),
			AfterTestFunc:  func(t testing.TB, app *tests.TestApp, _ *http.Response) { nothingWritten(t, app) },
		},
		{
			Name: "an inactive key is 401 on the records API", Method: http.MethodGet, URL: "/api/collections/tools/records", Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidPB,
			TestAppFactory: keyed(clientKey(func(r *core.Record) { r.Set(c.APIKeyIsActive, false) }), apiKeyHeader),
		},
		{
			Name: "an expired key is 401", Method: http.MethodPost, URL: useURL(fx.active), Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidDRF,
			TestAppFactory: keyed(clientKey(func(r *core.Record) { r.Set(c.APIKeyExpiresAt, time.Now().Add(-time.Second).UTC()) }), apiKeyHeader),
			AfterTestFunc:  func(t testing.TB, app *tests.TestApp, _ *http.Response) { nothingWritten(t, app) },
		},
		{
			Name: "a key that expires later works", Method: http.MethodGet, URL: keysURL, Headers: headers,
			ExpectedStatus: 200, ExpectedContent: []string{`"count":1`},
			TestAppFactory: keyed(clientKey(func(r *core.Record) { r.Set(c.APIKeyExpiresAt, time.Now().Add(time.Hour).UTC()) }), apiKeyHeader),
		},
		{
			Name: "a deleted key is 401", Method: http.MethodGet, URL: keysURL, Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidDRF,
			TestAppFactory: keyed(deletedKey, authzKeyHeader),
		},
		{
			Name: "a key and a bearer token together are 400", Method: http.MethodGet, URL: keysURL, Headers: headers,
			ExpectedStatus: 400, ExpectedContent: []string{`"detail":"Send one credential`},
			TestAppFactory: keyed(clientKey(nil), withBearer),
		},
		{
			Name: "a key does not mint a token (auth-refresh is 403)", Method: http.MethodPost,
			URL: "/api/collections/users/auth-refresh", Headers: headers,
			ExpectedStatus: 403, ExpectedContent: []string{`"message":"API keys cannot be used for this request; authenticate with a token."`},
			NotExpectedContent: []string{`"token"`},
			TestAppFactory:     keyed(clientKey(nil), apiKeyHeader),
		},
		{
			Name: "a key opens no realtime subscription", Method: http.MethodPost, URL: "/api/realtime", Headers: headers,
			Body:           strings.NewReader(`{"clientId":"x","subscriptions":["tools"]}`),
			ExpectedStatus: 403, ExpectedContent: []string{`"status":403`},
			TestAppFactory: keyed(clientKey(nil), apiKeyHeader),
		},
		{
			Name: "a key does not use the batch API", Method: http.MethodPost, URL: "/api/batch", Headers: headers,
			Body:           strings.NewReader(`{"requests":[]}`),
			ExpectedStatus: 403, ExpectedContent: []string{`"status":403`},
			TestAppFactory: keyed(clientKey(nil), apiKeyHeader),
		},
		{
			Name: "a key does not create keys", Method: http.MethodPost, URL: keysURL, Headers: headers,
			Body:           strings.NewReader(`{"key_name":"child"}`),
			ExpectedStatus: 403, ExpectedContent: []string{`{"detail":"An API key cannot manage API keys; authenticate with a token."}`},
			TestAppFactory: keyed(clientKey(nil), apiKeyHeader),
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := count(t, app, c.ToolAPIKeys, nil); n != 1 {
					t.Errorf("%d keys", n)
				}
			},
		},
		{
			Name: "the key's owner is the caller of a use", Method: http.MethodPost, URL: useURL(fx.active), Headers: headers,
			Body:           strings.NewReader(`{"input_data":{"via":"key"}}`),
			ExpectedStatus: 200, ExpectedContent: []string{`"user":"` + fx.client.id + `"`, `"points_spent":10`, `"remaining_points":990`, `"api_key":"`},
			TestAppFactory: keyed(clientKey(nil), authzKeyHeader),
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				key, err := app.FindFirstRecordByData(c.ToolAPIKeys, c.APIKeyUser, fx.client.id)
				if err != nil {
					t.Fatal(err)
				}
				if n := count(t, app, c.ToolUsage, dbx.HashExp{c.UsageAPIKey: key.Id, c.UsageUser: fx.client.id}); n != 1 {
					t.Errorf("%d usage rows record the key", n)
				}
				if got := balance(t, app, fx.client.id); got != fixturePoints-activeCost {
					t.Errorf("owner balance %d", got)
				}
				if key.GetInt64(c.APIKeyDailyUsage) != 1 || key.GetInt64(c.APIKeyMonthlyUsage) != 1 {
					t.Errorf("usage counters %d/%d", key.GetInt64(c.APIKeyDailyUsage), key.GetInt64(c.APIKeyMonthlyUsage))
				}
				mustVerify(t, app)
			},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// The PATCH scenario above needs the key id in its URL: this checks the same
// through a server, and that a keyed DELETE of a key is refused too.
func TestKeyCannotManageKeysThroughRecordsAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", nil)
	url := base + "/api/collections/tool_api_keys/records/" + k.id
	for _, m := range []string{http.MethodPatch, http.MethodDelete} {
		status, body, _ := call(t, m, url, apiKeyHeader(k.secret), `{"daily_limit":99999}`)
		if status != 403 {
			t.Errorf("%s through the key: %d %s", m, status, body)
		}
	}
	for _, route := range []struct{ method, url, body string }{
		{http.MethodPatch, keyURL(k.id), `{"daily_limit":99999}`},
		{http.MethodPut, keyURL(k.id), `{"key_name":"x"}`},
		{http.MethodDelete, keyURL(k.id), ""},
		{http.MethodPost, keyURL(k.id) + "regenerate/", ""},
	} {
		status, body, _ := call(t, route.method, base+route.url, apiKeyHeader(k.secret), route.body)
		if status != 403 || !strings.Contains(body, "cannot manage API keys") {
			t.Errorf("%s %s through the key: %d %s", route.method, route.url, status, body)
		}
	}
	if r := keyRecord(t, app, k.id); r.GetInt64(c.APIKeyDailyLimit) != c.DefaultDailyLimit {
		t.Error("the key changed its own limit")
	}
}

func TestKeyScope(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	// usage of two tools by the client, and of the creator's tool by client2
	for _, u := range []struct {
		user fixtureUser
		tool string
	}{{fx.client, fx.other}, {fx.client, fx.active}, {fx.client2, fx.active}} {
		if s, b := post(t, base+useURL(u.tool), u.user.auth, "", `{"input_data":{}}`); s != 200 {
			t.Fatalf("setup use: %d %s", s, b)
		}
	}
	var usageOf = map[string]string{} // tool → a usage id of the client
	var records []*core.Record
	if err := app.RecordQuery(c.ToolUsage).AndWhere(dbx.HashExp{c.UsageUser: fx.client.id}).All(&records); err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		usageOf[r.GetString(c.UsageTool)] = r.Id
	}

	scoped := insertKey(t, app, fx.client.id, fx.other, nil)
	toolsCol, err := app.FindCollectionByNameOrId(c.Tools)
	if err != nil {
		t.Fatal(err)
	}
	toolsID := toolsCol.Id
	h := apiKeyHeader(scoped.secret)
	outOfScope := `{"detail":"This API key is scoped to one tool; it cannot be used for this request."}`
	cases := []struct {
		name, method, url, body string
		status                  int
		contains                []string
		absent                  []string
	}{
		{"use the tool", http.MethodPost, useURL(fx.other), `{"input_data":{}}`, 200, []string{`"points_spent":5`, `"api_key":"` + scoped.id + `"`}, nil},
		{"use another tool", http.MethodPost, useURL(fx.active), `{"input_data":{}}`, 403, []string{outOfScope}, nil},
		{"list keys", http.MethodGet, keysURL, "", 403, []string{outOfScope}, nil},
		{"ledger", http.MethodGet, "/api/users/users/me/transactions/", "", 403, []string{outOfScope}, nil},
		{"create a key", http.MethodPost, keysURL, `{"key_name":"x"}`, 403, []string{outOfScope}, nil},
		{"records: the tool", http.MethodGet, "/api/collections/tools/records", "", 200, []string{`"totalItems":1`, `"id":"` + fx.other + `"`}, []string{fx.active}},
		{"records: the tool by id", http.MethodGet, "/api/collections/tools/records/" + fx.other, "", 200, []string{`"id":"` + fx.other + `"`}, nil},
		{"records: the tool by collection id", http.MethodGet, "/api/collections/" + toolsID + "/records", "", 200, []string{`"totalItems":1`}, nil},
		{"records: another tool", http.MethodGet, "/api/collections/tools/records/" + fx.active, "", 403, []string{`"status":403`}, nil},
		{"records: usage of the tool only", http.MethodGet, "/api/collections/tool_usage/records", "", 200, []string{`"totalItems":2`, `"tool":"` + fx.other + `"`}, []string{`"tool":"` + fx.active + `"`}},
		{"records: a filter cannot widen it", http.MethodGet, "/api/collections/tool_usage/records?filter=" + url.QueryEscape(`tool = "`+fx.active+`" || id != ""`), "", 200, []string{`"totalItems":2`}, []string{`"tool":"` + fx.active + `"`}},
		{"records: usage of the tool by id", http.MethodGet, "/api/collections/tool_usage/records/" + usageOf[fx.other], "", 200, []string{`"id":"` + usageOf[fx.other] + `"`}, nil},
		{"records: usage of another tool", http.MethodGet, "/api/collections/tool_usage/records/" + usageOf[fx.active], "", 403, []string{`"status":403`}, nil},
		{"records: a filter through the owner", http.MethodGet, "/api/collections/tool_usage/records?filter=" + url.QueryEscape(`user.points_balance > 0`), "", 400, nil, nil},
		{"records: a filter on another collection", http.MethodGet, "/api/collections/tool_usage/records?filter=" + url.QueryEscape(`@collection.point_transactions.amount < 0`), "", 403, nil, nil},
		{"records: a sort through the owner", http.MethodGet, "/api/collections/tool_usage/records?sort=user.email", "", 400, nil, nil},
		{"records: expand", http.MethodGet, "/api/collections/tool_usage/records?expand=user", "", 403, nil, nil},
		{"records: own user", http.MethodGet, "/api/collections/users/records/" + fx.client.id, "", 403, nil, nil},
		{"records: ledger", http.MethodGet, "/api/collections/point_transactions/records", "", 403, nil, nil},
		{"records: keys", http.MethodGet, "/api/collections/tool_api_keys/records", "", 403, nil, nil},
		{"records: a write", http.MethodPatch, "/api/collections/users/records/" + fx.client.id, `{"first_name":"x"}`, 403, nil, nil},
		{"records: a create", http.MethodPost, "/api/collections/tool_feedback/records", `{"tool":"` + fx.other + `","rating":5}`, 403, nil, nil},
		{"realtime", http.MethodPost, "/api/realtime", `{"clientId":"x","subscriptions":["tool_usage"]}`, 403, nil, nil},
	}
	for _, tc := range cases {
		status, body, _ := call(t, tc.method, base+tc.url, h, tc.body)
		if status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.status)
			continue
		}
		for _, s := range tc.contains {
			if !strings.Contains(body, s) {
				t.Errorf("%s: %s lacks %s", tc.name, body, s)
			}
		}
		for _, s := range tc.absent {
			if strings.Contains(body, s) {
				t.Errorf("%s: %s has %s", tc.name, body, s)
			}
		}
	}

	// the scope a creator gives a key: own tools in any status; it reads all
	// usage of that tool, and none of its other tools
	creatorKey := insertKey(t, app, fx.creator.id, fx.active, nil)
	status, body, _ := call(t, http.MethodGet, base+"/api/collections/tool_usage/records", apiKeyHeader(creatorKey.secret), "")
	if status != 200 || !strings.Contains(body, `"totalItems":2`) || strings.Contains(body, fx.other) {
		t.Errorf("creator's scoped key reads usage: %d %s", status, body)
	}
	// DRF lists select through the narrowed rules
	e := scopedEvent(t, app, fx.creator.id, fx.active)
	q, err := listQuery(e, c.ToolUsage)
	if err != nil {
		t.Fatal(err)
	}
	var seen []*core.Record
	if err := q.All(&seen); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 {
		t.Errorf("listQuery through a scoped key: %d usage rows, want 2", len(seen))
	}
	for _, r := range seen {
		if r.GetString(c.UsageTool) != fx.active {
			t.Errorf("listQuery through a scoped key shows usage of %s", r.GetString(c.UsageTool))
		}
	}
	if _, err := findVisible(e, c.Tools, fx.draft); err != errNotFound {
		t.Errorf("findVisible of another own tool through a scoped key: %v", err)
	}
	if _, err := findVisible(e, c.Tools, fx.active); err != nil {
		t.Errorf("findVisible of the scoped tool: %v", err)
	}
	if q, err := listQuery(e, c.PointTransactions); err != nil {
		t.Fatal(err)
	} else if err := q.All(&seen); err != nil || len(seen) != 0 {
		t.Errorf("listQuery of the ledger through a scoped key: %d rows, %v", len(seen), err)
	}
}

// scopedEvent is a request event of owner through a key scoped to tool, as
// the middleware leaves it for DRF handlers.
func scopedEvent(t testing.TB, app core.App, owner, tool string) *core.RequestEvent {
	t.Helper()
	u, err := app.FindRecordById(c.Users, owner)
	if err != nil {
		t.Fatal(err)
	}
	e := &core.RequestEvent{App: &scopedApp{App: app, tool: tool}, Auth: u}
	e.Request = httptest.NewRequest(http.MethodGet, "/api/tools/usage/", nil)
	e.Response = httptest.NewRecorder()
	return e
}

func TestKeyLastUsedThrottled(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	app, _ := newTestBase(t, func(cfg *Config) { cfg.Now = clock.now })
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", nil)
	lastUsed := func() string { return keyRecord(t, app, k.id).GetString(c.APIKeyLastUsed) }
	get := func() {
		if s, b, _ := call(t, http.MethodGet, base+keysURL, apiKeyHeader(k.secret), ""); s != 200 {
			t.Fatalf("%d %s", s, b)
		}
	}
	start := time.Now().UTC().Truncate(time.Second)
	clock.set(start)
	get()
	first := lastUsed()
	if first == "" {
		t.Fatal("last_used not set by the first request")
	}
	updated := keyRecord(t, app, k.id).GetString(c.FieldUpdatedAt)
	for i := 1; i <= 5; i++ {
		clock.set(start.Add(time.Duration(i) * 10 * time.Second))
		get()
		if got := lastUsed(); got != first {
			t.Fatalf("request %d within a minute wrote last_used %s (was %s)", i, got, first)
		}
	}
	clock.set(start.Add(61 * time.Second))
	get()
	if got := lastUsed(); got == first {
		t.Fatal("last_used not refreshed after a minute")
	}
	if keyRecord(t, app, k.id).GetString(c.FieldUpdatedAt) != updated {
		t.Error("last_used moved updated_at")
	}
	_, shown, _ := call(t, http.MethodGet, base+keyURL(k.id), bearer(fx.client), "")
	if !strings.Contains(shown, `"last_used":"`+start.Add(61*time.Second).Format("2006-01-02T15:04:05.000Z")+`"`) {
		t.Errorf("shown: %s", shown)
	}
}

// TestKeyLookupIsIndexed: the lookup by hash is one query on two indexes.
func TestKeyLookupIsIndexed(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var plan []struct {
		Detail string `db:"detail"`
	}
	err := app.DB().NewQuery("EXPLAIN QUERY PLAN SELECT * FROM tool_api_keys WHERE key_hash = {:h} OR previous_key_hash = {:h} LIMIT 1").
		Bind(dbx.Params{"h": hashSecret("tk_x")}).All(&plan)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, p := range plan {
		all = append(all, p.Detail)
	}
	text := strings.Join(all, "; ")
	if !strings.Contains(text, "idx_api_keys_hash") || !strings.Contains(text, "idx_api_keys_previous_hash") || strings.Contains(text, "SCAN tool_api_keys") {
		t.Errorf("query plan: %s", text)
	}
}

// TestKeyBeforeRateLimiter: the key middleware runs before PocketBase's rate
// limiter, which therefore counts a keyed request as its owner's (@auth).
func TestKeyBeforeRateLimiter(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Settings().RateLimits.Enabled = true
	app.Settings().RateLimits.Rules = []core.RateLimitRule{{Label: keysURL, Audience: core.RateLimitRuleAudienceAuth, Duration: 60, MaxRequests: 1}}
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", nil)
	if s, b, _ := call(t, http.MethodGet, base+keysURL, apiKeyHeader(k.secret), ""); s != 200 {
		t.Fatalf("first: %d %s", s, b)
	}
	if s, b, _ := call(t, http.MethodGet, base+keysURL, apiKeyHeader(k.secret), ""); s != 429 {
		t.Fatalf("second keyed request within the @auth limit: %d %s", s, b)
	}
	// a guest is not under the @auth rule (and is 401)
	if s, _, _ := call(t, http.MethodGet, base+keysURL, nil, ""); s != 401 {
		t.Fatalf("guest: %d", s)
	}
}
