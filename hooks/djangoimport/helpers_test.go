package djangoimport_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks"
	"toolbase/hooks/internal/testserve"
	"toolbase/hooks/ledger"
	_ "toolbase/pb_migrations"
)

// fixtureDir is the dump the real Django platform made, with its passwords: a
// copy of shared/fixtures/django-platform, so that the tests need nothing
// outside the repository.
const fixtureDir = "testdata/django-platform"

// newApp returns a migrated, empty app with every toolbase hook bound and
// rate limits off (the tests sign in many times from one address).
func newApp(t testing.TB) *tests.TestApp {
	t.Helper()
	app, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	hooks.Register(app, hooks.DefaultConfig())
	settings := app.Settings()
	settings.RateLimits.Enabled = false
	if err := app.Save(settings); err != nil {
		t.Fatal(err)
	}
	users, err := app.FindCollectionByNameOrId(c.Users)
	if err != nil {
		t.Fatal(err)
	}
	// bcrypt at its minimum cost keeps the logins fast
	users.Fields.GetByName(c.UserPassword).(*core.PasswordField).Cost = 4
	if err := app.Save(users); err != nil {
		t.Fatal(err)
	}
	return app
}

// serve starts a real HTTP server for app and returns its base URL.
func serve(t testing.TB, app *tests.TestApp) string { return testserve.Serve(t, app) }

// call sends a JSON request and returns the status and the decoded body.
func call(t testing.TB, method, url string, body any, header ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k := 0; k+1 < len(header); k += 2 {
		req.Header.Set(header[k], header[k+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	if len(out) == 0 && len(raw) > 0 {
		out["raw"] = string(raw)
	}
	return res.StatusCode, out
}

// writeFile writes content to a new file of the test and returns its path.
func writeFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustVerify fails the test when a ledger invariant is broken.
func mustVerify(t testing.TB, app core.App) {
	t.Helper()
	problems, err := ledger.Verify(app)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error("ledger:", p)
	}
}

// total counts the rows of table.
func total(t testing.TB, app core.App, table string) int {
	t.Helper()
	var n int
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM " + table).Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// dump is the fixture's rows, decoded.
type dumpRow struct {
	Model  string         `json:"model"`
	PK     int64          `json:"pk"`
	Fields map[string]any `json:"fields"`
}

func readFixture(t testing.TB) ([]dumpRow, map[string]string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, "dumpdata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []dumpRow
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile(filepath.Join(fixtureDir, "credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	var creds struct {
		Passwords map[string]string `json:"passwords"`
	}
	if err := json.Unmarshal(raw, &creds); err != nil {
		t.Fatal(err)
	}
	return rows, creds.Passwords
}

// core_NewUser saves a toolbase user (not imported) and returns its id.
func core_NewUser(t testing.TB, app core.App, users *core.Collection) string {
	t.Helper()
	u := core.NewRecord(users)
	u.SetEmail("native@example.org")
	u.SetPassword("native-pass-1")
	u.Set(c.UserUsername, "native")
	u.Set(c.UserRole, c.RoleClient)
	if err := app.Save(u); err != nil {
		t.Fatal(err)
	}
	return u.Id
}
