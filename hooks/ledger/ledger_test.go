package ledger

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tests"

	_ "toolbase/pb_migrations"
)

// newApp returns a test app migrated from empty: toolbase's schema, no hooks.
func newApp(t testing.TB) *tests.TestApp {
	t.Helper()
	app, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	return app
}

type planLine struct {
	Detail string `db:"detail"`
}

// The lookups of a use's hot path walk their indexes, whatever the history:
// an Idempotency-Key's prior use, and a usage's ledger rows (for refunds).
func TestHotLookupsUseIndexes(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	prior := priorUseQuery(app, "someuser", "k").Build()
	for name, q := range map[string]struct {
		sql    string
		params dbx.Params
		index  string
	}{
		"prior use":     {prior.SQL(), prior.Params(), "idx_usage_idempotency"},
		"usage charge":  {usageChargeSQL, dbx.Params{"id": "x"}, "idx_ledger_usage"},
		"key by hash":   {"SELECT id FROM tool_api_keys WHERE key_hash = {:h}", dbx.Params{"h": "x"}, "idx_api_keys_hash"},
		"balance moves": {"SELECT points_balance FROM users WHERE id = {:id}", dbx.Params{"id": "x"}, "sqlite_autoindex_users_1"},
	} {
		var plan []planLine
		if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + q.sql).Bind(q.params).All(&plan); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var text []string
		for _, l := range plan {
			text = append(text, l.Detail)
		}
		if joined := strings.Join(text, "; "); !strings.Contains(joined, q.index) || strings.Contains(joined, "SCAN") {
			t.Errorf("%s: plan %q, want a search of %s", name, joined, q.index)
		}
	}
}
