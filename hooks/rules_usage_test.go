package hooks

import (
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"

	c "toolbase/collections"
)

func TestRulesToolUsage(t *testing.T) {
	t.Parallel()
	usage := records(c.ToolUsage)
	client, client2, creator, creator2, admin := fx.client, fx.client2, fx.creator, fx.creator2, fx.admin
	body := `{"tool":"` + fx.active + `","user":"` + client.id + `","points_spent":0,"success":true}`
	usageCount := countIs(c.ToolUsage, nil, 2)

	cases := []ruleCase{
		// list and view: own usage, usage of own tools, all for admins
		{name: "anonymous lists no usage", method: http.MethodGet, url: usage,
			status: 200, want: []string{total(0)}, notWant: ids(usageOfClient, usageOfClient2)},
		{name: "client lists its own usage", method: http.MethodGet, url: usage, as: client.auth,
			status: 200, want: []string{total(1), idOf(usageOfClient)}, notWant: []string{idOf(usageOfClient2), client2.id}},
		{name: "another client lists its own usage", method: http.MethodGet, url: usage, as: client2.auth,
			status: 200, want: []string{total(1), idOf(usageOfClient2)}, notWant: []string{idOf(usageOfClient), client.id}},
		{name: "creator lists the usage of its tools", method: http.MethodGet, url: usage, as: creator.auth,
			status: 200, want: []string{total(1), idOf(usageOfClient)}, notWant: []string{idOf(usageOfClient2), client2.id}},
		{name: "another creator lists the usage of its tools", method: http.MethodGet, url: usage, as: creator2.auth,
			status: 200, want: []string{total(1), idOf(usageOfClient2)}, notWant: []string{idOf(usageOfClient), client.id}},
		{name: "admin lists all usage", method: http.MethodGet, url: usage, as: admin.auth,
			status: 200, want: join([]string{total(2)}, ids(usageOfClient, usageOfClient2))},
		{name: "superuser lists all usage", method: http.MethodGet, url: usage, as: asSuperuser,
			status: 200, want: join([]string{total(2)}, ids(usageOfClient, usageOfClient2))},
		{name: "client expands the key of its usage without its hash", method: http.MethodGet, url: usage + "?expand=api_key", as: client.auth,
			status: 200, want: []string{total(1), `"expand":{"api_key":{`, idOf(keyOfClient)}, notWant: []string{`"key_hash"`, hashOfClientKey}},
		{name: "creator expands the key of a usage of its tool", method: http.MethodGet, url: usage + "?expand=api_key", as: creator.auth,
			status: 200, want: []string{total(1), idOf(usageOfClient)}, notWant: []string{`"expand":{"`, `"key_prefix"`, hashOfClientKey}},
		{name: "superuser expands keys of usage without their hash", method: http.MethodGet, url: usage + "?expand=api_key", as: asSuperuser,
			status: 200, want: []string{total(2), `"expand":{"api_key":{`}, notWant: []string{`"key_hash"`, hashOfClientKey}},
		{name: "anonymous views a usage", method: http.MethodGet, url: record(c.ToolUsage, usageOfClient),
			status: 404, want: pbNotFound, events: noHooks},
		{name: "client views its usage", method: http.MethodGet, url: record(c.ToolUsage, usageOfClient), as: client.auth,
			status: 200, want: []string{idOf(usageOfClient), `"points_spent":10`}},
		{name: "client views another client's usage", method: http.MethodGet, url: record(c.ToolUsage, usageOfClient2), as: client.auth,
			status: 404, want: pbNotFound, events: noHooks},
		{name: "creator views a usage of its tool", method: http.MethodGet, url: record(c.ToolUsage, usageOfClient), as: creator.auth,
			status: 200, want: []string{idOf(usageOfClient)}},
		{name: "creator views a usage of another's tool", method: http.MethodGet, url: record(c.ToolUsage, usageOfClient2), as: creator.auth,
			status: 404, want: pbNotFound, events: noHooks},
		{name: "admin views any usage", method: http.MethodGet, url: record(c.ToolUsage, usageOfClient2), as: admin.auth,
			status: 200, want: []string{idOf(usageOfClient2)}},
	}
	// create, update, delete: nobody through the records API
	for _, who := range []struct{ name, auth string }{
		{"anonymous", ""}, {"client", client.auth}, {"creator", creator.auth}, {"admin", admin.auth},
	} {
		cases = append(cases,
			ruleCase{name: who.name + " creates a usage", method: http.MethodPost, url: usage, as: who.auth, body: body,
				status: 403, want: superusersOnly, events: noHooks, after: usageCount},
			ruleCase{name: who.name + " updates a usage", method: http.MethodPatch, url: record(c.ToolUsage, usageOfClient), as: who.auth,
				body: `{"points_spent":0}`, status: 403, want: superusersOnly, events: noHooks,
				after: field(c.ToolUsage, usageOfClient, c.UsagePointsSpent, activeCost)},
			ruleCase{name: who.name + " deletes a usage", method: http.MethodDelete, url: record(c.ToolUsage, usageOfClient), as: who.auth,
				status: 403, want: superusersOnly, events: noHooks, after: exists(c.ToolUsage, usageOfClient, true)},
		)
	}
	runRuleCases(t, rulesApp, cases)
}

func TestRulesPointTransactions(t *testing.T) {
	t.Parallel()
	ledger := records(c.PointTransactions)
	client, client2, creator, admin := fx.client, fx.client2, fx.creator, fx.admin
	grantOfClient, grantOfClient2 := grantRow(t, client.id), grantRow(t, client2.id)
	body := `{"user":"` + client.id + `","account":"points","kind":"GRANT","amount":1000000,"balance_after":1000000}`
	rowCount := countIs(c.PointTransactions, nil, 6)

	cases := []ruleCase{
		// list and view: own rows, all for admins
		{name: "anonymous lists no ledger row", method: http.MethodGet, url: ledger,
			status: 200, want: []string{total(0)}, notWant: ids(grantOfClient, grantOfClient2)},
		{name: "client lists its own rows", method: http.MethodGet, url: ledger, as: client.auth,
			status: 200, want: []string{total(2), idOf(grantOfClient), `"kind":"USAGE"`},
			notWant: []string{idOf(grantOfClient2), client2.id, usageNoteOfClient2, `"kind":"EARNING"`}},
		{name: "creator lists only its earnings", method: http.MethodGet, url: ledger, as: creator.auth,
			status: 200, want: []string{total(1), `"kind":"EARNING"`, `"user":"` + creator.id + `"`},
			notWant: []string{idOf(grantOfClient), `"kind":"USAGE"`, usageNoteOfClient2}},
		{name: "admin lists every row", method: http.MethodGet, url: ledger, as: admin.auth,
			status: 200, want: join([]string{total(6)}, ids(grantOfClient, grantOfClient2))},
		{name: "superuser lists every row", method: http.MethodGet, url: ledger, as: asSuperuser,
			status: 200, want: []string{total(6)}},
		{name: "anonymous views a row", method: http.MethodGet, url: record(c.PointTransactions, grantOfClient),
			status: 404, want: pbNotFound, events: noHooks},
		{name: "client views its row", method: http.MethodGet, url: record(c.PointTransactions, grantOfClient), as: client.auth,
			status: 200, want: []string{idOf(grantOfClient), `"amount":1000`}},
		{name: "client views another's row", method: http.MethodGet, url: record(c.PointTransactions, grantOfClient2), as: client.auth,
			status: 404, want: pbNotFound, events: noHooks},
		{name: "creator views a client's row", method: http.MethodGet, url: record(c.PointTransactions, grantOfClient), as: creator.auth,
			status: 404, want: pbNotFound, events: noHooks},
		{name: "admin views any row", method: http.MethodGet, url: record(c.PointTransactions, grantOfClient2), as: admin.auth,
			status: 200, want: []string{idOf(grantOfClient2)}},
	}
	// create, update, delete: nobody through the records API
	for _, who := range []struct{ name, auth string }{
		{"anonymous", ""}, {"client", client.auth}, {"creator", creator.auth}, {"admin", admin.auth},
	} {
		cases = append(cases,
			ruleCase{name: who.name + " creates a ledger row", method: http.MethodPost, url: ledger, as: who.auth, body: body,
				status: 403, want: superusersOnly, events: noHooks, after: rowCount},
			ruleCase{name: who.name + " updates a ledger row", method: http.MethodPatch, url: record(c.PointTransactions, grantOfClient), as: who.auth,
				body: `{"amount":1000000}`, status: 403, want: superusersOnly, events: noHooks,
				after: field(c.PointTransactions, grantOfClient, c.TxAmount, fixturePoints)},
			ruleCase{name: who.name + " deletes a ledger row", method: http.MethodDelete, url: record(c.PointTransactions, grantOfClient), as: who.auth,
				status: 403, want: superusersOnly, events: noHooks, after: exists(c.PointTransactions, grantOfClient, true)},
		)
	}
	runRuleCases(t, rulesApp, cases)
}

// grantRow is the id of the fixture GRANT row of a user (the same in every
// copy of the fixtures).
func grantRow(t testing.TB, user string) string {
	t.Helper()
	app := newTestApp(t)
	rows, err := app.FindAllRecords(c.PointTransactions, dbx.HashExp{c.TxUser: user, c.TxKind: c.KindGrant})
	if err != nil || len(rows) != 1 {
		t.Fatalf("GRANT rows of %s: %d, %v", user, len(rows), err)
	}
	return rows[0].Id
}
