package hooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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

// TestKeySecretShownOnce creates a key and reads it every way there is: the
// secret is in the create response and in no other.
func TestKeySecretShownOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	su := map[string]string{"Authorization": superuserAuth(t, app)}

	status, created, hdr := call(t, http.MethodPost, base+keysURL, bearer(fx.client), `{"key_name":"batch job","tool":null,"daily_limit":5}`)
	if status != 201 {
		t.Fatalf("create: %d %s", status, created)
	}
	if hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("create response is cacheable: %q", hdr.Get("Cache-Control"))
	}
	k := decode(t, created)
	secret, _ := k["api_key"].(string)
	if !secretPattern.MatchString(secret) {
		t.Fatalf("api_key %q is not a secret", secret)
	}
	id := k["id"].(string)
	for field, want := range map[string]any{
		"tool": nil, "tool_name": nil, "key_name": "batch job", "is_active": true, "daily_limit": 5.0, "monthly_limit": 30000.0,
		"daily_usage": 0.0, "monthly_usage": 0.0, "last_used": nil, "user": fx.client.id, "key_prefix": secret[:11],
	} {
		if k[field] != want {
			t.Errorf("created %s = %#v, want %#v", field, k[field], want)
		}
	}

	rec := keyRecord(t, app, id)
	if rec.GetString(c.APIKeyHash) != hashSecret(secret) {
		t.Error("the stored hash is not SHA-256 of the secret")
	}
	used, _, _ := call(t, http.MethodPost, base+useURL(fx.active), apiKeyHeader(secret), `{"input_data":{}}`)
	if used != 200 {
		t.Fatalf("the new key does not work: %d", used)
	}

	reads := []struct {
		name, method, url string
		headers           map[string]string
		body              string
	}{
		{"seed list", http.MethodGet, keysURL, bearer(fx.client), ""},
		{"seed detail", http.MethodGet, keyURL(id), bearer(fx.client), ""},
		{"seed detail via the key", http.MethodGet, keyURL(id), apiKeyHeader(secret), ""},
		{"seed PATCH", http.MethodPatch, keyURL(id), bearer(fx.client), `{"key_name":"renamed"}`},
		{"seed admin list", http.MethodGet, keysURL, bearer(fx.admin), ""},
		{"records list", http.MethodGet, "/api/collections/tool_api_keys/records", bearer(fx.client), ""},
		{"records view", http.MethodGet, "/api/collections/tool_api_keys/records/" + id, bearer(fx.client), ""},
		{"records list as superuser", http.MethodGet, "/api/collections/tool_api_keys/records", su, ""},
		{"records view as superuser", http.MethodGet, "/api/collections/tool_api_keys/records/" + id, su, ""},
		{"records PATCH as superuser", http.MethodPatch, "/api/collections/tool_api_keys/records/" + id, su, `{"key_name":"by root"}`},
		{"usage list", http.MethodGet, "/api/collections/tool_usage/records?expand=api_key", bearer(fx.client), ""},
	}
	hash := rec.GetString(c.APIKeyHash)
	for _, r := range reads {
		status, body, _ := call(t, r.method, base+r.url, r.headers, r.body)
		if status != 200 {
			t.Errorf("%s: %d %s", r.name, status, body)
		}
		if strings.Contains(body, secret) || strings.Contains(body, secret[11:]) {
			t.Errorf("%s shows the secret: %s", r.name, body)
		}
		if strings.Contains(body, hash) || strings.Contains(body, c.APIKeyHash) || strings.Contains(body, c.APIKeyPreviousHash) {
			t.Errorf("%s shows the hash: %s", r.name, body)
		}
		if strings.HasPrefix(r.name, "seed") && !strings.Contains(body, `"api_key":"`+secret[:11]+`…"`) {
			t.Errorf("%s: no masked api_key in %s", r.name, body)
		}
		if strings.HasPrefix(r.name, "records") && !strings.Contains(body, `"key_prefix":"`+secret[:11]+`"`) {
			t.Errorf("%s: no key_prefix in %s", r.name, body)
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
			call(t, r.method, base+r.url, h, r.body)
			requests++
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
	invalidSeed := []string{`{"detail":"Invalid API key."}`}
	invalidPB := []string{`"message":"Invalid API key."`, `"status":401`}
	lowerScheme := func(s string) map[string]string { return map[string]string{"Authorization": "api-key " + s} }
	withBearer := func(s string) map[string]string {
		return map[string]string{"Authorization": fx.client.auth, "X-API-Key": s}
	}

	scenarios := []tests.ApiScenario{
		{
			Name: "X-API-Key on the seed API", Method: http.MethodGet, URL: keysURL, Headers: headers,
			ExpectedStatus: 200, ExpectedContent: []string{`"count":1`, `"user":"` + fx.client.id + `"`},
			TestAppFactory: keyed(clientKey(nil), apiKeyHeader),
		},
		{
			Name: "Authorization: Api-Key on the seed API", Method: http.MethodGet, URL: keysURL, Headers: headers,
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
			Name: "an unknown key is 401 on the seed API", Method: http.MethodGet, URL: keysURL, Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidSeed,
			TestAppFactory: keyed(wrongSecret, apiKeyHeader),
		},
		{
			Name: "an unknown key is 401 on the records API", Method: http.MethodGet, URL: "/api/collections/tools/records", Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidPB,
			TestAppFactory: keyed(wrongSecret, authzKeyHeader),
		},
		{
			Name: "a malformed key is 401", Method: http.MethodPost, URL: useURL(fx.active), Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidSeed,
			TestAppFactory: keyed(func(core.App) string { return "tk_nope" }, apiKeyHeader),
			AfterTestFunc:  func(t testing.TB, app *tests.TestApp, _ *http.Response) { nothingWritten(t, app) },
		},
		{
			Name: "an inactive key is 401", Method: http.MethodPost, URL: useURL(fx.active), Headers: headers,
			ExpectedStatus: 401, ExpectedContent: invalidSeed,
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
			ExpectedStatus: 401, ExpectedContent: invalidSeed,
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
			ExpectedStatus: 401, ExpectedContent: invalidSeed,
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

// TestKeyQuotaConcurrent: 30 parallel uses through a key limited to 10 a
// day (then 10 a month): exactly 10 pass, 20 are 429 and cost nothing.
func TestKeyQuotaConcurrent(t *testing.T) {
	t.Parallel()
	for _, limit := range []string{c.APIKeyDailyLimit, c.APIKeyMonthlyLimit} {
		t.Run(limit, func(t *testing.T) {
			app := newTestApp(t)
			base := serve(t, app)
			k := insertKey(t, app, fx.client.id, "", func(r *core.Record) { r.Set(limit, 10) })
			var wg sync.WaitGroup
			var mu sync.Mutex
			statuses := map[int]int{}
			var tooMany string
			for i := range 30 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h := apiKeyHeader(k.secret)
					if i%2 == 1 {
						h = authzKeyHeader(k.secret)
					}
					status, body, hdr := call(t, http.MethodPost, base+useURL(fx.active), h, `{"input_data":{}}`)
					mu.Lock()
					defer mu.Unlock()
					statuses[status]++
					if status == 429 {
						tooMany = body
						if hdr.Get("Retry-After") == "" {
							t.Error("429 without Retry-After")
						}
					}
				}()
			}
			wg.Wait()
			if statuses[200] != 10 || statuses[429] != 20 {
				t.Fatalf("statuses %v, want 10×200 and 20×429", statuses)
			}
			if !strings.Contains(tooMany, `"detail":"`) || !strings.Contains(tooMany, "limit of this API key reached: 10 uses per UTC") {
				t.Errorf("429 body %s", tooMany)
			}
			if got := balance(t, app, fx.client.id); got != fixturePoints-10*activeCost {
				t.Errorf("balance %d, want %d", got, fixturePoints-10*activeCost)
			}
			if n := count(t, app, c.ToolUsage, dbx.HashExp{c.UsageAPIKey: k.id}); n != 10 {
				t.Errorf("%d usage rows", n)
			}
			r := keyRecord(t, app, k.id)
			if r.GetInt64(c.APIKeyDailyUsage) != 10 || r.GetInt64(c.APIKeyMonthlyUsage) != 10 {
				t.Errorf("counters %d/%d, want 10/10", r.GetInt64(c.APIKeyDailyUsage), r.GetInt64(c.APIKeyMonthlyUsage))
			}
			mustVerify(t, app)
		})
	}
}

// TestKeyQuotaPeriods walks the clock across a UTC day and a UTC month.
func TestKeyQuotaPeriods(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	app, _ := newTestBase(t, func(cfg *Config) { cfg.Now = clock.now })
	base := serve(t, app)
	use := func(k testKey) (int, string, http.Header) {
		return call(t, http.MethodPost, base+useURL(fx.other), apiKeyHeader(k.secret), `{"input_data":{}}`)
	}
	counters := func(k testKey) string {
		r := keyRecord(t, app, k.id)
		return fmt.Sprintf("%d/%d %s %s", r.GetInt64(c.APIKeyDailyUsage), r.GetInt64(c.APIKeyMonthlyUsage), r.GetString(c.APIKeyUsageDay), r.GetString(c.APIKeyUsageMonth))
	}

	clock.set(time.Date(2031, 1, 31, 23, 59, 58, 0, time.UTC))
	daily := insertKey(t, app, fx.client.id, "", func(r *core.Record) { r.Set(c.APIKeyDailyLimit, 2) })
	for i := range 2 {
		if s, b, _ := use(daily); s != 200 {
			t.Fatalf("use %d: %d %s", i, s, b)
		}
	}
	s, b, h := use(daily)
	if s != 429 || !strings.Contains(b, "Daily limit of this API key reached: 2 uses per UTC day.") || h.Get("Retry-After") != "2" {
		t.Fatalf("third use of the day: %d %s Retry-After %q", s, b, h.Get("Retry-After"))
	}
	if got := counters(daily); got != "2/2 2031-01-31 2031-01" {
		t.Fatalf("counters %s", got)
	}
	// the shown usage belongs to the day: stale counters show 0
	clock.set(time.Date(2031, 2, 1, 0, 0, 0, 0, time.UTC))
	_, shown, _ := call(t, http.MethodGet, base+keyURL(daily.id), bearer(fx.client), "")
	if !strings.Contains(shown, `"daily_usage":0`) || !strings.Contains(shown, `"monthly_usage":0`) {
		t.Errorf("a new day and month show %s", shown)
	}
	if s, b, _ := use(daily); s != 200 {
		t.Fatalf("first use of the new day: %d %s", s, b)
	}
	if got := counters(daily); got != "1/1 2031-02-01 2031-02" {
		t.Fatalf("after midnight: counters %s", got)
	}

	monthly := insertKey(t, app, fx.client.id, "", func(r *core.Record) {
		r.Set(c.APIKeyDailyLimit, 100)
		r.Set(c.APIKeyMonthlyLimit, 3)
	})
	for day := 1; day <= 3; day++ {
		clock.set(time.Date(2031, 2, day, 12, 0, 0, 0, time.UTC))
		if s, b, _ := use(monthly); s != 200 {
			t.Fatalf("use on Feb %d: %d %s", day, s, b)
		}
	}
	clock.set(time.Date(2031, 2, 28, 23, 0, 0, 0, time.UTC))
	s, b, h = use(monthly)
	if s != 429 || !strings.Contains(b, "Monthly limit of this API key reached: 3 uses per UTC month.") || h.Get("Retry-After") != "3600" {
		t.Fatalf("fourth use of the month: %d %s Retry-After %q", s, b, h.Get("Retry-After"))
	}
	clock.set(time.Date(2031, 3, 1, 0, 0, 0, 0, time.UTC))
	if s, b, _ := use(monthly); s != 200 {
		t.Fatalf("first use of March: %d %s", s, b)
	}
	if got := counters(monthly); got != "1/1 2031-03-01 2031-03" {
		t.Fatalf("counters %s", got)
	}

	// a key with a limit of 0 uses nothing
	zero := insertKey(t, app, fx.client.id, "", func(r *core.Record) { r.Set(c.APIKeyDailyLimit, 0) })
	if s, b, _ := use(zero); s != 429 {
		t.Fatalf("limit 0: %d %s", s, b)
	}
	mustVerify(t, app)
}

func TestKeyQuotaCountsNothingRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", func(r *core.Record) { r.Set(c.APIKeyDailyLimit, 5) })
	h := apiKeyHeader(k.secret)
	// a replay is no new use
	h["Idempotency-Key"] = "once"
	for range 3 {
		if s, b, _ := call(t, http.MethodPost, base+useURL(fx.active), h, `{"input_data":{}}`); s != 200 {
			t.Fatalf("%d %s", s, b)
		}
	}
	delete(h, "Idempotency-Key")
	// not enough points: rolled back with the use
	if _, err := postAudited(app, actorInfo{}, ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindDeduct, Amount: -(fixturePoints - activeCost - 3)}); err != nil {
		t.Fatal(err)
	}
	if s, b, _ := call(t, http.MethodPost, base+useURL(fx.active), h, `{"input_data":{}}`); s != 400 {
		t.Fatalf("insufficient: %d %s", s, b)
	}
	// not usable, not visible
	call(t, http.MethodPost, base+useURL(fx.draft), h, `{}`)
	if r := keyRecord(t, app, k.id); r.GetInt64(c.APIKeyDailyUsage) != 1 {
		t.Errorf("daily_usage %d, want 1", r.GetInt64(c.APIKeyDailyUsage))
	}
	mustVerify(t, app)
}

func TestKeyRegenerate(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	app, _ := newTestBase(t, func(cfg *Config) { cfg.Now = clock.now })
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", nil)
	works := func(secret string) bool {
		s, _, _ := call(t, http.MethodGet, base+keysURL, apiKeyHeader(secret), "")
		return s == 200
	}
	regen := func(body string) string {
		t.Helper()
		s, b, h := call(t, http.MethodPost, base+keyURL(k.id)+"regenerate/", bearer(fx.client), body)
		if s != 200 || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("regenerate %s: %d %s", body, s, b)
		}
		m := decode(t, b)
		secret, _ := m["api_key"].(string)
		if !secretPattern.MatchString(secret) || m["id"] != k.id || m["key_prefix"] != secret[:11] {
			t.Fatalf("regenerate answered %s", b)
		}
		return secret
	}

	// without grace: the old secret stops at once
	second := regen("")
	if works(k.secret) || !works(second) {
		t.Fatal("after a regenerate without grace, the old secret works or the new one doesn't")
	}
	s, b, _ := call(t, http.MethodGet, base+keysURL, apiKeyHeader(k.secret), "")
	if s != 401 || b != `{"detail":"Invalid API key."}` {
		t.Errorf("old secret: %d %s", s, b)
	}
	if third := regen(`{"grace_seconds":0}`); works(second) || !works(third) {
		t.Fatal("grace_seconds 0 kept the old secret")
	} else {
		second = third
	}

	// with grace: both work until it ends
	start := time.Now()
	clock.set(start)
	fourth := regen(`{"grace_seconds":60}`)
	if !works(second) || !works(fourth) {
		t.Fatal("during the grace period both secrets must work")
	}
	_, shown, _ := call(t, http.MethodGet, base+keyURL(k.id), bearer(fx.client), "")
	if !strings.Contains(shown, `"previous_key_valid_until":"`) || strings.Contains(shown, second) || strings.Contains(shown, fourth) {
		t.Errorf("detail during grace: %s", shown)
	}
	clock.set(start.Add(61 * time.Second))
	if works(second) || !works(fourth) {
		t.Fatal("after the grace period the old secret must stop")
	}

	// a regenerate during a grace period stops the secret in grace
	clock.set(start.Add(2 * time.Minute))
	fifth := regen(`{"grace_seconds":3600}`)
	sixth := regen(`{"grace_seconds":3600}`)
	if works(fourth) || !works(fifth) || !works(sixth) {
		t.Fatal("only the last replaced secret keeps a grace period")
	}

	// the usage of a keyed use after a regenerate still records the key
	if s, b, _ := call(t, http.MethodPost, base+useURL(fx.active), apiKeyHeader(fifth), `{"input_data":{}}`); s != 200 || !strings.Contains(b, `"api_key":"`+k.id+`"`) {
		t.Errorf("use through the secret in grace: %d %s", s, b)
	}

	// another user can't, an admin can
	if s, _, _ := call(t, http.MethodPost, base+keyURL(k.id)+"regenerate/", bearer(fx.client2), ""); s != 404 {
		t.Errorf("another client regenerates: %d", s)
	}
	if s, b, _ := call(t, http.MethodPost, base+keyURL(k.id)+"regenerate/", bearer(fx.admin), ""); s != 200 || !secretPattern.MatchString(decode(t, b)["api_key"].(string)) {
		t.Errorf("admin regenerates: %d %s", s, b)
	}
	if works(sixth) {
		t.Error("the admin's regenerate left the old secret working")
	}
}

func TestKeyDeactivateDeleteExpire(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	app, _ := newTestBase(t, func(cfg *Config) { cfg.Now = clock.now })
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", nil)
	useStatus := func() int {
		s, _, _ := call(t, http.MethodPost, base+useURL(fx.active), apiKeyHeader(k.secret), `{"input_data":{}}`)
		return s
	}
	if s := useStatus(); s != 200 {
		t.Fatalf("use %d", s)
	}
	patch := func(body string) (int, string) {
		s, b, _ := call(t, http.MethodPatch, base+keyURL(k.id), bearer(fx.client), body)
		return s, b
	}
	if s, b := patch(`{"is_active":false}`); s != 200 || !strings.Contains(b, `"is_active":false`) {
		t.Fatalf("deactivate: %d %s", s, b)
	}
	if s := useStatus(); s != 401 {
		t.Errorf("inactive key: %d", s)
	}
	if s, _ := patch(`{"is_active":true}`); s != 200 || useStatus() != 200 {
		t.Error("reactivated key does not work")
	}

	// expiry
	now := time.Now()
	exp := now.Add(time.Hour).UTC().Format(time.RFC3339)
	if s, b := patch(`{"expires_at":"` + exp + `"}`); s != 200 || !strings.Contains(b, `"expires_at":"`) {
		t.Fatalf("set expiry: %d %s", s, b)
	}
	clock.set(now.Add(59 * time.Minute))
	if s := useStatus(); s != 200 {
		t.Errorf("before expiry: %d", s)
	}
	clock.set(now.Add(61 * time.Minute))
	if s := useStatus(); s != 401 {
		t.Errorf("after expiry: %d", s)
	}
	if s, _ := patch(`{"expires_at":null}`); s != 200 || useStatus() != 200 {
		t.Error("a key whose expiry was cleared does not work")
	}
	clock.reset()

	// delete: 204, then 401; the usage rows stay, without the key
	if s, b, _ := call(t, http.MethodDelete, base+keyURL(k.id), bearer(fx.client), ""); s != 204 || b != "" {
		t.Fatalf("delete: %d %s", s, b)
	}
	if s := useStatus(); s != 401 {
		t.Errorf("deleted key: %d", s)
	}
	if n := count(t, app, c.ToolUsage, nil); n != 4 {
		t.Errorf("%d usage rows after the key's delete, want 4", n)
	}
	if s, _, _ := call(t, http.MethodGet, base+keyURL(k.id), bearer(fx.client), ""); s != 404 {
		t.Errorf("deleted key detail: %d", s)
	}
	mustVerify(t, app)
}

// TestKeyRevokedDuringUse: a key deactivated between its authentication and
// its use's transaction is refused inside the transaction.
func TestKeyRevokedDuringUse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	k := insertKey(t, app, fx.client.id, "", nil)
	tool, _ := app.FindRecordById(c.Tools, fx.active)
	client, _ := app.FindRecordById(c.Users, fx.client.id)
	r := keyRecord(t, app, k.id)
	r.Set(c.APIKeyIsActive, false)
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	_, err := useTool(app, ledger.UseRequest{Tool: tool, User: client, Input: map[string]any{}, APIKey: k.id})
	if !errors.Is(err, ledger.ErrKeyInvalid) {
		t.Fatalf("use through a deactivated key: %v", err)
	}
	nothingWritten(t, app)
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
	// seed lists select through the narrowed rules
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
// the middleware leaves it for seed handlers.
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

func TestKeyCreateScopeRules(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	for _, tc := range []struct {
		name   string
		user   fixtureUser
		tool   string
		status int
	}{
		{"client, an ACTIVE tool", fx.client, fx.active, 201},
		{"client, a draft of another", fx.client, fx.draft, 400},
		{"client, a suspended tool", fx.client, fx.suspended, 400},
		{"creator, own draft", fx.creator, fx.draft, 201},
		{"creator, own suspended tool", fx.creator, fx.suspended, 201},
		{"creator, another's ACTIVE tool", fx.creator2, fx.active, 201},
		{"creator, another's draft", fx.creator2, fx.pending, 400},
		{"admin, any tool", fx.admin, fx.suspended, 201},
		{"unknown tool", fx.client, "nosuchtool12345", 400},
	} {
		status, body, _ := call(t, http.MethodPost, base+keysURL, bearer(tc.user), `{"key_name":"k","tool":"`+tc.tool+`"}`)
		if status != tc.status {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
		if status == 400 && body != `{"tool":["Invalid pk \"`+tc.tool+`\" - object does not exist."]}` {
			t.Errorf("%s: %s", tc.name, body)
		}
		if status == 201 && (!strings.Contains(body, `"tool":"`+tc.tool+`"`) || !strings.Contains(body, `"tool_name":"`)) {
			t.Errorf("%s: %s", tc.name, body)
		}
	}
	// creator's key scoped to its own draft: reads it, tries it (free)
	var k struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}
	_, body, _ := call(t, http.MethodPost, base+keysURL, bearer(fx.creator), `{"key_name":"k","tool":"`+fx.draft+`"}`)
	json.Unmarshal([]byte(body), &k)
	if s, b, _ := call(t, http.MethodGet, base+"/api/collections/tools/records/"+fx.draft, apiKeyHeader(k.APIKey), ""); s != 200 {
		t.Errorf("creator's key reads its draft: %d %s", s, b)
	}
	if s, b, _ := call(t, http.MethodPost, base+useURL(fx.draft), apiKeyHeader(k.APIKey), "{}"); s != 200 || !strings.Contains(b, `"points_spent":0`) {
		t.Errorf("creator's key uses its draft: %d %s", s, b)
	}
}

func TestKeyLimitPerUser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	for range 20 {
		insertKey(t, app, fx.client.id, "", nil)
	}
	// 10 parallel creates for 5 free places
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	var refusal string
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, b, _ := call(t, http.MethodPost, base+keysURL, bearer(fx.client), `{"key_name":"one more"}`)
			mu.Lock()
			statuses[s]++
			if s == 400 {
				refusal = b
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[201] != 5 || statuses[400] != 5 {
		t.Fatalf("statuses %v, want 5×201 and 5×400", statuses)
	}
	if refusal != `{"non_field_errors":["You can have at most 25 API keys; delete one first."]}` {
		t.Errorf("refusal %s", refusal)
	}
	if n := count(t, app, c.ToolAPIKeys, dbx.HashExp{c.APIKeyUser: fx.client.id}); n != 25 {
		t.Errorf("%d keys", n)
	}
	// another user is not affected
	if s, b, _ := call(t, http.MethodPost, base+keysURL, bearer(fx.client2), `{"key_name":"mine"}`); s != 201 {
		t.Errorf("client2: %d %s", s, b)
	}
	// the list pages through them
	_, page, _ := call(t, http.MethodGet, base+keysURL+"?page=2", bearer(fx.client), "")
	if !strings.Contains(page, `"count":25`) || !strings.Contains(page, `"next":null`) || !strings.Contains(page, `"previous":"`) {
		t.Errorf("page 2: %s", page)
	}
}

func TestKeyOwnership(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	mine := insertKey(t, app, fx.client.id, "", nil)
	theirs := insertKey(t, app, fx.client2.id, fx.active, nil)

	_, list, _ := call(t, http.MethodGet, base+keysURL, bearer(fx.client), "")
	if !strings.Contains(list, `"count":1`) || !strings.Contains(list, mine.id) || strings.Contains(list, theirs.id) {
		t.Errorf("client's list: %s", list)
	}
	_, all, _ := call(t, http.MethodGet, base+keysURL, bearer(fx.admin), "")
	if !strings.Contains(all, `"count":2`) {
		t.Errorf("admin's list: %s", all)
	}
	for _, r := range []struct{ method, url, body string }{
		{http.MethodGet, keyURL(theirs.id), ""},
		{http.MethodPatch, keyURL(theirs.id), `{"is_active":false}`},
		{http.MethodPut, keyURL(theirs.id), `{"key_name":"stolen"}`},
		{http.MethodDelete, keyURL(theirs.id), ""},
		{http.MethodPost, keyURL(theirs.id) + "regenerate/", ""},
		{http.MethodGet, keyURL("nosuchkey123456"), ""},
	} {
		if s, b, _ := call(t, r.method, base+r.url, bearer(fx.client), r.body); s != 404 || b != `{"detail":"Not found."}` {
			t.Errorf("%s %s of another user's key: %d %s", r.method, r.url, s, b)
		}
	}
	if r := keyRecord(t, app, theirs.id); !r.GetBool(c.APIKeyIsActive) || r.GetString(c.APIKeyName) != "test key" {
		t.Error("another user's key changed")
	}
	// through the records API too
	if s, _, _ := call(t, http.MethodGet, base+"/api/collections/tool_api_keys/records/"+theirs.id, bearer(fx.client), ""); s != 404 {
		t.Errorf("records view of another user's key: %d", s)
	}
	if s, _, _ := call(t, http.MethodPatch, base+"/api/collections/tool_api_keys/records/"+theirs.id, bearer(fx.client), `{"is_active":false}`); s != 404 {
		t.Errorf("records PATCH of another user's key: %d", s)
	}
	// the owner can't move a key to another user or tool through the records API
	if s, _, _ := call(t, http.MethodPatch, base+"/api/collections/tool_api_keys/records/"+mine.id, bearer(fx.client), `{"tool":"`+fx.active+`"}`); s != 404 {
		t.Errorf("re-scoping through the records API: %d", s)
	}
	// an admin manages anyone's key
	if s, b, _ := call(t, http.MethodPatch, base+keyURL(theirs.id), bearer(fx.admin), `{"daily_limit":7}`); s != 200 || !strings.Contains(b, `"daily_limit":7`) {
		t.Errorf("admin PATCH: %d %s", s, b)
	}
	if s, _, _ := call(t, http.MethodDelete, base+keyURL(theirs.id), bearer(fx.admin), ""); s != 204 {
		t.Errorf("admin DELETE: %d", s)
	}
	// a superuser uses the records API, not the seed routes
	su := map[string]string{"Authorization": superuserAuth(t, app)}
	if s, _, _ := call(t, http.MethodGet, base+keysURL, su, ""); s != 403 {
		t.Errorf("superuser on the seed API: %d", s)
	}
}

// TestKeyDashboard: a superuser deactivates a key through the records API
// (the dashboard); its hash and prefix stay, and it never sees the hash.
func TestKeyDashboard(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	su := map[string]string{"Authorization": superuserAuth(t, app)}
	k := insertKey(t, app, fx.client.id, "", nil)
	before := keyRecord(t, app, k.id)
	url := base + "/api/collections/tool_api_keys/records/" + k.id

	status, body, _ := call(t, http.MethodGet, url, su, "")
	if status != 200 || strings.Contains(body, "key_hash") || strings.Contains(body, "previous_key_hash") || !strings.Contains(body, `"key_prefix"`) {
		t.Fatalf("superuser view: %d %s", status, body)
	}
	// the dashboard sends the record back whole, hidden fields empty
	full := decode(t, body)
	full[c.APIKeyIsActive] = false
	full[c.APIKeyHash] = ""
	raw, _ := json.Marshal(full)
	status, body, _ = call(t, http.MethodPatch, url, su, string(raw))
	if status != 200 || !strings.Contains(body, `"is_active":false`) || strings.Contains(body, "key_hash") {
		t.Fatalf("superuser deactivates: %d %s", status, body)
	}
	after := keyRecord(t, app, k.id)
	if after.GetString(c.APIKeyHash) != before.GetString(c.APIKeyHash) || after.GetString(c.APIKeyPrefix) != before.GetString(c.APIKeyPrefix) {
		t.Error("deactivating changed the hash or prefix")
	}
	if s, _, _ := call(t, http.MethodGet, base+keysURL, apiKeyHeader(k.secret), ""); s != 401 {
		t.Errorf("deactivated key: %d", s)
	}
	// server-owned fields stay server-owned, even for a superuser: ignored
	for _, f := range []string{`{"key_prefix":"tk_forged"}`, `{"daily_usage":0,"usage_day":"2000-01-01"}`, `{"user":"` + fx.client2.id + `"}`} {
		if s, b, _ := call(t, http.MethodPatch, url, su, f); s != 200 {
			t.Errorf("superuser PATCH %s: %d %s", f, s, b)
		}
		now := keyRecord(t, app, k.id)
		for _, field := range []string{c.APIKeyPrefix, c.APIKeyUser, c.APIKeyUsageDay, c.APIKeyHash} {
			if now.GetString(field) != after.GetString(field) {
				t.Errorf("superuser PATCH %s changed %s", f, field)
			}
		}
	}
	// and no key is created outside the seed route
	if s, _, _ := call(t, http.MethodPost, base+"/api/collections/tool_api_keys/records", su, `{"key_name":"x","user":"`+fx.client.id+`","key_hash":"ab"}`); s == 200 {
		t.Error("a superuser created a key through the records API")
	}
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

func TestKeyBadInput(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", nil)
	cases := []struct {
		method, url, body, contentType string
		status                         int
		contains                       string
	}{
		{http.MethodPost, keysURL, `{}`, "", 400, `{"key_name":["This field is required."]}`},
		{http.MethodPost, keysURL, `{"key_name":"  "}`, "", 400, `{"key_name":["This field may not be blank."]}`},
		{http.MethodPost, keysURL, `{"key_name":null}`, "", 400, `{"key_name":["This field may not be null."]}`},
		{http.MethodPost, keysURL, `{"key_name":["a"]}`, "", 400, `{"key_name":["Not a valid string."]}`},
		{http.MethodPost, keysURL, `{"key_name":"` + strings.Repeat("n", 101) + `"}`, "", 400, `"key_name":["Ensure this field has no more than 100 characters."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","daily_limit":-1}`, "", 400, `"daily_limit":["Ensure this value is greater than or equal to 0."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","daily_limit":"many"}`, "", 400, `"daily_limit":["A valid integer is required."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","daily_limit":1.5}`, "", 400, `"daily_limit":["A valid integer is required."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","monthly_limit":1e30}`, "", 400, `"monthly_limit":`},
		{http.MethodPost, keysURL, `{"key_name":"k","monthly_limit":1000000001}`, "", 400, `"monthly_limit":["Ensure this value is less than or equal to 1000000000."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","is_active":"maybe"}`, "", 400, `"is_active":["Must be a valid boolean."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","tool":12}`, "", 400, `"tool":["Incorrect type. Expected pk value, received number."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","tool":"../x"}`, "", 400, `"tool":["Invalid pk - object does not exist."]`},
		{http.MethodPost, keysURL, `{"key_name":"k","tool":{"id":"x"}}`, "", 400, `"tool":`},
		{http.MethodPost, keysURL, `{"key_name":"k","expires_at":"tomorrow"}`, "", 400, `"expires_at":["Datetime has wrong format.`},
		{http.MethodPost, keysURL, `{"key_name":"k","expires_at":12}`, "", 400, `"expires_at":`},
		{http.MethodPost, keysURL, `{"key_name":"k","expires_at":"2001-01-01T00:00:00Z"}`, "", 400, `"expires_at":["Ensure this date is in the future."]`},
		{http.MethodPost, keysURL, `{"key_name":`, "", 400, `"detail":"JSON parse error`},
		{http.MethodPost, keysURL, `["key_name"]`, "", 400, `"non_field_errors":["Invalid data. Expected a dictionary, but got list."]`},
		{http.MethodPost, keysURL, `key_name=k`, "text/plain", 415, `"detail":"Unsupported media type`},
		{http.MethodPost, keysURL, `{"key_name":"` + strings.Repeat("n", maxBodyBytes) + `"}`, "", 413, `"detail":"Request body exceeds`},
		{http.MethodDelete, keysURL, ``, "", 405, `"detail":"Method \"DELETE\" not allowed."`},
		{http.MethodPut, keyURL(k.id), `{"daily_limit":5}`, "", 400, `{"key_name":["This field is required."]}`},
		{http.MethodPatch, keyURL(k.id), `{"daily_limit":-5}`, "", 400, `"daily_limit":["Ensure this value is greater than or equal to 0."]`},
		{http.MethodPatch, keyURL(k.id), `{"key_name":""}`, "", 400, `"key_name":["This field may not be blank."]`},
		{http.MethodPatch, keyURL(k.id), `{"is_active":null}`, "", 400, `"is_active":["This field may not be null."]`},
		{http.MethodPatch, keyURL(k.id), `{"expires_at":"2001-01-01T00:00:00Z"}`, "", 400, `"expires_at":["Ensure this date is in the future."]`},
		{http.MethodPatch, keyURL(k.id), `[1]`, "", 400, `"non_field_errors"`},
		{http.MethodPatch, keyURL(k.id), `{"monthly_limit":{}}`, "", 400, `"monthly_limit":["A valid integer is required."]`},
		{http.MethodPost, keyURL(k.id), `{}`, "", 405, `"detail":"Method \"POST\" not allowed."`},
		{http.MethodPost, keyURL(k.id) + "regenerate/", `{"grace_seconds":-1}`, "", 400, `"grace_seconds":["Ensure this value is greater than or equal to 0."]`},
		{http.MethodPost, keyURL(k.id) + "regenerate/", `{"grace_seconds":86401}`, "", 400, `"grace_seconds":["Ensure this value is less than or equal to 86400."]`},
		{http.MethodPost, keyURL(k.id) + "regenerate/", `{"grace_seconds":"soon"}`, "", 400, `"grace_seconds":["A valid integer is required."]`},
		{http.MethodPost, keyURL(k.id) + "regenerate/", `{"grace_seconds":`, "", 400, `"detail":"JSON parse error`},
		{http.MethodGet, keyURL(k.id) + "regenerate/", ``, "", 405, `"detail":"Method \"GET\" not allowed."`},
		{http.MethodPost, keyURL("nosuchkey123456") + "regenerate/", `{}`, "", 404, `{"detail":"Not found."}`},
		{http.MethodDelete, keyURL("nosuchkey123456"), ``, "", 404, `{"detail":"Not found."}`},
	}
	before := keyRecord(t, app, k.id)
	for _, tc := range cases {
		h := bearer(fx.client)
		if tc.contentType != "" {
			h["Content-Type"] = tc.contentType
		}
		status, body, _ := call(t, tc.method, base+tc.url, h, tc.body)
		if status != tc.status || !strings.Contains(body, tc.contains) {
			t.Errorf("%s %s %.60s: %d %s, want %d with %s", tc.method, tc.url, tc.body, status, body, tc.status, tc.contains)
		}
	}
	if n := count(t, app, c.ToolAPIKeys, nil); n != 1 {
		t.Errorf("%d keys after bad input", n)
	}
	after := keyRecord(t, app, k.id)
	for _, f := range []string{c.APIKeyName, c.APIKeyDailyLimit, c.APIKeyMonthlyLimit, c.APIKeyIsActive, c.APIKeyExpiresAt, c.APIKeyHash} {
		if !sameJSON(before.Get(f), after.Get(f)) {
			t.Errorf("bad input changed %s", f)
		}
	}
	// unknown and read-only fields are ignored
	status, body, _ := call(t, http.MethodPatch, base+keyURL(k.id), bearer(fx.client),
		`{"key_name":"ok","daily_usage":0,"api_key":"tk_x","user":"`+fx.client2.id+`","tool":"`+fx.active+`","key_hash":"00","whatever":1}`)
	if status != 200 || !strings.Contains(body, `"key_name":"ok"`) || !strings.Contains(body, `"tool":null`) || !strings.Contains(body, `"user":"`+fx.client.id+`"`) {
		t.Errorf("read-only fields: %d %s", status, body)
	}
	if keyRecord(t, app, k.id).GetString(c.APIKeyHash) != before.GetString(c.APIKeyHash) {
		t.Error("key_hash changed through PATCH")
	}
	// a full PUT
	status, body, _ = call(t, http.MethodPut, base+keyURL(k.id), bearer(fx.client), `{"key_name":"put","daily_limit":3,"monthly_limit":4,"is_active":false}`)
	if status != 200 || !strings.Contains(body, `"daily_limit":3,"monthly_limit":4`) || !strings.Contains(body, `"is_active":false`) {
		t.Errorf("PUT: %d %s", status, body)
	}
	// form-encoded create
	h := bearer(fx.client)
	h["Content-Type"] = "application/x-www-form-urlencoded"
	if status, body, _ := call(t, http.MethodPost, base+keysURL, h, "key_name=form&daily_limit=9&is_active=true"); status != 201 || !strings.Contains(body, `"daily_limit":9`) {
		t.Errorf("form create: %d %s", status, body)
	}
	if status, body, _ := call(t, http.MethodPost, base+keysURL, nil, `{"key_name":"anon"}`); status != 401 {
		t.Errorf("anonymous create: %d %s", status, body)
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
