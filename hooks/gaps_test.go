package hooks

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// setNames gives the fixture users first and last names other than their
// usernames: creator2 "Ada Lovelace", creator " Charles " (no last name),
// client none at all, client2 only a last name.
func setNames(t testing.TB, app core.App) {
	t.Helper()
	for _, u := range []struct{ id, first, last string }{
		{fx.creator2.id, "Ada", "Lovelace"},
		{fx.creator.id, " Charles ", ""},
		{fx.client.id, "", ""},
		{fx.client2.id, "", "Hopper"},
	} {
		r, err := app.FindRecordById(c.Users, u.id)
		if err != nil {
			t.Fatal(err)
		}
		r.Set(c.UserFirstName, u.first)
		r.Set(c.UserLastName, u.last)
		if err := ledger.SaveSystem(app, r); err != nil {
			t.Fatal(err)
		}
	}
}

// *_name fields are Django's get_full_name(): "first last", stripped, empty
// when both are empty, never the username.
func TestFullNames(t *testing.T) {
	t.Parallel()
	setup := func(t testing.TB, app *tests.TestApp) {
		setNames(t, app)
		addReview(t, app, "fbnamesclient01", fx.client.id, fx.active, true)
		addReview(t, app, "fbnamesclient02", fx.client2.id, fx.active, true)
	}
	runCases(t, []apiCase{
		{name: "tool list: creator_name", method: "GET", url: "/api/tools/tools/?creator=" + fx.creator2.id, auth: fx.client.auth, setup: setup,
			status: 200, want: []string{`"creator_name":"Ada Lovelace"`}, notWant: []string{`"creator_name":"creator2"`}},
		{name: "tool list: creator_name empty when both names are, not the username", method: "GET", url: "/api/tools/tools/?creator=" + fx.creator2.id,
			auth: fx.client.auth, setup: func(t testing.TB, app *tests.TestApp) {
				r, err := app.FindRecordById(c.Users, fx.creator2.id)
				if err != nil {
					t.Fatal(err)
				}
				r.Set(c.UserFirstName, "")
				if err := ledger.SaveSystem(app, r); err != nil {
					t.Fatal(err)
				}
			},
			status: 200, want: []string{`"creator_name":""`}, notWant: []string{`"creator_name":"creator2"`}},
		{name: "tool detail: creator_name stripped", method: "GET", url: toolURL(fx.active), auth: fx.client.auth, setup: setup,
			status: 200, want: []string{`"creator_name":"Charles"`}},
		{name: "search: creator_name", method: "GET", url: "/api/tools/tools/search/?q=ACTIVE", auth: fx.client.auth, setup: setup,
			status: 200, want: []string{`"creator_name":"Charles"`, `"creator_name":"Ada Lovelace"`}},
		{name: "feedback: user_name, empty without names", method: "GET", url: "/api/tools/feedback/", auth: fx.admin.auth, setup: setup,
			status: 200, want: []string{`"user_name":"","rating"`, `"user_name":"Hopper"`},
			notWant: []string{`"user_name":"client"`, `"user_name":"client2"`}},
		{name: "tool's public feedback: user_name", method: "GET", url: toolURL(fx.active) + "feedback/", auth: fx.client.auth, setup: setup,
			status: 200, want: []string{`"user_name":"Hopper"`}, notWant: []string{`"user_name":"client2"`}},
		{name: "platform stats: top_creators' creator_name", method: "GET", url: "/api/tools/usage/stats/?from=2025-01-01&to=2025-01-31",
			auth: fx.admin.auth, setup: setup,
			status: 200, want: []string{`"creator_name":"Charles"`, `"creator_name":"Ada Lovelace"`},
			notWant: []string{`"creator_name":"creator"`, `"creator_name":"creator2"`}},
	})
}

// toolStatusAudits counts the "tool.status" audit rows of actor.
func toolStatusAudits(actor string, want int64) func(testing.TB, *tests.TestApp) {
	return countIs(c.AuditLog, dbx.HashExp{c.AuditAction: "tool.status", c.AuditActor: actor}, want)
}

// An admin (or a superuser) creating a tool past review leaves an audit row;
// a creator's DRAFT or PENDING tool does not.
func TestToolCreatedPastReviewIsAudited(t *testing.T) {
	t.Parallel()
	createdBy := func(actor, role, status string) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, res *http.Response) {
			t.Helper()
			var body struct {
				ID string `json:"id"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			rows, err := app.FindAllRecords(c.AuditLog, dbx.HashExp{c.AuditAction: "tool.status", c.AuditTarget: c.Tools + "/" + body.ID})
			if err != nil || len(rows) != 1 {
				t.Fatalf("%d tool.status rows for the new tool (err %v), want 1", len(rows), err)
			}
			a := c.AsAudit(rows[0])
			if (actor != "" && a.Actor() != actor) || a.ActorRole() != role {
				t.Errorf("audit actor %q role %q, want %q %q", a.Actor(), a.ActorRole(), actor, role)
			}
			if got := rows[0].GetString(c.AuditAfter); !json.Valid([]byte(got)) || !strings.Contains(got, `"status":"`+status+`"`) {
				t.Errorf("audit after %s, want status %s", got, status)
			}
		}
	}
	list := "/api/tools/tools/"
	runCases(t, []apiCase{
		{name: "DRF route: admin creates an ACTIVE tool", method: "POST", url: list, auth: fx.admin.auth, body: `{"name":"X","status":"ACTIVE"}`,
			status: 201, want: []string{`"status":"ACTIVE"`}, check: createdBy(fx.admin.id, c.RoleAdmin, c.StatusActive)},
		{name: "DRF route: admin creates a SUSPENDED tool", method: "POST", url: list, auth: fx.admin.auth, body: `{"name":"X","status":"SUSPENDED"}`,
			status: 201, want: []string{`"status":"SUSPENDED"`}, check: createdBy(fx.admin.id, c.RoleAdmin, c.StatusSuspended)},
		{name: "DRF route: admin's DRAFT is not audited", method: "POST", url: list, auth: fx.admin.auth, body: `{"name":"X"}`,
			status: 201, want: []string{`"status":"DRAFT"`}, check: func(t testing.TB, app *tests.TestApp, _ *http.Response) { toolStatusAudits(fx.admin.id, 0)(t, app) }},
		{name: "DRF route: creator's PENDING is not audited", method: "POST", url: list, auth: fx.creator.auth, body: `{"name":"X","status":"PENDING"}`,
			status: 201, want: []string{`"status":"PENDING"`}, check: func(t testing.TB, app *tests.TestApp, _ *http.Response) { toolStatusAudits(fx.creator.id, 0)(t, app) }},
		{name: "DRF route: creator's ignored ACTIVE is not audited", method: "POST", url: list, auth: fx.creator.auth, body: `{"name":"X","status":"ACTIVE"}`,
			status: 201, want: []string{`"status":"DRAFT"`},
			check: func(t testing.TB, app *tests.TestApp, _ *http.Response) { toolStatusAudits(fx.creator.id, 0)(t, app) }},
	})
	runRuleCases(t, rulesApp, []ruleCase{
		{name: "records API: admin creates an ACTIVE tool", method: http.MethodPost, url: records(c.Tools), as: fx.admin.auth,
			body: `{"name":"Y","status":"ACTIVE","creator":"` + fx.admin.id + `"}`, status: 200, want: []string{`"status":"ACTIVE"`},
			after: toolStatusAudits(fx.admin.id, 1)},
		{name: "records API: superuser creates an ACTIVE tool", method: http.MethodPost, url: records(c.Tools), as: asSuperuser,
			body: `{"name":"Y","status":"ACTIVE","creator":"` + fx.creator.id + `"}`, status: 200, want: []string{`"status":"ACTIVE"`},
			after: countIs(c.AuditLog, dbx.HashExp{c.AuditAction: "tool.status", c.AuditActorRole: c.ActorSuperuser, c.AuditActorEmail: "root@test.example"}, 1)},
		{name: "records API: creator's DRAFT is not audited", method: http.MethodPost, url: records(c.Tools), as: fx.creator.auth,
			body: `{"name":"Y","status":"DRAFT"}`, status: 200, want: []string{`"status":"DRAFT"`}, after: toolStatusAudits(fx.creator.id, 0)},
	})
}

// A superuser's dashboard edit of a balance (an ADJUSTMENT) names the
// superuser in its audit row.
func TestAdjustmentAuditNamesTheSuperuser(t *testing.T) {
	t.Parallel()
	runRuleCases(t, rulesApp, []ruleCase{
		{name: "superuser sets a balance", method: http.MethodPatch, url: record(c.Users, fx.client2.id), as: asSuperuser,
			body: `{"points_balance":1250}`, status: 200, want: []string{`"points_balance":1250`},
			after: countIs(c.AuditLog, dbx.HashExp{c.AuditAction: "points.adjust", c.AuditTarget: c.Users + "/" + fx.client2.id,
				c.AuditActorRole: c.ActorSuperuser, c.AuditActorEmail: "root@test.example"}, 1)},
	})
}
