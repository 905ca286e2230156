package hooks

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// The rule matrix of spec section 3 on the PocketBase records API: every
// collection × role × action. A refusal is asserted together with the way the
// rule refuses (PocketBase answers a failed create rule with 400, a failed
// view/update/delete rule with 404, a nil rule with 403, and filters lists),
// and with no request hook having run, so that a later guard answering the
// same status cannot stand in for a removed rule.

// Rows the rule fixtures add to the shared fixtures, with fixed ids so that the
// scenario tables can name them.
const (
	usageOfClient   = "usgclientactive" // client used fx.active (a tool of creator) with keyOfClient
	usageOfClient2  = "usgclient2other" // client2 used fx.other (a tool of creator2)
	reviewOfClient  = "fbclientpublic1" // client's public review of fx.active
	reviewOfClient2 = "fbclient2privat" // client2's private review of fx.other
	keyOfClient     = "keyclientactive" // client's key scoped to fx.active
	keyOfClient2    = "keyclient2all01" // client2's unscoped key
	spareUser       = "spareuser000001" // a client nothing refers to, so it can be deleted

	hashOfClientKey  = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"
	hashOfClient2Key = "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2"

	usageNoteOfClient2 = "usage by client2"
	feePercent         = 20
)

// asSuperuser in ruleCase.as authenticates the request as a PocketBase
// superuser created in the scenario's app.
const asSuperuser = "superuser"

// rulesApp is a fresh fixture app plus usage (with its ledger rows and
// counters), reviews, API keys and a spare user.
func rulesApp(t testing.TB) *tests.TestApp {
	t.Helper()
	app := newTestApp(t)
	addKey(t, app, keyOfClient, fx.client.id, fx.active, hashOfClientKey)
	addKey(t, app, keyOfClient2, fx.client2.id, "", hashOfClient2Key)
	if err := addUsage(app, usageOfClient, fx.client.id, fx.active, keyOfClient, ""); err != nil {
		t.Fatal(err)
	}
	if err := addUsage(app, usageOfClient2, fx.client2.id, fx.other, "", usageNoteOfClient2); err != nil {
		t.Fatal(err)
	}
	addReview(t, app, reviewOfClient, fx.client.id, fx.active, true)
	addReview(t, app, reviewOfClient2, fx.client2.id, fx.other, false)

	users, err := app.FindCollectionByNameOrId(c.Users)
	if err != nil {
		t.Fatal(err)
	}
	u := core.NewRecord(users)
	u.Id = spareUser
	u.SetEmail("spare@test.example")
	u.SetPassword(fixturePassword)
	u.Set(c.UserUsername, "spare")
	u.Set(c.UserRole, c.RoleClient)
	if err := app.Save(u); err != nil {
		t.Fatal(err)
	}
	return app
}

// addUsage records a paid use of tool by user the way the use route does:
// the usage, the debit and the creator's earning, and the tool's counters,
// in one transaction on toolbase's own authority.
func addUsage(app core.App, id, user, tool, key, note string) error {
	return app.RunInTransaction(func(tx core.App) error {
		t, err := tx.FindRecordById(c.Tools, tool)
		if err != nil {
			return err
		}
		cost := t.GetInt64(c.ToolPointsCost)
		usages, err := tx.FindCollectionByNameOrId(c.ToolUsage)
		if err != nil {
			return err
		}
		u := core.NewRecord(usages)
		u.Id = id
		u.Set(c.UsageTool, tool)
		u.Set(c.UsageUser, user)
		u.Set(c.UsageAPIKey, key)
		u.Set(c.UsagePointsSpent, cost)
		u.Set(c.UsageCreatorEarning, cost-cost*feePercent/100)
		u.Set(c.UsageSuccess, true)
		u.Set(c.UsageInputData, map[string]any{"text": "hello"})
		u.Set(c.UsageOutputData, map[string]any{"status": "accepted"})
		if err := ledger.SaveSystem(tx, u); err != nil {
			return err
		}
		fee := cost * feePercent / 100
		if _, err := ledger.Post(tx,
			ledger.Entry{User: user, Account: c.AccountPoints, Kind: c.KindUsage, Amount: -cost, Usage: id, Note: note},
			ledger.Entry{User: t.GetString(c.ToolCreator), Account: c.AccountRevenue, Kind: c.KindEarning, Amount: cost - fee, Usage: id, Note: note},
		); err != nil {
			return err
		}
		t.Set(c.ToolTotalUses+"+", 1)
		t.Set(c.ToolTotalRevenue+"+", cost)
		return ledger.SaveSystem(tx, t)
	})
}

func addReview(t testing.TB, app core.App, id, user, tool string, public bool) {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(c.ToolFeedback)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Id = id
	r.Set(c.FeedbackTool, tool)
	r.Set(c.FeedbackUser, user)
	r.Set(c.FeedbackRating, 4)
	r.Set(c.FeedbackComment, "review "+id)
	r.Set(c.FeedbackIsPublic, public)
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
}

func addKey(t testing.TB, app core.App, id, user, tool, hash string) {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(c.ToolAPIKeys)
	if err != nil {
		t.Fatal(err)
	}
	k := core.NewRecord(col)
	k.Id = id
	k.Set(c.APIKeyUser, user)
	k.Set(c.APIKeyTool, tool)
	k.Set(c.APIKeyName, "key "+id)
	k.Set(c.APIKeyPrefix, "tk_"+id[:4])
	k.Set(c.APIKeyHash, hash)
	k.Set(c.APIKeyIsActive, true)
	k.Set(c.APIKeyDailyLimit, c.DefaultDailyLimit)
	k.Set(c.APIKeyMonthlyLimit, c.DefaultMonthlyLimit)
	if err := ledger.SaveSystem(app, k); err != nil {
		t.Fatal(err)
	}
}

// superuserAuth creates a PocketBase superuser in app and returns its auth header.
func superuserAuth(t testing.TB, app core.App) string {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	// this copy of the collection is not saved: it only hashes the password
	// at bcrypt's minimum cost, to keep the many superuser scenarios fast
	col.Fields.GetByName(core.FieldNamePassword).(*core.PasswordField).Cost = 4
	su := core.NewRecord(col)
	su.SetEmail("root@test.example")
	su.SetPassword("superuser-pass-1")
	if err := app.Save(su); err != nil {
		t.Fatal(err)
	}
	token, err := su.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + token
}

// ruleCase is one request of the matrix.
type ruleCase struct {
	name    string
	method  string
	url     string
	body    string
	as      string // an auth header, asSuperuser, or "" for anonymous
	status  int
	want    []string // in the body; none and no notWant: the body is empty
	notWant []string
	events  map[string]int
	after   func(t testing.TB, app *tests.TestApp)
}

func runRuleCases(t *testing.T, factory func(testing.TB) *tests.TestApp, cases []ruleCase) {
	t.Helper()
	for _, rc := range cases {
		headers := map[string]string{}
		s := tests.ApiScenario{
			Name:               rc.name,
			Method:             rc.method,
			URL:                rc.url,
			Headers:            headers,
			ExpectedStatus:     rc.status,
			ExpectedContent:    rc.want,
			NotExpectedContent: rc.notWant,
			ExpectedEvents:     rc.events,
			TestAppFactory: func(tb testing.TB) *tests.TestApp {
				app := factory(tb)
				switch rc.as {
				case "":
				case asSuperuser:
					headers["Authorization"] = superuserAuth(tb, app)
				default:
					headers["Authorization"] = rc.as
				}
				return app
			},
		}
		if rc.body != "" {
			s.Body = strings.NewReader(rc.body)
		}
		if rc.after != nil {
			after := rc.after
			s.AfterTestFunc = func(tb testing.TB, app *tests.TestApp, _ *http.Response) { after(tb, app) }
		}
		s.Test(t)
	}
}

// Expectations shared by the tables.
var (
	// noHooks: the request was refused before any record hook ran, i.e. by the
	// rule and not by a guard further down
	noHooks = map[string]int{"*": 0}

	pbNotFound     = []string{`"status":404`}
	superusersOnly = []string{`"status":403`, `"message":"Only superusers can perform this action."`}
	// a create rule refuses with PocketBase's generic 400
	createRefused = []string{`"status":400`, `"message":"Failed to create record."`}
)

// noAuditBy: the request of user id wrote no audit row.
func noAuditBy(id string) func(testing.TB, *tests.TestApp) {
	return countIs(c.AuditLog, dbx.HashExp{c.AuditActor: id}, 0)
}

func records(name string) string { return "/api/collections/" + name + "/records" }

func record(name, id string) string { return records(name) + "/" + id }

func total(n int) string { return `"totalItems":` + strconv.Itoa(n) }

func idOf(id string) string { return `"id":"` + id + `"` }

func ids(list ...string) []string {
	out := make([]string, len(list))
	for i, id := range list {
		out[i] = idOf(id)
	}
	return out
}

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// field asserts a field of a stored record.
func field(collection, id, name string, want any) func(testing.TB, *tests.TestApp) {
	return func(t testing.TB, app *tests.TestApp) {
		t.Helper()
		r, err := app.FindRecordById(collection, id)
		if err != nil {
			t.Fatalf("%s %s: %v", collection, id, err)
		}
		if got := r.Get(name); !sameJSON(got, want) {
			t.Errorf("%s %s: %s = %v, want %v", collection, id, name, got, want)
		}
	}
}

// sameJSON compares two values by their JSON (a stored 10 and an int 10 alike).
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// exists asserts whether a record is still stored.
func exists(collection, id string, want bool) func(testing.TB, *tests.TestApp) {
	return func(t testing.TB, app *tests.TestApp) {
		t.Helper()
		_, err := app.FindRecordById(collection, id)
		if got := err == nil; got != want {
			t.Errorf("%s %s stored: %v, want %v (%v)", collection, id, got, want, err)
		}
	}
}

// countIs asserts how many records of a collection match a filter.
func countIs(collection string, where dbx.Expression, want int64) func(testing.TB, *tests.TestApp) {
	return func(t testing.TB, app *tests.TestApp) {
		t.Helper()
		n, err := app.CountRecords(collection, where)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%d %s records match %v, want %d", n, collection, where, want)
		}
	}
}

func all(checks ...func(testing.TB, *tests.TestApp)) func(testing.TB, *tests.TestApp) {
	return func(t testing.TB, app *tests.TestApp) {
		t.Helper()
		for _, check := range checks {
			check(t, app)
		}
	}
}

func TestRulesFixturesVerify(t *testing.T) {
	t.Parallel()
	app := rulesApp(t)
	mustVerify(t, app)
	if got := balance(t, app, fx.client.id); got != fixturePoints-activeCost {
		t.Fatalf("client balance %d, want %d", got, fixturePoints-activeCost)
	}
}

func TestRulesUsers(t *testing.T) {
	t.Parallel()
	users := records(c.Users)
	client, client2, creator, admin := fx.client, fx.client2, fx.creator, fx.admin
	const newEmail = "new@test.example"
	register := func(extra string) string {
		return `{"email":"` + newEmail + `","password":"new-pass-123","passwordConfirm":"new-pass-123"` + extra + `}`
	}
	noNewUser := countIs(c.Users, dbx.HashExp{c.UserEmail: newEmail}, 0)
	clientBalance := fixturePoints - activeCost

	runRuleCases(t, rulesApp, []ruleCase{
		// list: own record only, admins all
		{name: "anonymous lists no user", method: http.MethodGet, url: users,
			status: 200, want: []string{total(0)}, notWant: ids(client.id, admin.id)},
		{name: "client lists only itself", method: http.MethodGet, url: users, as: client.auth,
			status: 200, want: []string{total(1), idOf(client.id)},
			notWant: join(ids(client2.id, creator.id, admin.id, spareUser), []string{client2.email})},
		{name: "creator lists only itself", method: http.MethodGet, url: users, as: creator.auth,
			status: 200, want: []string{total(1), idOf(creator.id)}, notWant: ids(client.id, fx.creator2.id, admin.id)},
		{name: "admin lists everyone", method: http.MethodGet, url: users, as: admin.auth,
			status: 200, want: join([]string{total(6)}, ids(client.id, client2.id, creator.id, fx.creator2.id, admin.id, spareUser))},
		{name: "superuser lists everyone", method: http.MethodGet, url: users, as: asSuperuser,
			status: 200, want: []string{total(6)}},

		// view
		{name: "anonymous views a user", method: http.MethodGet, url: record(c.Users, client.id),
			status: 404, want: pbNotFound, notWant: []string{client.email}, events: noHooks},
		{name: "client views itself with its balance", method: http.MethodGet, url: record(c.Users, client.id), as: client.auth,
			status: 200, want: []string{idOf(client.id), `"points_balance":` + strconv.Itoa(clientBalance), `"role":"CLIENT"`}},
		{name: "client views another client", method: http.MethodGet, url: record(c.Users, client2.id), as: client.auth,
			status: 404, want: pbNotFound, notWant: []string{client2.email}, events: noHooks},
		{name: "creator views a client", method: http.MethodGet, url: record(c.Users, client.id), as: creator.auth,
			status: 404, want: pbNotFound, notWant: []string{client.email}, events: noHooks},
		{name: "admin views a client", method: http.MethodGet, url: record(c.Users, client.id), as: admin.auth,
			status: 200, want: []string{idOf(client.id), client.email}},

		// create: registration makes a CLIENT without balances
		{name: "anonymous registers as a client with nothing", method: http.MethodPost, url: users, body: register(""),
			status: 200, want: []string{`"role":"CLIENT"`, `"points_balance":0`, `"total_revenue":0`, `"total_payouts":0`},
			after: all(countIs(c.Users, dbx.HashExp{c.UserEmail: newEmail, c.UserRole: c.RoleClient, c.UserPointsBalance: 0}, 1),
				countIs(c.PointTransactions, nil, 6))},
		{name: "anonymous registers naming the CLIENT role", method: http.MethodPost, url: users, body: register(`,"role":"CLIENT"`),
			status: 200, want: []string{`"role":"CLIENT"`}},
		{name: "anonymous registers as ADMIN", method: http.MethodPost, url: users, body: register(`,"role":"ADMIN"`),
			status: 400, want: createRefused, events: noHooks, after: noNewUser},
		{name: "anonymous registers as TOOL_CREATOR", method: http.MethodPost, url: users, body: register(`,"role":"TOOL_CREATOR"`),
			status: 400, want: createRefused, events: noHooks, after: noNewUser},
		{name: "anonymous registers with points_balance", method: http.MethodPost, url: users, body: register(`,"points_balance":500`),
			status: 400, want: createRefused, events: noHooks, after: all(noNewUser, countIs(c.PointTransactions, nil, 6))},
		{name: "anonymous registers with points_balance+", method: http.MethodPost, url: users, body: register(`,"points_balance+":500`),
			status: 400, want: createRefused, events: noHooks, after: all(noNewUser, countIs(c.PointTransactions, nil, 6))},
		{name: "anonymous registers with total_revenue", method: http.MethodPost, url: users, body: register(`,"total_revenue":500`),
			status: 400, want: createRefused, events: noHooks, after: noNewUser},
		{name: "anonymous registers with total_payouts", method: http.MethodPost, url: users, body: register(`,"total_payouts":500`),
			status: 400, want: createRefused, events: noHooks, after: noNewUser},
		{name: "client creates an ADMIN", method: http.MethodPost, url: users, body: register(`,"role":"ADMIN"`), as: client.auth,
			status: 400, want: createRefused, events: noHooks, after: noNewUser},
		{name: "creator creates a TOOL_CREATOR", method: http.MethodPost, url: users, body: register(`,"role":"TOOL_CREATOR"`), as: creator.auth,
			status: 400, want: createRefused, events: noHooks, after: noNewUser},
		{name: "admin creates a TOOL_CREATOR", method: http.MethodPost, url: users, body: register(`,"role":"TOOL_CREATOR"`), as: admin.auth,
			status: 200, want: []string{`"role":"TOOL_CREATOR"`},
			after: countIs(c.Users, dbx.HashExp{c.UserEmail: newEmail, c.UserRole: c.RoleToolCreator}, 1)},
		{name: "admin creates a user with points_balance", method: http.MethodPost, url: users, body: register(`,"points_balance":500`), as: admin.auth,
			status: 400, want: createRefused, events: noHooks, after: all(noNewUser, countIs(c.PointTransactions, nil, 6))},
		{name: "admin creates a user with total_revenue", method: http.MethodPost, url: users, body: register(`,"total_revenue":500`), as: admin.auth,
			status: 400, want: createRefused, events: noHooks, after: noNewUser},

		// update: own profile; roles by admins of others; balances never
		{name: "client edits its profile", method: http.MethodPatch, url: record(c.Users, client.id), as: client.auth,
			body:   `{"first_name":"Renamed","bio":"hi","skills":["go"]}`,
			status: 200, want: []string{`"first_name":"Renamed"`, `"skills":["go"]`},
			after: field(c.Users, client.id, c.UserFirstName, "Renamed")},
		{name: "client sends its unchanged role with a profile edit", method: http.MethodPatch, url: record(c.Users, client.id), as: client.auth,
			body: `{"role":"CLIENT","first_name":"Renamed"}`, status: 200, want: []string{`"first_name":"Renamed"`}},
		// role and balances the caller may not set are ignored (the rest is saved), as update_me ignores them
		{name: "client makes itself ADMIN: ignored", method: http.MethodPatch, url: record(c.Users, client.id), as: client.auth,
			body: `{"role":"ADMIN"}`, status: 200, want: []string{`"role":"CLIENT"`},
			after: all(field(c.Users, client.id, c.UserRole, c.RoleClient), noAuditBy(client.id))},
		{name: "client makes itself TOOL_CREATOR: ignored, its name saved", method: http.MethodPatch, url: record(c.Users, client.id), as: client.auth,
			body: `{"role":"TOOL_CREATOR","first_name":"Renamed"}`, status: 200, want: []string{`"role":"CLIENT"`, `"first_name":"Renamed"`},
			after: all(field(c.Users, client.id, c.UserRole, c.RoleClient), field(c.Users, client.id, c.UserFirstName, "Renamed"), noAuditBy(client.id))},
		{name: "creator makes itself ADMIN: ignored", method: http.MethodPatch, url: record(c.Users, creator.id), as: creator.auth,
			body: `{"role":"ADMIN"}`, status: 200, want: []string{`"role":"TOOL_CREATOR"`},
			after: all(field(c.Users, creator.id, c.UserRole, c.RoleToolCreator), noAuditBy(creator.id))},
		{name: "client raises its points_balance: ignored, its name saved", method: http.MethodPatch, url: record(c.Users, client.id), as: client.auth,
			body: `{"points_balance":100000,"first_name":"Renamed"}`, status: 200,
			want: []string{`"points_balance":` + strconv.Itoa(clientBalance), `"first_name":"Renamed"`},
			after: all(field(c.Users, client.id, c.UserPointsBalance, clientBalance), field(c.Users, client.id, c.UserFirstName, "Renamed"),
				countIs(c.PointTransactions, nil, 6))},
		{name: "client raises its points_balance with points_balance+: ignored", method: http.MethodPatch, url: record(c.Users, client.id), as: client.auth,
			body: `{"points_balance+":100000}`, status: 200, want: []string{`"points_balance":` + strconv.Itoa(clientBalance)},
			after: field(c.Users, client.id, c.UserPointsBalance, clientBalance)},
		{name: "client sets its total_revenue: ignored", method: http.MethodPatch, url: record(c.Users, client.id), as: client.auth,
			body: `{"total_revenue":100,"first_name":"Renamed"}`, status: 200, want: []string{`"total_revenue":0`},
			after: all(field(c.Users, client.id, c.UserTotalRevenue, 0), field(c.Users, client.id, c.UserFirstName, "Renamed"))},
		{name: "client sets its total_payouts: ignored", method: http.MethodPatch, url: record(c.Users, client.id), as: client.auth,
			body: `{"total_payouts":100}`, status: 200, want: []string{`"total_payouts":0`},
			after: field(c.Users, client.id, c.UserTotalPayouts, 0)},
		{name: "creator raises its total_revenue: ignored", method: http.MethodPatch, url: record(c.Users, creator.id), as: creator.auth,
			body: `{"total_revenue":100000}`, status: 200, want: []string{`"total_revenue":` + strconv.Itoa(activeCost-activeCost*feePercent/100)},
			after: field(c.Users, creator.id, c.UserTotalRevenue, activeCost-activeCost*feePercent/100)},
		{name: "creator lowers its total_payouts: ignored", method: http.MethodPatch, url: record(c.Users, creator.id), as: creator.auth,
			body: `{"total_payouts-":5}`, status: 200, want: []string{`"total_payouts":0`}, after: field(c.Users, creator.id, c.UserTotalPayouts, 0)},
		{name: "client sends points_balance, role and total_revenue with first_name", method: http.MethodPatch, url: record(c.Users, client.id), as: client.auth,
			body: `{"first_name":"Renamed","points_balance":5,"role":"ADMIN","total_revenue":7}`, status: 200,
			want: []string{`"first_name":"Renamed"`, `"role":"CLIENT"`, `"points_balance":` + strconv.Itoa(clientBalance), `"total_revenue":0`},
			after: all(field(c.Users, client.id, c.UserFirstName, "Renamed"), field(c.Users, client.id, c.UserRole, c.RoleClient),
				field(c.Users, client.id, c.UserPointsBalance, clientBalance), field(c.Users, client.id, c.UserTotalRevenue, 0),
				countIs(c.PointTransactions, nil, 6), noAuditBy(client.id))},
		{name: "client edits another client", method: http.MethodPatch, url: record(c.Users, client2.id), as: client.auth,
			body: `{"first_name":"Hacked"}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.Users, client2.id, c.UserFirstName, "client2")},
		{name: "anonymous edits a client", method: http.MethodPatch, url: record(c.Users, client.id),
			body: `{"first_name":"Hacked"}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.Users, client.id, c.UserFirstName, "client")},
		{name: "creator edits a client", method: http.MethodPatch, url: record(c.Users, client.id), as: creator.auth,
			body: `{"first_name":"Hacked"}`, status: 404, want: pbNotFound, events: noHooks},
		{name: "admin edits a client's profile", method: http.MethodPatch, url: record(c.Users, client.id), as: admin.auth,
			body: `{"company_name":"ACME"}`, status: 200, want: []string{`"company_name":"ACME"`},
			after: field(c.Users, client.id, c.UserCompanyName, "ACME")},
		{name: "admin makes a client TOOL_CREATOR, audited", method: http.MethodPatch, url: record(c.Users, client.id), as: admin.auth,
			body: `{"role":"TOOL_CREATOR","points_balance":5}`, status: 200, want: []string{`"role":"TOOL_CREATOR"`},
			after: all(field(c.Users, client.id, c.UserRole, c.RoleToolCreator), field(c.Users, client.id, c.UserPointsBalance, clientBalance),
				countIs(c.AuditLog, dbx.HashExp{c.AuditAction: "user.role", c.AuditActor: admin.id, c.AuditTarget: c.Users + "/" + client.id}, 1))},
		{name: "admin changes its own role: ignored", method: http.MethodPatch, url: record(c.Users, admin.id), as: admin.auth,
			body: `{"role":"CLIENT","company_name":"ACME"}`, status: 200, want: []string{`"role":"ADMIN"`, `"company_name":"ACME"`},
			after: all(field(c.Users, admin.id, c.UserRole, c.RoleAdmin), noAuditBy(admin.id))},
		{name: "admin sets a client's points_balance: ignored", method: http.MethodPatch, url: record(c.Users, client.id), as: admin.auth,
			body: `{"points_balance":5000}`, status: 200, want: []string{`"points_balance":` + strconv.Itoa(clientBalance)},
			after: all(field(c.Users, client.id, c.UserPointsBalance, clientBalance), countIs(c.PointTransactions, nil, 6))},
		{name: "admin lowers a client's points_balance with points_balance-: ignored", method: http.MethodPatch, url: record(c.Users, client.id), as: admin.auth,
			body: `{"points_balance-":100}`, status: 200, want: []string{`"points_balance":` + strconv.Itoa(clientBalance)},
			after: field(c.Users, client.id, c.UserPointsBalance, clientBalance)},
		{name: "admin sets a creator's total_revenue: ignored", method: http.MethodPatch, url: record(c.Users, creator.id), as: admin.auth,
			body: `{"total_revenue":5000}`, status: 200, want: []string{`"total_revenue":` + strconv.Itoa(activeCost-activeCost*feePercent/100)}, after: field(c.Users, creator.id, c.UserTotalRevenue, activeCost-activeCost*feePercent/100)},
		{name: "admin sets a creator's total_payouts: ignored", method: http.MethodPatch, url: record(c.Users, creator.id), as: admin.auth,
			body: `{"total_payouts":5}`, status: 200, want: []string{`"total_payouts":0`}, after: field(c.Users, creator.id, c.UserTotalPayouts, 0)},

		// delete: admins, not themselves; never a user the ledger refers to
		{name: "anonymous deletes a user", method: http.MethodDelete, url: record(c.Users, spareUser),
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.Users, spareUser, true)},
		{name: "client deletes itself", method: http.MethodDelete, url: record(c.Users, client.id), as: client.auth,
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.Users, client.id, true)},
		{name: "client deletes another user", method: http.MethodDelete, url: record(c.Users, spareUser), as: client.auth,
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.Users, spareUser, true)},
		{name: "creator deletes a user", method: http.MethodDelete, url: record(c.Users, spareUser), as: creator.auth,
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.Users, spareUser, true)},
		{name: "admin deletes a user", method: http.MethodDelete, url: record(c.Users, spareUser), as: admin.auth,
			status: 204, after: exists(c.Users, spareUser, false)},
		{name: "admin deletes itself", method: http.MethodDelete, url: record(c.Users, admin.id), as: admin.auth,
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.Users, admin.id, true)},
		{name: "admin deletes a client with ledger rows", method: http.MethodDelete, url: record(c.Users, client.id), as: admin.auth,
			status: 400, want: []string{`"status":400`},
			after: all(exists(c.Users, client.id, true), countIs(c.PointTransactions, dbx.HashExp{c.TxUser: client.id}, 2),
				exists(c.ToolUsage, usageOfClient, true))},
	})
}

func TestRulesTools(t *testing.T) {
	t.Parallel()
	tools := records(c.Tools)
	client, creator, creator2, admin := fx.client, fx.creator, fx.creator2, fx.admin
	const newName = "New tool"
	create := func(extra string) string { return `{"name":"` + newName + `","points_cost":3` + extra + `}` }
	noNewTool := countIs(c.Tools, dbx.HashExp{c.ToolName: newName}, 0)
	status := func(id, want string) func(testing.TB, *tests.TestApp) { return field(c.Tools, id, c.ToolStatus, want) }
	move := func(name, as, id, to string, allowed bool) ruleCase {
		rc := ruleCase{name: name, method: http.MethodPatch, url: record(c.Tools, id), as: as, body: `{"status":"` + to + `"}`}
		if allowed {
			rc.status, rc.want, rc.after = 200, []string{`"status":"` + to + `"`}, status(id, to)
		} else {
			was, err := statusOf(id)
			if err != nil {
				t.Fatal(err)
			}
			rc.status, rc.want, rc.events, rc.after = 404, pbNotFound, noHooks, status(id, was)
		}
		return rc
	}
	hidden := ids(fx.draft, fx.pending, fx.inactive, fx.suspended)

	runRuleCases(t, rulesApp, []ruleCase{
		// list: ACTIVE tools for everyone signed in, own tools, all for admins
		{name: "anonymous lists no tool", method: http.MethodGet, url: tools,
			status: 200, want: []string{total(0)}, notWant: ids(fx.active, fx.other)},
		{name: "client lists the active tools", method: http.MethodGet, url: tools, as: client.auth,
			status: 200, want: join([]string{total(2)}, ids(fx.active, fx.other)), notWant: hidden},
		{name: "creator lists own tools in any status and others' active", method: http.MethodGet, url: tools, as: creator.auth,
			status: 200, want: join([]string{total(6)}, ids(fx.active, fx.other), hidden)},
		{name: "another creator lists only the active tools", method: http.MethodGet, url: tools, as: creator2.auth,
			status: 200, want: join([]string{total(2)}, ids(fx.active, fx.other)), notWant: hidden},
		{name: "client expands a tool's creator", method: http.MethodGet, url: tools + "?expand=creator", as: client.auth,
			status: 200, want: []string{total(2)}, notWant: []string{`"expand":{"`, creator.email, `"points_balance"`, `"total_revenue":8`}},
		{name: "client filters tools by their creator's private fields", method: http.MethodGet, as: client.auth,
			url:    tools + "?filter=" + url.QueryEscape(`creator.email = "`+creator.email+`" || creator.total_revenue > 0`),
			status: 200, want: []string{total(0)}, notWant: ids(fx.active)},
		{name: "admin lists every tool", method: http.MethodGet, url: tools, as: admin.auth,
			status: 200, want: join([]string{total(6)}, ids(fx.active, fx.other), hidden)},

		// view
		{name: "anonymous views an active tool", method: http.MethodGet, url: record(c.Tools, fx.active),
			status: 404, want: pbNotFound, events: noHooks},
		{name: "client views an active tool", method: http.MethodGet, url: record(c.Tools, fx.active), as: client.auth,
			status: 200, want: []string{idOf(fx.active)}},
		{name: "client views a draft", method: http.MethodGet, url: record(c.Tools, fx.draft), as: client.auth,
			status: 404, want: pbNotFound, events: noHooks},
		{name: "client views an inactive tool", method: http.MethodGet, url: record(c.Tools, fx.inactive), as: client.auth,
			status: 404, want: pbNotFound, events: noHooks},
		{name: "client views a suspended tool", method: http.MethodGet, url: record(c.Tools, fx.suspended), as: client.auth,
			status: 404, want: pbNotFound, events: noHooks},
		{name: "creator views its own suspended tool", method: http.MethodGet, url: record(c.Tools, fx.suspended), as: creator.auth,
			status: 200, want: []string{idOf(fx.suspended)}},
		{name: "another creator views a pending tool", method: http.MethodGet, url: record(c.Tools, fx.pending), as: creator2.auth,
			status: 404, want: pbNotFound, events: noHooks},
		{name: "admin views a draft", method: http.MethodGet, url: record(c.Tools, fx.draft), as: admin.auth,
			status: 200, want: []string{idOf(fx.draft)}},

		// create: creators and admins; a creator's tool is its own and unapproved
		{name: "anonymous creates a tool", method: http.MethodPost, url: tools, body: create(""),
			status: 400, want: createRefused, events: noHooks, after: noNewTool},
		{name: "client creates a tool", method: http.MethodPost, url: tools, body: create(""), as: client.auth,
			status: 400, want: createRefused, events: noHooks, after: noNewTool},
		{name: "creator creates a draft of its own", method: http.MethodPost, url: tools, body: create(""), as: creator.auth,
			status: 200, want: []string{`"creator":"` + creator.id + `"`, `"status":"DRAFT"`, `"total_uses":0`},
			after: countIs(c.Tools, dbx.HashExp{c.ToolName: newName, c.ToolCreator: creator.id, c.ToolStatus: c.StatusDraft}, 1)},
		{name: "creator creates a tool naming itself", method: http.MethodPost, url: tools, body: create(`,"creator":"` + creator.id + `"`), as: creator.auth,
			status: 200, want: []string{`"creator":"` + creator.id + `"`}},
		{name: "creator creates a pending tool", method: http.MethodPost, url: tools, body: create(`,"status":"PENDING"`), as: creator.auth,
			status: 200, want: []string{`"status":"PENDING"`}},
		{name: "creator creates an active tool", method: http.MethodPost, url: tools, body: create(`,"status":"ACTIVE"`), as: creator.auth,
			status: 400, want: createRefused, events: noHooks, after: noNewTool},
		{name: "creator creates an inactive tool", method: http.MethodPost, url: tools, body: create(`,"status":"INACTIVE"`), as: creator.auth,
			status: 400, want: createRefused, events: noHooks, after: noNewTool},
		{name: "creator creates a suspended tool", method: http.MethodPost, url: tools, body: create(`,"status":"SUSPENDED"`), as: creator.auth,
			status: 400, want: createRefused, events: noHooks, after: noNewTool},
		{name: "creator creates a tool of another creator", method: http.MethodPost, url: tools, body: create(`,"creator":"` + creator2.id + `"`), as: creator.auth,
			status: 400, want: createRefused, events: noHooks, after: noNewTool},
		{name: "creator creates a tool with total_uses: ignored", method: http.MethodPost, url: tools, body: create(`,"total_uses":5`), as: creator.auth,
			status: 200, want: []string{`"total_uses":0`}, after: countIs(c.Tools, dbx.HashExp{c.ToolName: newName, c.ToolTotalUses: 0}, 1)},
		{name: "creator creates a tool with total_revenue: ignored", method: http.MethodPost, url: tools, body: create(`,"total_revenue":5`), as: creator.auth,
			status: 200, want: []string{`"total_revenue":0`}, after: countIs(c.Tools, dbx.HashExp{c.ToolName: newName, c.ToolTotalRevenue: 0}, 1)},
		{name: "creator creates a tool with average_rating: ignored", method: http.MethodPost, url: tools, body: create(`,"average_rating":5`), as: creator.auth,
			status: 200, want: []string{`"average_rating":0`}, after: countIs(c.Tools, dbx.HashExp{c.ToolName: newName, c.ToolAverageRating: 0}, 1)},
		{name: "creator creates a tool with rating_count: ignored", method: http.MethodPost, url: tools, body: create(`,"rating_count":5`), as: creator.auth,
			status: 200, want: []string{`"rating_count":0`}, after: countIs(c.Tools, dbx.HashExp{c.ToolName: newName, c.ToolRatingCount: 0}, 1)},
		{name: "admin creates an active tool for a creator", method: http.MethodPost, url: tools, as: admin.auth,
			body:   create(`,"creator":"` + creator2.id + `","status":"ACTIVE"`),
			status: 200, want: []string{`"creator":"` + creator2.id + `"`, `"status":"ACTIVE"`},
			after: countIs(c.Tools, dbx.HashExp{c.ToolName: newName, c.ToolCreator: creator2.id, c.ToolStatus: c.StatusActive}, 1)},
		{name: "admin creates a tool with rating_count: ignored", method: http.MethodPost, url: tools, body: create(`,"rating_count":5`), as: admin.auth,
			status: 200, want: []string{`"rating_count":0`}, after: countIs(c.Tools, dbx.HashExp{c.ToolName: newName, c.ToolRatingCount: 0}, 1)},

		// update: own tools, creator and counters fixed, status moves of spec section 3
		{name: "creator edits its own tool", method: http.MethodPatch, url: record(c.Tools, fx.active), as: creator.auth,
			body: `{"description":"better","points_cost":7}`, status: 200, want: []string{`"description":"better"`, `"points_cost":7`},
			after: field(c.Tools, fx.active, c.ToolPointsCost, 7)},
		{name: "creator gives its tool to another creator", method: http.MethodPatch, url: record(c.Tools, fx.active), as: creator.auth,
			body: `{"creator":"` + creator2.id + `"}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.Tools, fx.active, c.ToolCreator, creator.id)},
		{name: "creator gives its tool away with creator+", method: http.MethodPatch, url: record(c.Tools, fx.active), as: creator.auth,
			body: `{"creator+":"` + creator2.id + `"}`, status: 404, want: pbNotFound, events: noHooks,
			after: field(c.Tools, fx.active, c.ToolCreator, creator.id)},
		move("creator submits a draft (DRAFT→PENDING)", creator.auth, fx.draft, c.StatusPending, true),
		move("creator pauses an active tool (ACTIVE→INACTIVE)", creator.auth, fx.active, c.StatusInactive, true),
		move("creator resumes an inactive tool (INACTIVE→ACTIVE)", creator.auth, fx.inactive, c.StatusActive, true),
		move("creator approves its draft (DRAFT→ACTIVE)", creator.auth, fx.draft, c.StatusActive, false),
		move("creator approves its pending tool (PENDING→ACTIVE)", creator.auth, fx.pending, c.StatusActive, false),
		move("creator suspends its active tool (ACTIVE→SUSPENDED)", creator.auth, fx.active, c.StatusSuspended, false),
		move("creator lifts a suspension (SUSPENDED→ACTIVE)", creator.auth, fx.suspended, c.StatusActive, false),
		move("creator lifts a suspension (SUSPENDED→INACTIVE)", creator.auth, fx.suspended, c.StatusInactive, false),
		move("creator skips review (DRAFT→INACTIVE)", creator.auth, fx.draft, c.StatusInactive, false),
		move("creator skips review (PENDING→INACTIVE)", creator.auth, fx.pending, c.StatusInactive, false),
		move("creator drafts an active tool (ACTIVE→DRAFT)", creator.auth, fx.active, c.StatusDraft, false),
		move("creator withdraws a pending tool (PENDING→DRAFT)", creator.auth, fx.pending, c.StatusDraft, false),
		move("creator resubmits a suspended tool (SUSPENDED→PENDING)", creator.auth, fx.suspended, c.StatusPending, false),
		move("creator resubmits a suspended tool (SUSPENDED→DRAFT)", creator.auth, fx.suspended, c.StatusDraft, false),
		move("creator resubmits an active tool (ACTIVE→PENDING)", creator.auth, fx.active, c.StatusPending, false),
		move("creator resubmits an inactive tool (INACTIVE→PENDING)", creator.auth, fx.inactive, c.StatusPending, false),
		move("creator moves another's tool (ACTIVE→INACTIVE)", creator2.auth, fx.active, c.StatusInactive, false),
		move("admin approves a pending tool (PENDING→ACTIVE)", admin.auth, fx.pending, c.StatusActive, true),
		move("admin suspends an active tool (ACTIVE→SUSPENDED)", admin.auth, fx.active, c.StatusSuspended, true),
		move("admin reinstates a suspended tool (SUSPENDED→ACTIVE)", admin.auth, fx.suspended, c.StatusActive, true),
		{name: "creator sets total_uses of its tool", method: http.MethodPatch, url: record(c.Tools, fx.active), as: creator.auth,
			body: `{"total_uses":1000}`, status: 200, want: []string{`"id":`}, after: field(c.Tools, fx.active, c.ToolTotalUses, 1)},
		{name: "creator raises total_uses+ of its tool", method: http.MethodPatch, url: record(c.Tools, fx.active), as: creator.auth,
			body: `{"total_uses+":1}`, status: 200, want: []string{`"id":`}, after: field(c.Tools, fx.active, c.ToolTotalUses, 1)},
		{name: "creator sets total_revenue of its tool", method: http.MethodPatch, url: record(c.Tools, fx.active), as: creator.auth,
			body: `{"total_revenue":1000}`, status: 200, want: []string{`"id":`}, after: field(c.Tools, fx.active, c.ToolTotalRevenue, activeCost)},
		{name: "creator sets average_rating of its tool", method: http.MethodPatch, url: record(c.Tools, fx.active), as: creator.auth,
			body: `{"average_rating":5}`, status: 200, want: []string{`"id":`}, after: field(c.Tools, fx.active, c.ToolAverageRating, 4)},
		{name: "creator sets rating_count of its tool", method: http.MethodPatch, url: record(c.Tools, fx.active), as: creator.auth,
			body: `{"rating_count":50}`, status: 200, want: []string{`"id":`}, after: field(c.Tools, fx.active, c.ToolRatingCount, 1)},
		{name: "another creator edits a tool", method: http.MethodPatch, url: record(c.Tools, fx.active), as: creator2.auth,
			body: `{"name":"mine now"}`, status: 404, want: pbNotFound, events: noHooks, after: field(c.Tools, fx.active, c.ToolPointsCost, activeCost)},
		{name: "client edits a tool", method: http.MethodPatch, url: record(c.Tools, fx.active), as: client.auth,
			body: `{"points_cost":0}`, status: 404, want: pbNotFound, events: noHooks, after: field(c.Tools, fx.active, c.ToolPointsCost, activeCost)},
		{name: "anonymous edits a tool", method: http.MethodPatch, url: record(c.Tools, fx.active),
			body: `{"points_cost":0}`, status: 404, want: pbNotFound, events: noHooks, after: field(c.Tools, fx.active, c.ToolPointsCost, activeCost)},
		{name: "admin edits another's tool", method: http.MethodPatch, url: record(c.Tools, fx.other), as: admin.auth,
			body: `{"points_cost":9}`, status: 200, want: []string{`"points_cost":9`}, after: field(c.Tools, fx.other, c.ToolPointsCost, 9)},
		{name: "admin sets average_rating", method: http.MethodPatch, url: record(c.Tools, fx.other), as: admin.auth,
			body: `{"average_rating":5}`, status: 200, want: []string{`"id":`}, after: field(c.Tools, fx.other, c.ToolAverageRating, 4)},

		// delete: the owner or an admin; never a tool with usage
		{name: "creator deletes its draft", method: http.MethodDelete, url: record(c.Tools, fx.draft), as: creator.auth,
			status: 204, after: exists(c.Tools, fx.draft, false)},
		{name: "another creator deletes a tool", method: http.MethodDelete, url: record(c.Tools, fx.inactive), as: creator2.auth,
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.Tools, fx.inactive, true)},
		{name: "client deletes a tool", method: http.MethodDelete, url: record(c.Tools, fx.inactive), as: client.auth,
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.Tools, fx.inactive, true)},
		{name: "anonymous deletes a tool", method: http.MethodDelete, url: record(c.Tools, fx.inactive),
			status: 404, want: pbNotFound, events: noHooks, after: exists(c.Tools, fx.inactive, true)},
		{name: "admin deletes a tool", method: http.MethodDelete, url: record(c.Tools, fx.pending), as: admin.auth,
			status: 204, after: exists(c.Tools, fx.pending, false)},
		{name: "creator deletes its tool that has usage", method: http.MethodDelete, url: record(c.Tools, fx.active), as: creator.auth,
			status: 400, want: []string{`"status":400`},
			after: all(exists(c.Tools, fx.active, true), exists(c.ToolUsage, usageOfClient, true), exists(c.ToolAPIKeys, keyOfClient, true),
				countIs(c.PointTransactions, dbx.HashExp{c.TxUsage: usageOfClient}, 2))},
	})
}

// statusOf is the fixture status of a fixture tool.
func statusOf(id string) (string, error) {
	switch id {
	case fx.active, fx.other:
		return c.StatusActive, nil
	case fx.draft:
		return c.StatusDraft, nil
	case fx.pending:
		return c.StatusPending, nil
	case fx.inactive:
		return c.StatusInactive, nil
	case fx.suspended:
		return c.StatusSuspended, nil
	}
	return "", errors.New("not a fixture tool: " + id)
}
