package hooks

import (
	"net/http"
	"strings"
	"testing"
	"time"

	c "toolbase/collections"
)

// backRelationOracles are filters an attacker writes on a collection it may
// list, reaching through a back-relation (or @collection) into rows it may
// not: each pair differs only in a guess about a hidden value, so any
// difference in the answers reads that value.
var backRelationOracles = []struct {
	name, who, col, yes, no string
}{
	{"a requester reads the staff note of its ticket", "client", "support_tickets",
		`ticket_messages_via_ticket.body !~ "SECRET"`, `ticket_messages_via_ticket.body !~ "NOTHING"`},
	{"a staff note, word by word, with a nested group", "client", "support_tickets",
		`(id != "" && (ticket_messages_via_ticket.body != "` + oracleNote + `"))`, `(id != "" && (ticket_messages_via_ticket.body != "X"))`},
	{"a client reads another's Idempotency-Key through the tool", "client2", c.Tools,
		`tool_usage_via_tool.idempotency_key != "` + oracleKey + `"`, `tool_usage_via_tool.idempotency_key != "guess"`},
	{"a client reads another's usage input (JSON path)", "client2", c.Tools,
		`tool_usage_via_tool.input_data.secret !~ "client-secret"`, `tool_usage_via_tool.input_data.secret !~ "guess"`},
	{"a client reads another's private review", "client2", c.Tools,
		`tool_feedback_via_tool.comment !~ "PRIVATE"`, `tool_feedback_via_tool.comment !~ "guess"`},
	{"a client reads the creator's revenue balance through the ledger", "client", c.ToolUsage,
		`point_transactions_via_usage.balance_after > 100`, `point_transactions_via_usage.balance_after > 1`},
	{"a client reads another's key through @collection", "client2", c.Tools,
		`@collection.tool_usage.idempotency_key != "` + oracleKey + `"`, `@collection.tool_usage.idempotency_key != "guess"`},
	{"@collection with an alias and a function", "client2", c.Tools,
		`@collection.tool_usage:u.idempotency_key:lower != "` + oracleKey + `"`, `@collection.tool_usage:u.idempotency_key:lower != "guess"`},
}

func oracleUser(who string) fixtureUser {
	return map[string]fixtureUser{"admin": fx.admin, "client": fx.client, "client2": fx.client2, "creator": fx.creator, "creator2": fx.creator2}[who]
}

// TestOracleBackRelationRecordsAPI: on the records API, every back-relation
// oracle is refused (400) whichever way the guess goes, while the plain
// filters the web app and SDKs write still answer.
func TestOracleBackRelationRecordsAPI(t *testing.T) {
	t.Parallel()
	w := newOracleWorld(t)
	for _, o := range backRelationOracles {
		auth := oracleUser(o.who).auth
		yes, no := w.list(t, auth, o.col, o.yes, ""), w.list(t, auth, o.col, o.no, "")
		indistinguishable(t, o.name, yes, no)
		refused(t, o.name, yes)
	}
	// the same reach through sort
	for _, sort := range []string{"tool_usage_via_tool.idempotency_key", "-tool_usage_via_tool.idempotency_key", "name,-tool_feedback_via_tool.comment"} {
		refused(t, "sort "+sort, w.list(t, fx.client2.auth, c.Tools, "", sort))
	}
	refused(t, "sort through the ledger", w.list(t, fx.client.auth, c.ToolUsage, "", "-point_transactions_via_usage.balance_after"))

	// what stays allowed
	for _, ok := range []struct{ who, col, filter, sort string }{
		{"client", c.Tools, `status = "ACTIVE"`, "-created_at"},
		{"client", c.Tools, `creator = "` + fx.creator.id + `" && name ~ "tool"`, "name,-points_cost"},
		{"client", c.ToolUsage, `tool = "` + fx.active + `" && created_at >= "2000-01-01"`, "-created_at"},
		{"client", c.ToolUsage, `tool.name ~ "tool" && tool.creator.id = "` + fx.creator.id + `"`, "tool.name"},
		{"client", c.ToolUsage, `input_data.secret ~ "client" && points_spent > 0`, ""},
		{"client", "support_tickets", `status = "OPEN"`, "-updated_at"},
		{"client", "ticket_messages", `ticket.subject = "help" && created_at < @now`, ""},
		{"admin", c.ToolUsage, `creator_earning > 0 && remaining_points > 0`, "-remaining_points"},
	} {
		a := w.list(t, oracleUser(ok.who).auth, ok.col, ok.filter, ok.sort)
		if a.status != http.StatusOK || a.ids == "" {
			t.Errorf("allowed filter %q sort %q on %s: %d %s", ok.filter, ok.sort, ok.col, a.status, a.ids)
		}
	}
	// private fields are the admins' only: some of the rows a creator lists
	// are its own uses of others' tools, whose creator_earning it is not shown
	refused(t, "payer filters creator_earning", w.list(t, fx.client.auth, c.ToolUsage, `creator_earning > 0`, ""))
	refused(t, "creator filters creator_earning", w.list(t, fx.creator.auth, c.ToolUsage, `creator_earning > 0`, ""))
	// superusers keep everything
	su := superuserAuth(t, w.app)
	if a := w.list(t, su, c.Tools, backRelationOracles[2].yes, ""); a.status != http.StatusOK {
		t.Errorf("superuser back-relation filter: %d %s", a.status, a.ids)
	}
}

// TestOracleBackRelationRealtime: through real realtime subscriptions, a
// back-relation filter is refused (so nothing arrives) whichever way the
// guess goes.
func TestOracleBackRelationRealtime(t *testing.T) {
	t.Parallel()
	w := newOracleWorld(t)
	yes, no := w.realtimeOracle(t, fx.client2.auth, c.Tools,
		`tool_usage_via_tool.idempotency_key != "`+oracleKey+`"`, `tool_usage_via_tool.idempotency_key != "guess"`,
		func() { w.touchTool(t, fx.active) })
	indistinguishable(t, "realtime key through the tool", yes, no)
	refused(t, "realtime key through the tool", yes)

	yes, no = w.realtimeOracle(t, fx.client.auth, "support_tickets",
		`ticket_messages_via_ticket.body !~ "SECRET"`, `ticket_messages_via_ticket.body !~ "NOTHING"`,
		func() {
			status, body := request(t, http.MethodPatch, w.base+"/api/collections/support_tickets/records/"+w.ticket, fx.client.auth, `{"subject":"still help"}`)
			if status != 200 {
				t.Fatalf("ticket edit: %d %s", status, body)
			}
		})
	indistinguishable(t, "realtime staff note", yes, no)
	refused(t, "realtime staff note", yes)

	yes, no = w.realtimeOracle(t, fx.client2.auth, c.Tools,
		`@collection.tool_feedback.comment !~ "PRIVATE"`, `@collection.tool_feedback.comment !~ "guess"`,
		func() { w.touchTool(t, fx.active) })
	indistinguishable(t, "realtime @collection review", yes, no)
	refused(t, "realtime @collection review", yes)

	// a plain subscription filter still works
	ctx := t.Context()
	rc := w.connect(t, ctx)
	if s := w.subscribe(t, rc, fx.client2.auth, topic(c.Tools, `status = "ACTIVE" && id = "`+fx.active+`"`)); s != 204 {
		t.Fatalf("plain subscription: %d", s)
	}
	w.touchTool(t, fx.active)
	if got := rc.received(time.Second); got != fx.active {
		t.Errorf("plain subscription received %q, want %s", got, fx.active)
	}
}

// TestOracleExpandKeepsRules: expand needs no guard. PocketBase applies the
// view rule of every expanded record (back-relations included) and runs the
// enrich hooks on it, so expanding shows nothing a direct read would not.
func TestOracleExpandKeepsRules(t *testing.T) {
	t.Parallel()
	w := newOracleWorld(t)
	for _, x := range []struct {
		who, path string
		secrets   []string
	}{
		{"client", "/api/collections/support_tickets/records/" + w.ticket + "?expand=ticket_messages_via_ticket", []string{oracleNote}},
		{"client", "/api/collections/support_tickets/records?expand=ticket_messages_via_ticket.ticket", []string{oracleNote}},
		{"client2", "/api/collections/tools/records/" + fx.active + "?expand=tool_usage_via_tool,tool_feedback_via_tool", []string{oracleKey, oracleInput, oracleReview}},
		{"creator", "/api/collections/tools/records/" + fx.active + "?expand=tool_usage_via_tool", []string{oracleKey, `"remaining_points"`, `"idempotency_key"`}},
		{"client", "/api/collections/point_transactions/records?expand=usage", []string{`"creator_earning"`}},
		{"client", "/api/collections/refunds/records?expand=usage.tool", []string{`"creator_earning"`}},
	} {
		status, body := request(t, http.MethodGet, w.base+x.path, oracleUser(x.who).auth, "")
		if status != http.StatusOK {
			t.Errorf("%s GET %s: %d %s", x.who, x.path, status, body)
			continue
		}
		for _, s := range x.secrets {
			if strings.Contains(string(body), s) {
				t.Errorf("%s GET %s shows %s:\n%s", x.who, x.path, s, body)
			}
		}
	}
	// and the expansions do show what the caller may read
	status, body := request(t, http.MethodGet, w.base+"/api/collections/support_tickets/records/"+w.ticket+"?expand=ticket_messages_via_ticket", fx.client.auth, "")
	if status != http.StatusOK || !strings.Contains(string(body), `"body":"hello"`) {
		t.Errorf("the requester's own message is not expanded: %d %s", status, body)
	}
}
