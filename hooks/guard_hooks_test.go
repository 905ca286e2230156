package hooks

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// The server-owned fields guard and the ADJUSTMENT path, seen through the
// records API as a superuser (the dashboard's own client) and through Go saves.

// ledgerIntact asserts that `ledger verify` passes.
func ledgerIntact(t testing.TB, app *tests.TestApp) {
	t.Helper()
	mustVerify(t, app)
	var out bytes.Buffer
	if err := verifyTo(app, &out); err != nil {
		t.Errorf("ledger verify: %v\n%s", err, out.String())
	}
}

// adjustments asserts the ADJUSTMENT rows of a user, oldest first.
func adjustments(user string, want ...int64) func(testing.TB, *tests.TestApp) {
	return func(t testing.TB, app *tests.TestApp) {
		t.Helper()
		rows, err := app.FindRecordsByFilter(c.PointTransactions, "user = {:user} && kind = {:kind}", "created_at", 0, 0,
			dbx.Params{"user": user, "kind": c.KindAdjustment})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range rows {
			got = append(got, r.GetInt64(c.TxAmount))
			if r.GetString(c.TxAccount) != c.AccountPoints {
				t.Errorf("ADJUSTMENT row %s on account %q", r.Id, r.GetString(c.TxAccount))
			}
		}
		if len(got) != len(want) {
			t.Fatalf("ADJUSTMENT rows of %s: %v, want %v", user, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("ADJUSTMENT rows of %s: %v, want %v", user, got, want)
			}
		}
	}
}

func TestGuardSuperuserBalanceEdits(t *testing.T) {
	t.Parallel()
	client := fx.client
	url := record(c.Users, client.id)
	clientBalance := fixturePoints - activeCost // 990 in the rules fixtures
	rows := func(n int64) func(testing.TB, *tests.TestApp) { return countIs(c.PointTransactions, nil, n) }
	const newEmail = "made@test.example"

	runRuleCases(t, rulesApp, []ruleCase{
		{name: "superuser raises a balance: one ADJUSTMENT row with the delta", method: http.MethodPatch, url: url, as: asSuperuser,
			body: `{"points_balance":1500}`, status: 200, want: []string{`"points_balance":1500`},
			after: all(adjustments(client.id, 1500-int64(clientBalance)), rows(7),
				field(c.Users, client.id, c.UserPointsBalance, 1500), ledgerIntact)},
		{name: "superuser lowers a balance", method: http.MethodPatch, url: url, as: asSuperuser,
			body: `{"points_balance":40,"first_name":"Lowered"}`, status: 200, want: []string{`"points_balance":40`, `"first_name":"Lowered"`},
			after: all(adjustments(client.id, 40-int64(clientBalance)), rows(7),
				field(c.Users, client.id, c.UserFirstName, "Lowered"), ledgerIntact)},
		{name: "superuser adds with points_balance+", method: http.MethodPatch, url: url, as: asSuperuser,
			body: `{"points_balance+":25}`, status: 200, want: []string{`"points_balance":` + strconv.Itoa(clientBalance+25)},
			after: all(adjustments(client.id, 25), rows(7), ledgerIntact)},
		{name: "superuser sends the unchanged balance: no row", method: http.MethodPatch, url: url, as: asSuperuser,
			body: `{"points_balance":` + strconv.Itoa(clientBalance) + `,"bio":"same"}`, status: 200, want: []string{`"bio":"same"`},
			after: all(adjustments(client.id), rows(6), ledgerIntact)},
		{name: "superuser takes a balance below zero", method: http.MethodPatch, url: url, as: asSuperuser,
			body: `{"points_balance":-5,"first_name":"Negative"}`, status: 400, want: []string{`"status":400`, `"points_balance":{"code":"toolbase_negative_balance"`},
			after: all(adjustments(client.id), rows(6), field(c.Users, client.id, c.UserPointsBalance, clientBalance),
				field(c.Users, client.id, c.UserFirstName, "client"), ledgerIntact)},
		{name: "superuser deducts below zero with points_balance-", method: http.MethodPatch, url: url, as: asSuperuser,
			body: `{"points_balance-":` + strconv.Itoa(clientBalance+1) + `,"first_name":"Negative"}`, status: 400,
			want: []string{`"status":400`, `"points_balance":{"code":"toolbase_negative_balance"`},
			after: all(adjustments(client.id), rows(6), field(c.Users, client.id, c.UserPointsBalance, clientBalance),
				field(c.Users, client.id, c.UserFirstName, "client"), ledgerIntact)},
		{name: "superuser raises a balance above the maximum", method: http.MethodPatch, url: url, as: asSuperuser,
			body: `{"points_balance":2000000000000}`, status: 400,
			want:  []string{`"status":400`, `"points_balance":{"code":"toolbase_balance_limit"`},
			after: all(adjustments(client.id), rows(6), field(c.Users, client.id, c.UserPointsBalance, clientBalance), ledgerIntact)},
		{name: "superuser creates a user with points: an ADJUSTMENT row", method: http.MethodPost, url: records(c.Users), as: asSuperuser,
			body:   `{"email":"` + newEmail + `","password":"new-pass-123","passwordConfirm":"new-pass-123","points_balance":300}`,
			status: 200, want: []string{`"points_balance":300`, `"role":"CLIENT"`},
			after: func(t testing.TB, app *tests.TestApp) {
				u, err := app.FindAuthRecordByEmail(c.Users, newEmail)
				if err != nil {
					t.Fatal(err)
				}
				if got := u.GetInt64(c.UserPointsBalance); got != 300 {
					t.Errorf("balance %d, want 300", got)
				}
				adjustments(u.Id, 300)(t, app)
				rows(7)(t, app)
				ledgerIntact(t, app)
			}},
		{name: "superuser sets a user's total_revenue: ignored", method: http.MethodPatch, url: record(c.Users, fx.creator.id), as: asSuperuser,
			body: `{"total_revenue":100000}`, status: 200, want: []string{`"total_revenue":` + strconv.Itoa(activeCost-activeCost*feePercent/100)},
			after: all(field(c.Users, fx.creator.id, c.UserTotalRevenue, activeCost-activeCost*feePercent/100), rows(6), ledgerIntact)},
		{name: "superuser sets a user's total_payouts: ignored", method: http.MethodPatch, url: record(c.Users, fx.creator.id), as: asSuperuser,
			body: `{"total_payouts":1}`, status: 200, want: []string{`"total_payouts":0`},
			after: all(field(c.Users, fx.creator.id, c.UserTotalPayouts, 0), ledgerIntact)},
		{name: "superuser creates a user with total_revenue: ignored", method: http.MethodPost, url: records(c.Users), as: asSuperuser,
			body:   `{"email":"` + newEmail + `","password":"new-pass-123","passwordConfirm":"new-pass-123","total_revenue":300}`,
			status: 200, want: []string{`"total_revenue":0`},
			after: all(countIs(c.Users, dbx.HashExp{c.UserEmail: newEmail, c.UserTotalRevenue: 0}, 1), ledgerIntact)},
	})
}

func TestGuardSuperuserToolCounters(t *testing.T) {
	t.Parallel()
	var cases []ruleCase
	for _, f := range []struct {
		name string
		was  any
	}{
		{c.ToolTotalUses, 1}, {c.ToolTotalRevenue, activeCost}, {c.ToolAverageRating, 4}, {c.ToolRatingCount, 1},
	} {
		cases = append(cases,
			ruleCase{name: "superuser sets " + f.name + ": ignored, the rest saved", method: http.MethodPatch, url: record(c.Tools, fx.active), as: asSuperuser,
				body: `{"` + f.name + `":3,"description":"edited"}`, status: 200, want: []string{`"description":"edited"`},
				after: all(field(c.Tools, fx.active, f.name, f.was), field(c.Tools, fx.active, c.ToolDescription, "edited"), ledgerIntact)},
			ruleCase{name: "superuser creates a tool with " + f.name + ": ignored", method: http.MethodPost, url: records(c.Tools), as: asSuperuser,
				body:   `{"name":"counted","creator":"` + fx.creator.id + `","` + f.name + `":3}`,
				status: 200, want: []string{`"` + f.name + `":0`},
				after: countIs(c.Tools, dbx.HashExp{c.ToolName: "counted", f.name: 0}, 1)},
		)
	}
	cases = append(cases, ruleCase{name: "superuser edits a tool's other fields", method: http.MethodPatch, url: record(c.Tools, fx.active), as: asSuperuser,
		body: `{"status":"SUSPENDED","total_uses":1}`, status: 200, want: []string{`"status":"SUSPENDED"`, `"total_uses":1`},
		after: field(c.Tools, fx.active, c.ToolStatus, c.StatusSuspended)})
	runRuleCases(t, rulesApp, cases)
}

func TestGuardLedgerAndUsageRows(t *testing.T) {
	t.Parallel()
	grant := grantRow(t, fx.client.id)
	rows := countIs(c.PointTransactions, nil, 6)
	runRuleCases(t, rulesApp, []ruleCase{
		{name: "superuser creates a ledger row", method: http.MethodPost, url: records(c.PointTransactions), as: asSuperuser,
			body:   `{"user":"` + fx.client.id + `","account":"points","kind":"GRANT","amount":500,"balance_after":1490}`,
			status: 403, want: []string{`"status":403`, "created only by toolbase"},
			after: all(rows, field(c.Users, fx.client.id, c.UserPointsBalance, fixturePoints-activeCost), ledgerIntact)},
		{name: "superuser updates a ledger row", method: http.MethodPatch, url: record(c.PointTransactions, grant), as: asSuperuser,
			body: `{"amount":5000,"note":"edited"}`, status: 403, want: []string{`"status":403`, "never changed"},
			after: all(rows, field(c.PointTransactions, grant, c.TxAmount, fixturePoints), field(c.PointTransactions, grant, c.TxNote, ""), ledgerIntact)},
		{name: "superuser deletes a ledger row", method: http.MethodDelete, url: record(c.PointTransactions, grant), as: asSuperuser,
			status: 403, want: []string{`"status":403`, "never deleted"}, after: all(rows, exists(c.PointTransactions, grant, true), ledgerIntact)},
		{name: "superuser creates a usage", method: http.MethodPost, url: records(c.ToolUsage), as: asSuperuser,
			body:   `{"tool":"` + fx.active + `","user":"` + fx.client.id + `","points_spent":0}`,
			status: 403, want: []string{`"status":403`, "created only by toolbase"}, after: all(countIs(c.ToolUsage, nil, 2), ledgerIntact)},
		{name: "superuser updates a usage: ignored", method: http.MethodPatch, url: record(c.ToolUsage, usageOfClient), as: asSuperuser,
			body: `{"points_spent":0}`, status: 200, want: []string{`"points_spent":` + strconv.Itoa(activeCost)},
			after: all(field(c.ToolUsage, usageOfClient, c.UsagePointsSpent, activeCost), ledgerIntact)},
		{name: "superuser deletes a usage", method: http.MethodDelete, url: record(c.ToolUsage, usageOfClient), as: asSuperuser,
			status: 403, want: []string{`"status":403`, "never deleted"}, after: all(exists(c.ToolUsage, usageOfClient, true), ledgerIntact)},
		{name: "superuser deletes a tool with usage", method: http.MethodDelete, url: record(c.Tools, fx.active), as: asSuperuser,
			status: 400, want: []string{`"status":400`},
			after: all(exists(c.Tools, fx.active, true), exists(c.ToolUsage, usageOfClient, true), ledgerIntact)},
		{name: "superuser deletes a user with usage", method: http.MethodDelete, url: record(c.Users, fx.client.id), as: asSuperuser,
			status: 400, want: []string{`"status":400`},
			after: all(exists(c.Users, fx.client.id, true), exists(c.ToolUsage, usageOfClient, true), rows, ledgerIntact)},
	})
}

// Go code outside the system path meets the same guards as the records API.
func TestGuardGoSaves(t *testing.T) {
	t.Parallel()
	app := rulesApp(t)

	usage, err := app.FindRecordById(c.ToolUsage, usageOfClient)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(usage); err == nil {
		t.Error("a usage was deleted")
	}
	if err := app.DeleteWithContext(ledger.SystemContext, usage); err == nil {
		t.Error("a usage was deleted on the system path")
	}
	row, err := app.FindFirstRecordByData(c.PointTransactions, c.TxUsage, usageOfClient)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(row); err == nil {
		t.Error("a ledger row was deleted")
	}
	row.Set(c.TxAmount, 1)
	if err := app.Save(row); err == nil {
		t.Error("a ledger row was changed")
	}
	tool, err := app.FindRecordById(c.Tools, fx.other)
	if err != nil {
		t.Fatal(err)
	}
	uses := tool.Get(c.ToolTotalUses)
	tool.Set(c.ToolTotalUses, 99)
	if err := app.Save(tool); err != nil {
		t.Fatal(err)
	}
	field(c.Tools, fx.other, c.ToolTotalUses, uses)(t, app)
	mustVerify(t, app)
	if n, _ := app.CountRecords(c.ToolUsage); n != 2 {
		t.Errorf("%d usages, want 2", n)
	}
}

// Deleting an API key keeps the usage made through it, unlinked.
func TestGuardKeyDeletionKeepsUsage(t *testing.T) {
	t.Parallel()
	app := rulesApp(t)
	usage, err := app.FindRecordById(c.ToolUsage, usageOfClient)
	if err != nil {
		t.Fatal(err)
	}
	usage.Set(c.UsageAPIKey, keyOfClient)
	if err := ledger.SaveSystem(app, usage); err != nil {
		t.Fatal(err)
	}
	key, err := app.FindRecordById(c.ToolAPIKeys, keyOfClient)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(key); err != nil {
		t.Fatalf("deleting a used key: %v", err)
	}
	usage, err = app.FindRecordById(c.ToolUsage, usageOfClient)
	if err != nil {
		t.Fatalf("the usage went with its key: %v", err)
	}
	if k := usage.GetString(c.UsageAPIKey); k != "" {
		t.Errorf("usage still refers to deleted key %q", k)
	}
	mustVerify(t, app)
}

// A save of a record read before its balance moved must not write the old
// balance back: saves write only the fields they changed.
func TestGuardLostUpdate(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	stale, err := app.FindRecordById(c.Users, fx.client.id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := postAudited(app, actorInfo{}, ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindGrant, Amount: 250}); err != nil {
		t.Fatal(err)
	}
	stale.Set(c.UserFirstName, "Stale")
	if err := app.Save(stale); err != nil {
		t.Fatalf("saving the stale record: %v", err)
	}
	fresh, err := app.FindRecordById(c.Users, fx.client.id)
	if err != nil {
		t.Fatal(err)
	}
	if got := fresh.GetInt64(c.UserPointsBalance); got != fixturePoints+250 {
		t.Errorf("balance %d after a stale profile save, want %d", got, fixturePoints+250)
	}
	if got := fresh.GetString(c.UserFirstName); got != "Stale" {
		t.Errorf("first_name %q, want Stale", got)
	}
	mustVerify(t, app)
}

// Go saves outside the system path never move a balance: only the ledger
// does, and a superuser's records-API edit (TestGuardDashboardForms).
func TestGuardGoSaveKeepsBalance(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u, err := app.FindRecordById(c.Users, fx.client.id)
	if err != nil {
		t.Fatal(err)
	}
	u.Set(c.UserPointsBalance, fixturePoints+100)
	u.Set(c.UserFirstName, "Edited")
	if err := app.Save(u); err != nil {
		t.Fatal(err)
	}
	if got := balance(t, app, fx.client.id); got != fixturePoints {
		t.Errorf("balance %d after a Go save, want %d", got, fixturePoints)
	}
	field(c.Users, fx.client.id, c.UserFirstName, "Edited")(t, app)
	adjustments(fx.client.id)(t, app)
	mustVerify(t, app)
}

// The dashboard sends every field of its form back. A form loaded before the
// balance moved carries the old balance: it is ignored and the rest saved. A
// form loaded after sets the balance with an ADJUSTMENT.
func TestGuardDashboardForms(t *testing.T) {
	t.Parallel()
	var loadedAt string
	form := func(balance int, bio string) func() string {
		return func() string {
			return `{"points_balance":` + strconv.Itoa(balance) + `,"bio":"` + bio + `","updated_at":"` + loadedAt + `"}`
		}
	}
	clientBalance := fixturePoints - activeCost
	for _, tc := range []struct {
		name        string
		moveFirst   bool // the balance moves after the form was loaded
		body        func() string
		wantBalance int64
		wantAdjust  []int64
	}{
		{"a fresh form sets the balance", false, form(clientBalance+50, "fresh"), int64(clientBalance + 50), []int64{50}},
		{"a stale form's balance is ignored", true, form(clientBalance, "stale"), int64(clientBalance + 7), nil},
		{"a stale form's balance edit is ignored too", true, form(clientBalance+50, "stale"), int64(clientBalance + 7), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := rulesApp(t)
			u, err := app.FindRecordById(c.Users, fx.client.id)
			if err != nil {
				t.Fatal(err)
			}
			loadedAt = u.GetDateTime(c.FieldUpdatedAt).String()
			if tc.moveFirst {
				time.Sleep(2 * time.Millisecond) // updated_at has millisecond precision
				if _, err := postAudited(app, actorInfo{}, ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindGrant, Amount: 7}); err != nil {
					t.Fatal(err)
				}
			}
			token := superuserAuth(t, app)
			s := tests.ApiScenario{
				Method: http.MethodPatch, URL: record(c.Users, fx.client.id), Body: strings.NewReader(tc.body()),
				Headers:               map[string]string{"Authorization": token},
				ExpectedStatus:        200,
				ExpectedContent:       []string{`"points_balance":` + strconv.FormatInt(tc.wantBalance, 10)},
				TestAppFactory:        func(testing.TB) *tests.TestApp { return app },
				DisableTestAppCleanup: true,
			}
			s.Test(t)
			if got := balance(t, app, fx.client.id); got != tc.wantBalance {
				t.Errorf("balance %d, want %d", got, tc.wantBalance)
			}
			adjustments(fx.client.id, tc.wantAdjust...)(t, app)
			ledgerIntact(t, app)
		})
	}
}
