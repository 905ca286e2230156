// Package opstest builds the apps and requests of the ops packages' tests:
// a fresh data directory (every migration, as on a new install), toolbase's
// hooks, rate limits and metrics, served on 127.0.0.1.
package opstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks"
	"toolbase/hooks/internal/testserve"
	"toolbase/hooks/ledger"
	"toolbase/hooks/metrics"
	"toolbase/hooks/ratelimit"
	_ "toolbase/pb_migrations"
)

// NewApp returns an app on a fresh data directory with everything bound.
func NewApp(t testing.TB) *tests.TestApp {
	t.Helper()
	app, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	hooks.Register(app, hooks.DefaultConfig())
	ratelimit.Bind(app)
	metrics.Bind(app)
	return app
}

// Serve starts app's router on 127.0.0.1 and returns its base URL.
func Serve(t testing.TB, app *tests.TestApp) string { return testserve.Serve(t, app) }

// User creates a user of role with points and returns it and its "Bearer" header.
func User(t testing.TB, app core.App, name, role string, points int64) (*core.Record, string) {
	t.Helper()
	users, err := app.FindCollectionByNameOrId(c.Users)
	if err != nil {
		t.Fatal(err)
	}
	u := core.NewRecord(users)
	u.SetEmail(name + "@test.example")
	u.SetRandomPassword()
	u.Set(c.UserUsername, name)
	u.Set(c.UserRole, role)
	if err := app.Save(u); err != nil {
		t.Fatal(err)
	}
	if points > 0 {
		if _, err := ledger.Post(app, ledger.Entry{User: u.Id, Account: c.AccountPoints, Kind: c.KindGrant, Amount: points}); err != nil {
			t.Fatal(err)
		}
	}
	token, err := u.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return u, "Bearer " + token
}

// Tool creates an ACTIVE local tool of creator costing cost.
func Tool(t testing.TB, app core.App, creator string, cost int64) string {
	t.Helper()
	tools, err := app.FindCollectionByNameOrId(c.Tools)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(tools)
	r.Set(c.ToolName, "tool of "+creator)
	r.Set(c.ToolDescription, "a test tool")
	r.Set(c.ToolCreator, creator)
	r.Set(c.ToolStatus, c.StatusActive)
	r.Set(c.ToolPointsCost, cost)
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	return r.Id
}

var client = &http.Client{Timeout: 10 * time.Second}

// Do sends a request with a JSON body (or none) and headers, in pairs; it
// returns the answer with its body read.
func Do(t testing.TB, method, url, body string, headers ...string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// APIKey creates an API key through the DRF API for the bearer auth and returns its secret.
func APIKey(t testing.TB, base, auth string) string {
	t.Helper()
	res, body := Do(t, http.MethodPost, base+"/api/tools/api-keys/", `{"key_name":"test"}`, "Authorization", auth)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("creating a key: %d %s", res.StatusCode, body)
	}
	var out struct {
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.APIKey == "" {
		t.Fatalf("key answer %s: %v", body, err)
	}
	return out.APIKey
}

// Use calls POST .../use/ on tool with headers and returns the status and body.
func Use(t testing.TB, base, tool string, headers ...string) (*http.Response, string) {
	t.Helper()
	return Do(t, http.MethodPost, fmt.Sprintf("%s/api/tools/tools/%s/use/", base, tool), `{"input_data":{"n":1}}`, headers...)
}

// OpenDir opens an existing data directory (a restore's) as a bootstrapped app.
func OpenDir(t testing.TB, dir string) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.ResetBootstrapState() })
	return app
}
