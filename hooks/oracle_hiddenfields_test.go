package hooks

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	c "toolbase/collections"
)

// TestOracleHiddenFieldsRecordsAPI: fields a caller is not shown (private
// to the payer, to the tool's side, or Hidden in the schema) cannot be
// compared or sorted on by that caller, directly or through a relation,
// whichever way the guess goes; admins, who are shown them, still can.
func TestOracleHiddenFieldsRecordsAPI(t *testing.T) {
	t.Parallel()
	w := newOracleWorld(t)
	remaining := fmt.Sprint(fixturePoints - activeCost)
	earning := fmt.Sprint(activeCost - activeCost*20/100)
	// a refund request of client's use, to reach the usage from refunds
	status, body := request(t, http.MethodPost, w.base+"/api/collections/refunds/records", fx.client.auth, `{"usage":"`+w.clientUse+`","reason":"did not work"}`)
	if status != 200 {
		t.Fatalf("refund request: %d %s", status, body)
	}
	for _, o := range []struct{ name, who, col, yes, no string }{
		{"the creator reads a client's balance", "creator", c.ToolUsage,
			`remaining_points = ` + remaining, `remaining_points != ` + remaining},
		{"the creator reads a client's balance by halves", "creator", c.ToolUsage,
			`remaining_points > 500`, `remaining_points <= 500`},
		{"the creator reads a client's Idempotency-Key", "creator", c.ToolUsage,
			`idempotency_key = "` + oracleKey + `"`, `idempotency_key != "` + oracleKey + `"`},
		{"the creator reads it by prefix, lowered", "creator", c.ToolUsage,
			`idempotency_key:lower ~ "client-%"`, `idempotency_key:lower !~ "client-%"`},
		{"the payer reads the creator's share", "client", c.ToolUsage,
			`creator_earning = ` + earning, `creator_earning != ` + earning},
		{"the payer reads the creator's share through its ledger", "client", c.PointTransactions,
			`usage.creator_earning = ` + earning, `usage.creator_earning != ` + earning},
		{"a private field through a refund's usage", "client", "refunds",
			`usage.creator_earning > 0`, `usage.creator_earning <= 0`},
		{"a balance through a refund's usage", "client", "refunds",
			`usage.remaining_points = ` + remaining, `usage.remaining_points != ` + remaining},
		{"a tool's signing secret through a review", "client", c.ToolFeedback,
			`tool.signing_secret = ""`, `tool.signing_secret != ""`},
		{"a key's hash through a usage", "client", c.ToolUsage,
			`api_key.key_hash = ""`, `api_key.key_hash != ""`},
		{"a private field inside a function", "creator", c.ToolUsage,
			`strftime("%Y", created_at) = "2026" && remaining_points > 0`, `strftime("%Y", created_at) = "2026" && remaining_points <= 0`},
	} {
		auth := oracleUser(o.who).auth
		yes, no := w.list(t, auth, o.col, o.yes, ""), w.list(t, auth, o.col, o.no, "")
		indistinguishable(t, o.name, yes, no)
		refused(t, o.name, yes)
	}
	for _, s := range []struct{ who, col, sort string }{
		{"creator", c.ToolUsage, "remaining_points"},
		{"creator", c.ToolUsage, "-remaining_points"},
		{"creator", c.ToolUsage, "-created_at,idempotency_key"},
		{"client", c.ToolUsage, "creator_earning"},
		{"client", "refunds", "-usage.remaining_points"},
		{"client", c.PointTransactions, "usage.creator_earning"},
	} {
		refused(t, s.who+" sorts "+s.col+" by "+s.sort, w.list(t, oracleUser(s.who).auth, s.col, "", s.sort))
	}
	// admins are shown every private field, and filter and sort on them
	a := w.list(t, fx.admin.auth, c.ToolUsage, `remaining_points = `+remaining+` && idempotency_key = "`+oracleKey+`"`, "-creator_earning")
	if a.status != 200 || a.ids != w.clientUse {
		t.Errorf("admin filter on private fields: %d %s, want %s", a.status, a.ids, w.clientUse)
	}
	if a := w.list(t, fx.admin.auth, "refunds", `usage.remaining_points = `+remaining, ""); a.status != 200 || a.ids == "" {
		t.Errorf("admin filter through a refund's usage: %d %s", a.status, a.ids)
	}
}

// TestOracleHiddenFieldsRealtime: through real realtime subscriptions, the
// creator cannot learn a client's balance or key, nor the payer the
// creator's share, from which events it receives.
func TestOracleHiddenFieldsRealtime(t *testing.T) {
	t.Parallel()
	w := newOracleWorld(t)
	next := fmt.Sprint(fixturePoints - 2*activeCost) // client's balance after its next use
	for _, o := range []struct{ name, who, yes, no string }{
		{"the creator reads the balance of the next use", "creator",
			`remaining_points = ` + next, `remaining_points != ` + next},
		{"the creator reads the key of the next use", "creator",
			`idempotency_key = "next-key"`, `idempotency_key != "next-key"`},
		{"the payer reads the creator's share of its next use", "client",
			`creator_earning > 0`, `creator_earning <= 0`},
	} {
		yes, no := w.realtimeOracle(t, oracleUser(o.who).auth, c.ToolUsage, o.yes, o.no, func() {
			w.use(t, fx.client, "", "again")
		})
		indistinguishable(t, o.name, yes, no)
		refused(t, o.name, yes)
	}
	// the creator still follows the usage of its tool with a plain filter
	rc := w.connect(t, t.Context())
	if s := w.subscribe(t, rc, fx.creator.auth, topic(c.ToolUsage, `tool = "`+fx.active+`" && success = true`)); s != 204 {
		t.Fatalf("plain subscription: %d", s)
	}
	id := w.use(t, fx.client, "", "observed")
	if got := rc.received(time.Second); got != id {
		t.Errorf("plain subscription received %q, want %s", got, id)
	}
}
