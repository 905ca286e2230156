package hooks

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/internal/testserve"
	"toolbase/hooks/ledger"
	_ "toolbase/pb_migrations"
)

// templateDir is a migrated data directory holding the fixtures below; every
// test app is a fresh copy of it, so ids and tokens are the same in all of them.
var templateDir string

// fx names the fixture records and their users' auth headers.
var fx struct {
	admin, creator, creator2, client, client2 fixtureUser
	// tools of creator, one per status, and an ACTIVE one of creator2
	active, draft, pending, inactive, suspended, other string
}

type fixtureUser struct {
	id, email, auth string // auth: "Bearer <token>"
}

const (
	fixturePassword = "fixture-pass-1"
	fixturePoints   = 1000
	activeCost      = 10
	otherCost       = 5
)

func TestMain(m *testing.M) {
	code, err := runWithTemplate(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test setup:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runWithTemplate(m *testing.M) (int, error) {
	empty, err := os.MkdirTemp("", "toolbase_empty_*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(empty)
	app, err := tests.NewTestApp(empty)
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(app.DataDir())
	register(app, testConfig())
	if err := buildFixtures(app); err != nil {
		return 0, err
	}
	templateDir = app.DataDir()
	if err := app.ClearBootstrap(); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

func buildFixtures(app core.App) error {
	users, err := app.FindCollectionByNameOrId(c.Users)
	if err != nil {
		return err
	}
	// bcrypt at its minimum cost keeps logins in tests fast
	users.Fields.GetByName(c.UserPassword).(*core.PasswordField).Cost = 4
	if err := app.Save(users); err != nil {
		return err
	}
	for _, u := range []struct {
		dst    *fixtureUser
		name   string
		role   string
		points int64
	}{
		{&fx.admin, "admin", c.RoleAdmin, 0},
		{&fx.creator, "creator", c.RoleToolCreator, 0},
		{&fx.creator2, "creator2", c.RoleToolCreator, 0},
		{&fx.client, "client", c.RoleClient, fixturePoints},
		{&fx.client2, "client2", c.RoleClient, fixturePoints},
	} {
		rec, err := createUser(app, u.name, u.role, u.points)
		if err != nil {
			return err
		}
		token, err := rec.NewAuthToken()
		if err != nil {
			return err
		}
		*u.dst = fixtureUser{id: rec.Id, email: rec.Email(), auth: "Bearer " + token}
	}
	for _, t := range []struct {
		dst     *string
		creator string
		status  string
		cost    int64
	}{
		{&fx.active, fx.creator.id, c.StatusActive, activeCost},
		{&fx.draft, fx.creator.id, c.StatusDraft, activeCost},
		{&fx.pending, fx.creator.id, c.StatusPending, activeCost},
		{&fx.inactive, fx.creator.id, c.StatusInactive, activeCost},
		{&fx.suspended, fx.creator.id, c.StatusSuspended, activeCost},
		{&fx.other, fx.creator2.id, c.StatusActive, otherCost},
	} {
		rec, err := createTool(app, t.creator, t.status, t.cost)
		if err != nil {
			return err
		}
		*t.dst = rec.Id
	}
	// rate limits are on by default (issue 15); these tests call routes many
	// times from one address, so their template turns them off (ops/ratelimit tests them on)
	settings := app.Settings()
	settings.RateLimits.Enabled = false
	return app.Save(settings)
}

// createUser saves a user with a role and points granted through the ledger.
func createUser(app core.App, name, role string, points int64) (*core.Record, error) {
	users, err := app.FindCollectionByNameOrId(c.Users)
	if err != nil {
		return nil, err
	}
	u := core.NewRecord(users)
	u.SetEmail(name + "@test.example")
	u.SetPassword(fixturePassword)
	u.Set(c.UserUsername, name)
	u.Set(c.UserFirstName, name)
	u.Set(c.UserRole, role)
	if err := app.Save(u); err != nil {
		return nil, fmt.Errorf("creating user %s: %w", name, err)
	}
	if points > 0 {
		if _, err := postAudited(app, actorInfo{}, ledger.Entry{User: u.Id, Account: c.AccountPoints, Kind: c.KindGrant, Amount: points}); err != nil {
			return nil, err
		}
		u.Set(c.UserPointsBalance, points)
	}
	return u, nil
}

// createTool saves a tool of creator named after its status.
func createTool(app core.App, creator, status string, cost int64) (*core.Record, error) {
	tools, err := app.FindCollectionByNameOrId(c.Tools)
	if err != nil {
		return nil, err
	}
	t := core.NewRecord(tools)
	t.Set(c.ToolName, fmt.Sprintf("%s tool of %s", status, creator))
	t.Set(c.ToolDescription, "a fixture tool")
	t.Set(c.ToolCreator, creator)
	t.Set(c.ToolStatus, status)
	t.Set(c.ToolPointsCost, cost)
	if err := app.Save(t); err != nil {
		return nil, fmt.Errorf("creating tool: %w", err)
	}
	return t, nil
}

// testConfig is the configuration of test apps: the defaults (tests read
// no environment), with the statistics cache off: tests change usage and read
// the statistics at once (the cache has its own tests).
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.StatsCacheTTL = 0
	return cfg
}

// newTestBase returns a fresh copy of the fixture app with every hook bound,
// configured by testConfig changed by configure, and the services Register
// made for it. Each app has its own configuration and services, so tests
// that make their apps here can run in parallel.
func newTestBase(t testing.TB, configure ...func(*Config)) (*tests.TestApp, *toolbase) {
	t.Helper()
	app, err := tests.NewTestApp(templateDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	cfg := testConfig()
	for _, f := range configure {
		f(&cfg)
	}
	return app, register(app, cfg)
}

// newTestApp returns a fresh copy of the fixture app with every hook bound.
func newTestApp(t testing.TB) *tests.TestApp {
	t.Helper()
	app, _ := newTestBase(t)
	return app
}

// useTool is the use route's UseTool on app for a tool without an endpoint,
// with testConfig's fee: for helpers that get only an app (as ApiScenario's
// BeforeTestFunc does). A tool with an endpoint needs its app's services:
// tb.UseTool.
func useTool(app core.App, req ledger.UseRequest) (*ledger.UseResult, error) {
	if c.AsTool(req.Tool).APIEndpoint() != "" {
		return nil, errors.New("useTool: a tool with an endpoint needs tb.UseTool")
	}
	return (&toolbase{cfg: testConfig()}).UseTool(app, req)
}

// testClock is a clock a test moves, for its app's Config.Now: the real
// time until set.
type testClock struct{ at atomic.Pointer[time.Time] }

func (k *testClock) now() time.Time {
	if at := k.at.Load(); at != nil {
		return *at
	}
	return time.Now()
}

// set moves the clock to at; reset gives it back the real time.
func (k *testClock) set(at time.Time) { k.at.Store(&at) }
func (k *testClock) reset()           { k.at.Store(nil) }

// testAppFactory is a tests.ApiScenario.TestAppFactory.
func testAppFactory(t testing.TB) *tests.TestApp { return newTestApp(t) }

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

// balance reads a user's points straight from the database.
func balance(t testing.TB, app core.App, userID string) int64 {
	t.Helper()
	u, err := app.FindRecordById(c.Users, userID)
	if err != nil {
		t.Fatal(err)
	}
	return u.GetInt64(c.UserPointsBalance)
}

// serve starts a real HTTP server for app on 127.0.0.1 and returns its base URL.
func serve(t testing.TB, app *tests.TestApp) string { return testserve.Serve(t, app) }

// authOf returns the "Bearer <token>" header of a user record.
func authOf(t testing.TB, u *core.Record) string {
	t.Helper()
	token, err := u.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + token
}

// count returns the number of records of collection matching where (nil: all).
func count(t testing.TB, app core.App, collection string, where dbx.Expression) int {
	t.Helper()
	n, err := app.CountRecords(collection, where)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
