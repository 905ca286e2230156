package djangoimport_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks"
	"toolbase/hooks/internal/opstest"
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
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	res, answer := opstest.Do(t, method, url, string(raw), header...)
	out := map[string]any{}
	_ = json.Unmarshal([]byte(answer), &out)
	if len(out) == 0 && len(answer) > 0 {
		out["raw"] = answer
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
