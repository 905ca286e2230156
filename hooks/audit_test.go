package hooks

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// superuserFactory is a TestAppFactory that also creates a superuser and puts
// its auth header into headers.
func superuserFactory(headers map[string]string) func(testing.TB) *tests.TestApp {
	return func(t testing.TB) *tests.TestApp {
		app := newTestApp(t)
		col, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
		if err != nil {
			t.Fatal(err)
		}
		su := core.NewRecord(col)
		su.SetEmail("root@test.example")
		su.SetPassword("root-pass-123456")
		if err := app.Save(su); err != nil {
			t.Fatal(err)
		}
		headers["Authorization"] = authOf(t, su)
		return app
	}
}

func recordsURL(collection, id string) string {
	if id == "" {
		return "/api/collections/" + collection + "/records"
	}
	return "/api/collections/" + collection + "/records/" + id
}

func TestAuditOfRecordChanges(t *testing.T) {
	t.Parallel()
	su := map[string]string{}
	scenarios := []tests.ApiScenario{
		{
			Name:            "an admin's role change on the records API is audited with the admin",
			Method:          http.MethodPatch,
			URL:             recordsURL(c.Users, fx.client.id),
			Headers:         auth(fx.admin),
			Body:            body(`{"role":"TOOL_CREATOR"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"role":"TOOL_CREATOR"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := c.AsAudit(lastAudit(t, app, "user.role"))
				if row.Actor() != fx.admin.id || row.ActorRole() != c.RoleAdmin || row.Target() != "users/"+fx.client.id ||
					row.GetString(c.AuditBefore) != `{"role":"CLIENT"}` || row.GetString(c.AuditAfter) != `{"role":"TOOL_CREATOR"}` {
					t.Errorf("audit row %v", row.PublicExport())
				}
			},
		},
		{
			Name:            "a role change through the DRF route is audited with the admin",
			Method:          http.MethodPost,
			URL:             "/api/users/users/" + fx.client.id + "/change_role/",
			Headers:         auth(fx.admin),
			Body:            body(`{"role":"ADMIN"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"role":"ADMIN"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := c.AsAudit(lastAudit(t, app, "user.role"))
				if row.Target() != "users/"+fx.client.id || row.GetString(c.AuditBefore) != `{"role":"CLIENT"}` ||
					row.GetString(c.AuditAfter) != `{"role":"ADMIN"}` || row.Actor() != fx.admin.id {
					t.Errorf("audit row %v", row.PublicExport())
				}
			},
		},
		{
			Name:            "a suspension through the DRF route is audited with the admin",
			Method:          http.MethodPatch,
			URL:             "/api/tools/tools/" + fx.active + "/",
			Headers:         auth(fx.admin),
			Body:            body(`{"status":"SUSPENDED"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"SUSPENDED"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := c.AsAudit(lastAudit(t, app, "tool.status"))
				if row.Target() != "tools/"+fx.active || row.GetString(c.AuditAfter) != `{"status":"SUSPENDED"}` || row.Actor() != fx.admin.id {
					t.Errorf("audit row %v", row.PublicExport())
				}
			},
		},
		{
			Name:            "an admin's grant through the DRF route is audited with the admin",
			Method:          http.MethodPost,
			URL:             "/api/users/users/" + fx.client.id + "/add_points/",
			Headers:         auth(fx.admin),
			Body:            body(`{"points":50,"reason":"goodwill"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"points_balance":1050`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := c.AsAudit(lastAudit(t, app, "points.grant"))
				if row.Actor() != fx.admin.id || row.Target() != "users/"+fx.client.id ||
					row.GetString(c.AuditBefore) != `{"points":1000}` || !strings.Contains(row.GetString(c.AuditAfter), `"note":"goodwill"`) {
					t.Errorf("audit row %v", row.PublicExport())
				}
			},
		},
		{
			Name:            "an admin's approval of a tool on the records API is audited",
			Method:          http.MethodPatch,
			URL:             recordsURL(c.Tools, fx.pending),
			Headers:         auth(fx.admin),
			Body:            body(`{"status":"ACTIVE"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"ACTIVE"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := c.AsAudit(lastAudit(t, app, "tool.status"))
				if row.Actor() != fx.admin.id || row.Target() != "tools/"+fx.pending ||
					row.GetString(c.AuditBefore) != `{"status":"PENDING"}` || row.GetString(c.AuditAfter) != `{"status":"ACTIVE"}` {
					t.Errorf("audit row %v", row.PublicExport())
				}
			},
		},
		{
			Name:            "a creator submitting its own draft is no moderation",
			Method:          http.MethodPatch,
			URL:             recordsURL(c.Tools, fx.draft),
			Headers:         auth(fx.creator),
			Body:            body(`{"status":"PENDING"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"PENDING"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := auditCount(t, app, "tool.status"); n != 0 {
					t.Errorf("%d tool.status rows", n)
				}
			},
		},
		{
			Name:            "a superuser's suspension in the dashboard is audited as SUPERUSER",
			Method:          http.MethodPatch,
			URL:             recordsURL(c.Tools, fx.active),
			Headers:         su,
			Body:            body(`{"status":"SUSPENDED"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"SUSPENDED"`},
			TestAppFactory:  superuserFactory(su),
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := c.AsAudit(lastAudit(t, app, "tool.status"))
				if row.ActorRole() != c.ActorSuperuser || row.ActorEmail() != "root@test.example" {
					t.Errorf("audit row %v", row.PublicExport())
				}
			},
		},
		{
			Name:            "a superuser's balance edit is an ADJUSTMENT, audited",
			Method:          http.MethodPatch,
			URL:             recordsURL(c.Users, fx.client2.id),
			Headers:         su,
			Body:            body(`{"points_balance":1250}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"points_balance":1250`},
			TestAppFactory:  superuserFactory(su),
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := c.AsAudit(lastAudit(t, app, "points.adjust"))
				if row.Target() != "users/"+fx.client2.id || row.GetString(c.AuditBefore) != `{"points":1000}` ||
					!strings.Contains(row.GetString(c.AuditAfter), `"points":1250`) || !strings.Contains(row.GetString(c.AuditAfter), `"amount":250`) {
					t.Errorf("audit row %v", row.PublicExport())
				}
				mustVerify(t, app)
			},
		},
	}
	for _, s := range scenarios {
		verifiedAfter(&s)
		s.Test(t)
	}
}

func TestAuditFromCode(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, _ := app.FindRecordById(c.Users, fx.admin.id)

	// point changes: the ledger row's actor is the audit row's
	if _, err := postAudited(app, actorInfo{}, ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindGrant, Amount: 50, Actor: fx.admin.id, Note: "goodwill"}); err != nil {
		t.Fatal(err)
	}
	row := c.AsAudit(lastAudit(t, app, "points.grant"))
	if row.Actor() != fx.admin.id || row.ActorEmail() != fx.admin.email || row.Target() != "users/"+fx.client.id ||
		row.GetString(c.AuditBefore) != `{"points":1000}` || !strings.Contains(row.GetString(c.AuditAfter), `"note":"goodwill"`) {
		t.Errorf("grant audit %v", row.PublicExport())
	}
	if _, err := postAudited(app, actorInfo{}, ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindDeduct, Amount: -20}); err != nil {
		t.Fatal(err)
	}
	if row := c.AsAudit(lastAudit(t, app, "points.deduct")); row.Actor() != "" || row.ActorRole() != "" {
		t.Errorf("CLI deduct audit %v", row.PublicExport())
	}
	// uses are no admin actions
	before := count(t, app, c.AuditLog, nil)
	useTimes(t, app, fx.client.id, fx.active, 2)
	if n := count(t, app, c.AuditLog, nil); n != before {
		t.Errorf("%d audit rows from uses", n-before)
	}

	// a route passes its actor with the save's context, or on the record
	for i, save := range []func(r *core.Record) error{
		func(r *core.Record) error { return saveAs(app, admin, r) },
		func(r *core.Record) error { actingAs(r, admin); return app.Save(r) },
		func(r *core.Record) error { return app.Save(r) },
	} {
		u, _ := app.FindRecordById(c.Users, fx.client2.id)
		u.Set(c.UserRole, []string{c.RoleToolCreator, c.RoleClient, c.RoleAdmin}[i])
		if err := save(u); err != nil {
			t.Fatal(err)
		}
		row := c.AsAudit(lastAudit(t, app, "user.role"))
		want := fx.admin.id
		if i == 2 {
			want = "" // unknown: toolbase itself or the CLI
		}
		if row.Actor() != want {
			t.Errorf("save %d: actor %q, want %q", i, row.Actor(), want)
		}
	}
	if n := auditCount(t, app, "user.role"); n != 3+3 { // 3 fixture users created with a role
		t.Errorf("%d user.role rows", n)
	}

	// a change that fails leaves no audit row
	rows := count(t, app, c.AuditLog, nil)
	tool, _ := app.FindRecordById(c.Tools, fx.draft)
	tool.Set(c.ToolStatus, "NOPE")
	if err := app.Save(tool); err == nil {
		t.Fatal("an invalid status was saved")
	}
	if n := count(t, app, c.AuditLog, nil); n != rows {
		t.Errorf("a failed save left %d audit rows", n-rows)
	}

	// the log is append-only, superusers included
	last := lastAudit(t, app, "user.role")
	last.Set(c.AuditAction, "nothing")
	if err := app.Save(last); err == nil {
		t.Error("an audit row was changed")
	}
	if err := app.Delete(last); err == nil {
		t.Error("an audit row was deleted")
	}
	if err := audit(app, nil, "x.test", "none/1", nil, map[string]any{"ok": true}); err != nil {
		t.Fatal(err)
	}
}

func TestAuditLogRoute(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		{
			Name:            "anonymous is 401",
			Method:          http.MethodGet,
			URL:             "/api/audit-log/",
			ExpectedStatus:  401,
			ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a client is 403",
			Method:          http.MethodGet,
			URL:             "/api/audit-log/",
			Headers:         auth(fx.client),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:           "an admin reads the log, newest first, filtered by an action prefix",
			Method:         http.MethodGet,
			URL:            "/api/audit-log/?action=payout.",
			Headers:        auth(fx.admin),
			BeforeTestFunc: then(earn(13), withPayout(payoutID, fx.creator.id, 100, c.PayoutRequested), approvePayout),
			ExpectedStatus: 200,
			ExpectedContent: []string{`"count":1`, `"actor":"` + fx.admin.id + `"`, `"actor_email":"` + fx.admin.email + `"`,
				`"actor_role":"ADMIN"`, `"action":"payout.approve"`, `"target":"payouts/` + payoutID + `"`,
				`"before":{`, `"status":"REQUESTED"`, `"after":{`, `"status":"APPROVED"`},
			NotExpectedContent: []string{`"user.role"`},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:            "and by target",
			Method:          http.MethodGet,
			URL:             "/api/audit-log/?target=users/" + fx.admin.id,
			Headers:         auth(fx.admin),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":1`, `"action":"user.role"`, `"actor":null`},
			TestAppFactory:  testAppFactory,
		},
	}
	for _, s := range scenarios {
		verifiedAfter(&s)
		s.Test(t)
	}
}

// approvePayout approves payoutID as fx.admin, through the route's code.
func approvePayout(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	admin, err := app.FindRecordById(c.Users, fx.admin.id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := approvePayoutMove.decideAs(app, admin, payoutID, func(*core.Record) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestPlatformRecordsRules is the rule matrix of the new collections on the
// PocketBase records API.
func TestPlatformRecordsRules(t *testing.T) {
	t.Parallel()
	var f refundFixture
	su := map[string]string{}
	anon := map[string]string{}
	list := func(collection string) string { return recordsURL(collection, "") }
	payoutSetup := then(earn(13), withPayout(payoutID, fx.creator.id, 100, c.PayoutRequested))
	refundSetup := then(f.uses(1), f.requested())
	type cell struct {
		name    string
		method  string
		url     string
		headers map[string]string
		body    string
		setup   func(testing.TB, *tests.TestApp, *core.ServeEvent)
		status  int
		expect  []string
		not     []string
		factory func(testing.TB) *tests.TestApp
	}
	cells := []cell{
		// payouts
		{"payouts: anonymous lists none", "GET", list(c.Payouts), anon, "", payoutSetup, 200, []string{`"totalItems":0`}, nil, nil},
		{"payouts: a client lists none", "GET", list(c.Payouts), auth(fx.client), "", payoutSetup, 200, []string{`"totalItems":0`}, nil, nil},
		{"payouts: the creator lists its own", "GET", list(c.Payouts), auth(fx.creator), "", payoutSetup, 200, []string{`"totalItems":1`, payoutID}, nil, nil},
		{"payouts: another creator lists none", "GET", list(c.Payouts), auth(fx.creator2), "", payoutSetup, 200, []string{`"totalItems":0`}, nil, nil},
		{"payouts: an admin lists all", "GET", list(c.Payouts), auth(fx.admin), "", payoutSetup, 200, []string{`"totalItems":1`}, nil, nil},
		{"payouts: another creator's view is 404", "GET", recordsURL(c.Payouts, payoutID), auth(fx.creator2), "", payoutSetup, 404, []string{`"status":404`}, nil, nil},
		{"payouts: a creator requests its own", "POST", list(c.Payouts), auth(fx.creator), `{"amount":100,"method":"paypal"}`, earn(13), 200,
			[]string{`"status":"REQUESTED"`, `"creator":"` + fx.creator.id + `"`}, nil, nil},
		{"payouts: over the balance is 400", "POST", list(c.Payouts), auth(fx.creator), `{"amount":105}`, earn(13), 400,
			[]string{`"amount":{"code":"toolbase_payout_over_balance"`}, nil, nil},
		{"payouts: a creator's status is ignored", "POST", list(c.Payouts), auth(fx.creator), `{"amount":100,"status":"PAID","reference":"x","processed_by":"` + fx.admin.id + `"}`, earn(13), 200,
			[]string{`"status":"REQUESTED"`, `"reference":""`, `"processed_by":""`}, nil, nil},
		{"payouts: a creator cannot request for another", "POST", list(c.Payouts), auth(fx.creator2), `{"amount":100,"creator":"` + fx.creator.id + `"}`, earn(13), 400,
			[]string{`"status":400`}, nil, nil},
		{"payouts: a client cannot request", "POST", list(c.Payouts), auth(fx.client), `{"amount":100}`, nil, 400, []string{`"status":400`}, nil, nil},
		{"payouts: an admin cannot update", "PATCH", recordsURL(c.Payouts, payoutID), auth(fx.admin), `{"status":"PAID"}`, payoutSetup, 403, []string{`"status":403`}, nil, nil},
		{"payouts: a superuser cannot update", "PATCH", recordsURL(c.Payouts, payoutID), su, `{"status":"PAID"}`, payoutSetup, 403, []string{`"status":403`}, nil, superuserFactory(su)},
		{"payouts: an admin cannot delete", "DELETE", recordsURL(c.Payouts, payoutID), auth(fx.admin), "", payoutSetup, 403, []string{`"status":403`}, nil, nil},
		{"payouts: a superuser cannot delete", "DELETE", recordsURL(c.Payouts, payoutID), su, "", payoutSetup, 403, []string{`"status":403`}, nil, superuserFactory(su)},

		// refunds
		{"refunds: the requester lists its own", "GET", list(c.Refunds), auth(fx.client), "", refundSetup, 200, []string{`"totalItems":1`, refundID}, nil, nil},
		{"refunds: another client lists none", "GET", list(c.Refunds), auth(fx.client2), "", refundSetup, 200, []string{`"totalItems":0`}, nil, nil},
		{"refunds: the tool's creator lists none", "GET", list(c.Refunds), auth(fx.creator), "", refundSetup, 200, []string{`"totalItems":0`}, nil, nil},
		{"refunds: an admin lists all", "GET", list(c.Refunds), auth(fx.admin), "", refundSetup, 200, []string{`"totalItems":1`}, nil, nil},
		{"refunds: another client's view is 404", "GET", recordsURL(c.Refunds, refundID), auth(fx.client2), "", refundSetup, 404, nil, nil, nil},
		{"refunds: the payer requests", "POST", list(c.Refunds), auth(fx.client), "@usage", f.uses(1), 200,
			[]string{`"status":"REQUESTED"`, `"amount":10`, `"requester":"` + fx.client.id + `"`}, nil, nil},
		{"refunds: someone else's usage is 400", "POST", list(c.Refunds), auth(fx.client2), "@usage", f.uses(1), 400, []string{`"status":400`}, nil, nil},
		{"refunds: the payer's status is ignored", "POST", list(c.Refunds), auth(fx.client), "@usage+status", f.uses(1), 200,
			[]string{`"status":"REQUESTED"`, `"amount":10`, `"creator_reversal":0`}, nil, nil},
		{"refunds: an admin cannot update", "PATCH", recordsURL(c.Refunds, refundID), auth(fx.admin), `{"status":"APPROVED"}`, refundSetup, 403, nil, nil, nil},
		{"refunds: a superuser cannot update", "PATCH", recordsURL(c.Refunds, refundID), su, `{"status":"APPROVED"}`, refundSetup, 403, nil, nil, superuserFactory(su)},
		{"refunds: an admin cannot delete", "DELETE", recordsURL(c.Refunds, refundID), auth(fx.admin), "", refundSetup, 403, nil, nil, nil},

		// support tickets
		{"tickets: anonymous lists none", "GET", list(c.SupportTickets), anon, "", withTickets, 200, []string{`"totalItems":0`}, nil, nil},
		{"tickets: a user lists its own", "GET", list(c.SupportTickets), auth(fx.client), "", withTickets, 200, []string{`"totalItems":1`, ticketID}, nil, nil},
		{"tickets: an admin lists all", "GET", list(c.SupportTickets), auth(fx.admin), "", withTickets, 200, []string{`"totalItems":2`}, nil, nil},
		{"tickets: another user's view is 404", "GET", recordsURL(c.SupportTickets, ticket2ID), auth(fx.client), "", withTickets, 404, nil, nil, nil},
		{"tickets: a user opens one", "POST", list(c.SupportTickets), auth(fx.client), `{"subject":"help"}`, nil, 200,
			[]string{`"status":"OPEN"`, `"priority":"NORMAL"`, `"requester":"` + fx.client.id + `"`}, nil, nil},
		{"tickets: not for someone else", "POST", list(c.SupportTickets), auth(fx.client), `{"subject":"help","requester":"` + fx.client2.id + `"}`, nil, 400, nil, nil, nil},
		{"tickets: not born closed", "POST", list(c.SupportTickets), auth(fx.client), `{"subject":"help","status":"CLOSED"}`, nil, 400, nil, nil, nil},
		{"tickets: not self-assigned", "POST", list(c.SupportTickets), auth(fx.client), `{"subject":"help","assigned_to":"` + fx.admin.id + `"}`, nil, 400, nil, nil, nil},
		{"tickets: the requester edits the subject", "PATCH", recordsURL(c.SupportTickets, ticketID), auth(fx.client), `{"subject":"still broken"}`, withTickets, 200, []string{`"subject":"still broken"`}, nil, nil},
		{"tickets: the requester closes it", "PATCH", recordsURL(c.SupportTickets, ticketID), auth(fx.client), `{"status":"CLOSED"}`, withTickets, 200, []string{`"status":"CLOSED"`}, nil, nil},
		{"tickets: the requester cannot resolve it", "PATCH", recordsURL(c.SupportTickets, ticketID), auth(fx.client), `{"status":"RESOLVED"}`, withTickets, 404, nil, nil, nil},
		{"tickets: the requester cannot assign it", "PATCH", recordsURL(c.SupportTickets, ticketID), auth(fx.client), `{"assigned_to":"` + fx.admin.id + `"}`, withTickets, 404, nil, nil, nil},
		{"tickets: nobody edits another's", "PATCH", recordsURL(c.SupportTickets, ticket2ID), auth(fx.client), `{"subject":"x"}`, withTickets, 404, nil, nil, nil},
		{"tickets: an admin resolves it", "PATCH", recordsURL(c.SupportTickets, ticketID), auth(fx.admin), `{"status":"RESOLVED"}`, withTickets, 200, []string{`"status":"RESOLVED"`}, nil, nil},
		{"tickets: an admin cannot reassign the requester", "PATCH", recordsURL(c.SupportTickets, ticketID), auth(fx.admin), `{"requester":"` + fx.client2.id + `"}`, withTickets, 404, nil, nil, nil},
		{"tickets: an admin cannot delete", "DELETE", recordsURL(c.SupportTickets, ticketID), auth(fx.admin), "", withTickets, 403, nil, nil, nil},

		// ticket messages
		{"messages: the requester lists its ticket's, without internal notes", "GET", list(c.TicketMessages), auth(fx.client), "", withTickets, 200,
			[]string{`"totalItems":2`}, []string{"SECRET", ticket2ID}, nil},
		{"messages: the requester cannot filter its way to a note", "GET", list(c.TicketMessages) + "?filter=internal%3Dtrue", auth(fx.client), "", withTickets, 200,
			[]string{`"totalItems":0`}, nil, nil},
		{"messages: an admin lists all", "GET", list(c.TicketMessages), auth(fx.admin), "", withTickets, 200, []string{`"totalItems":6`, "SECRET"}, nil, nil},
		{"messages: anonymous lists none", "GET", list(c.TicketMessages), anon, "", withTickets, 200, []string{`"totalItems":0`}, nil, nil},
		{"messages: the requester writes on its ticket", "POST", list(c.TicketMessages), auth(fx.client), `{"ticket":"` + ticketID + `","body":"hi"}`, withTickets, 200,
			[]string{`"author":"` + fx.client.id + `"`, `"internal":false`}, nil, nil},
		{"messages: not as someone else", "POST", list(c.TicketMessages), auth(fx.client), `{"ticket":"` + ticketID + `","body":"hi","author":"` + fx.admin.id + `"}`, withTickets, 400, nil, nil, nil},
		{"messages: no internal note from the requester", "POST", list(c.TicketMessages), auth(fx.client), `{"ticket":"` + ticketID + `","body":"hi","internal":true}`, withTickets, 400, nil, nil, nil},
		{"messages: not on another's ticket", "POST", list(c.TicketMessages), auth(fx.client), `{"ticket":"` + ticket2ID + `","body":"hi"}`, withTickets, 400, nil, nil, nil},
		{"messages: not on a closed ticket", "POST", list(c.TicketMessages), auth(fx.client), `{"ticket":"` + ticketID + `","body":"hi"}`, withClosedTicket, 400, nil, nil, nil},
		{"messages: an admin writes an internal note", "POST", list(c.TicketMessages), auth(fx.admin), `{"ticket":"` + ticketID + `","body":"note","internal":true}`, withTickets, 200,
			[]string{`"internal":true`, `"author":"` + fx.admin.id + `"`}, nil, nil},
		{"messages: nobody updates", "PATCH", list(c.TicketMessages) + "/x", auth(fx.admin), `{"body":"x"}`, withTickets, 403, nil, nil, nil},

		// site pages
		{"pages: anonymous lists the published", "GET", list(c.SitePages), anon, "", withPages, 200, []string{`"totalItems":2`}, []string{"roadmap"}, nil},
		{"pages: a client lists the published", "GET", list(c.SitePages), auth(fx.client), "", withPages, 200, []string{`"totalItems":2`}, nil, nil},
		{"pages: an admin lists all", "GET", list(c.SitePages), auth(fx.admin), "", withPages, 200, []string{`"totalItems":3`}, nil, nil},
		{"pages: anonymous views a published one", "GET", recordsURL(c.SitePages, pageID), anon, "", withPages, 200, []string{`"slug":"about"`}, nil, nil},
		{"pages: an admin creates", "POST", list(c.SitePages), auth(fx.admin), `{"slug":"faq","title":"FAQ","body":"<p>q</p>","published":true}`, nil, 200,
			[]string{`"slug":"faq"`, `"updated_by":"` + fx.admin.id + `"`, `"kind":"PAGE"`}, nil, nil},
		{"pages: a client cannot create", "POST", list(c.SitePages), auth(fx.client), `{"slug":"faq","title":"FAQ"}`, nil, 400, nil, nil, nil},
		{"pages: a slug is unique", "POST", list(c.SitePages), auth(fx.admin), `{"slug":"about","title":"x"}`, withPages, 400, []string{`"slug":{"code":"validation_not_unique"`}, nil, nil},
		{"pages: a client cannot update", "PATCH", recordsURL(c.SitePages, pageID), auth(fx.client), `{"title":"x"}`, withPages, 404, nil, nil, nil},
		{"pages: an admin updates", "PATCH", recordsURL(c.SitePages, pageID), auth(fx.admin), `{"title":"About us"}`, withPages, 200, []string{`"title":"About us"`}, nil, nil},
		{"pages: a client cannot delete", "DELETE", recordsURL(c.SitePages, pageID), auth(fx.client), "", withPages, 404, nil, nil, nil},
		{"pages: an admin deletes", "DELETE", recordsURL(c.SitePages, pageID), auth(fx.admin), "", withPages, 204, nil, nil, nil},

		// audit log
		{"audit: an admin lists it", "GET", list(c.AuditLog), auth(fx.admin), "", nil, 200, []string{`"action":"user.role"`}, nil, nil},
		{"audit: a client lists none", "GET", list(c.AuditLog), auth(fx.client), "", nil, 200, []string{`"totalItems":0`}, nil, nil},
		{"audit: a creator lists none", "GET", list(c.AuditLog), auth(fx.creator), "", nil, 200, []string{`"totalItems":0`}, nil, nil},
		{"audit: an admin cannot write", "POST", list(c.AuditLog), auth(fx.admin), `{"action":"forged"}`, nil, 403, nil, nil, nil},
		{"audit: a superuser cannot write", "POST", list(c.AuditLog), su, `{"action":"forged"}`, nil, 403, nil, nil, superuserFactory(su)},
	}
	for _, cl := range cells {
		// "@usage": a refund request for the usage the setup recorded
		reader := body(cl.body)
		switch cl.body {
		case "@usage":
			reader = lazy(func() string { return `{"usage":"` + f.usages[0] + `","reason":"broken"}` })
		case "@usage+status":
			reader = lazy(func() string {
				return `{"usage":"` + f.usages[0] + `","reason":"broken","status":"APPROVED","creator_reversal":8}`
			})
		}
		factory := cl.factory
		if factory == nil {
			factory = testAppFactory
		}
		expect := cl.expect
		if len(expect) == 0 && cl.status != 204 {
			expect = []string{`"status":`}
		}
		s := tests.ApiScenario{
			Name: cl.name, Method: cl.method, URL: cl.url, Headers: cl.headers, Body: reader,
			BeforeTestFunc: cl.setup, ExpectedStatus: cl.status, ExpectedContent: expect, NotExpectedContent: cl.not,
			TestAppFactory: factory,
			AfterTestFunc:  func(t testing.TB, app *tests.TestApp, _ *http.Response) { mustVerify(t, app) },
		}
		f = refundFixture{}
		s.Test(t)
	}
}

// TestRealtimeHidesInternalNotes: realtime applies the messages' rule, so a
// requester subscribed to ticket_messages never receives an internal note.
func TestRealtimeHidesInternalNotes(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	createTicket(t, app, ticketID, fx.client.id, c.TicketOpen)
	base := serve(t, app)

	events := func(u fixtureUser) (<-chan string, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/realtime", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out := make(chan string, 16)
		connected := make(chan string, 1)
		go func() {
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			var event string
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "event:"):
					event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
				case strings.HasPrefix(line, "data:"):
					data := strings.TrimSpace(strings.TrimPrefix(line, "data:"))
					if event == "PB_CONNECT" {
						var v struct{ ClientID string }
						_ = json.Unmarshal([]byte(data), &v)
						connected <- v.ClientID
					} else {
						out <- data
					}
				}
			}
		}()
		var id string
		select {
		case id = <-connected:
		case <-time.After(5 * time.Second):
			t.Fatal("no PB_CONNECT")
		}
		status, text := post(t, base+"/api/realtime", u.auth, "", `{"clientId":"`+id+`","subscriptions":["ticket_messages"]}`)
		if status != http.StatusNoContent {
			t.Fatalf("subscribe: %d %s", status, text)
		}
		return out, cancel
	}
	clientEvents, stopClient := events(fx.client)
	defer stopClient()
	adminEvents, stopAdmin := events(fx.admin)
	defer stopAdmin()

	for _, m := range []struct {
		body     string
		internal bool
	}{{"HIDDEN internal note", true}, {"visible answer", false}} {
		if status, text := post(t, base+ticketURL(ticketID, "messages/"), fx.admin.auth, "",
			`{"body":"`+m.body+`","internal":`+map[bool]string{true: "true", false: "false"}[m.internal]+`}`); status != 201 {
			t.Fatalf("post message: %d %s", status, text)
		}
	}
	receive := func(ch <-chan string, n int) []string {
		var got []string
		for len(got) < n {
			select {
			case d := <-ch:
				got = append(got, d)
			case <-time.After(5 * time.Second):
				return got
			}
		}
		return got
	}
	admin := strings.Join(receive(adminEvents, 2), "\n")
	if !strings.Contains(admin, "HIDDEN internal note") || !strings.Contains(admin, "visible answer") {
		t.Errorf("admin events:\n%s", admin)
	}
	client := strings.Join(receive(clientEvents, 1), "\n")
	if !strings.Contains(client, "visible answer") {
		t.Errorf("client events:\n%s", client)
	}
	// anything more for the client would be the note
	select {
	case d := <-clientEvents:
		t.Errorf("the requester received %s", d)
	case <-time.After(300 * time.Millisecond):
	}
	if strings.Contains(client, "HIDDEN") {
		t.Errorf("the requester received the internal note:\n%s", client)
	}
}
