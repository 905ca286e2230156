package hooks

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// planLine is one row of EXPLAIN QUERY PLAN.
type planLine struct {
	Detail string `db:"detail"`
}

// accessesOf returns, for each plan line reading tool_usage or
// point_transactions (by name or the aliases u and pt), that line.
func accessesOf(plan []planLine) (usage, ledger []string) {
	for _, l := range plan {
		f := strings.Fields(l.Detail)
		if len(f) < 2 || (f[0] != "SCAN" && f[0] != "SEARCH") {
			continue
		}
		switch f[1] {
		case "u", c.ToolUsage:
			usage = append(usage, l.Detail)
		case "pt", c.PointTransactions:
			ledger = append(ledger, l.Detail)
		}
	}
	return usage, ledger
}

// TestStatsQueriesUseIndexes asserts with EXPLAIN QUERY PLAN that every
// statistics query reads tool_usage and point_transactions only by index
// ranges or point lookups: never a table scan, nor a walk of a whole index.
func TestStatsQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	w := newWorkload(t)
	app := w.app
	// the plans must hold without statistics, as on a fresh install, and
	// once ANALYZE (PocketBase's daily PRAGMA optimize) has seen a table of
	// some size: 30,000 more usage rows (and their EARNING rows), inserted
	// with SQL only for the planner's sake
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			for _, q := range []string{
				`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
				INSERT INTO tool_usage (id, tool, user, points_spent, success, created_at, updated_at)
				SELECT 'synthetic' || i,
					CASE i % 4 WHEN 0 THEN {:a} WHEN 1 THEN {:b} WHEN 2 THEN {:o} ELSE {:d} END,
					CASE i % 3 WHEN 0 THEN {:c1} WHEN 1 THEN {:c2} ELSE {:c3} END,
					5, 1, strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', '+' || (i * 29) || ' minutes') || 'Z', ''
				FROM n`,
				`INSERT INTO point_transactions (id, user, account, kind, amount, usage, created_at, updated_at)
				SELECT 'e' || substr(id, 10), {:cr}, 'revenue', 'EARNING', 4, id, created_at, '' FROM tool_usage WHERE id LIKE 'synthetic%'`,
				"ANALYZE",
			} {
				if _, err := app.DB().NewQuery(q).Bind(dbx.Params{"a": fx.active, "b": w.toolB, "o": fx.other, "d": fx.draft,
					"c1": fx.client.id, "c2": fx.client2.id, "c3": w.client3.id, "cr": fx.creator.id}).Execute(); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, interval := range intervals {
			r, errs := parseStatsRange("2026-02-01", "2026-04-30", interval, time.Now())
			if errs != nil {
				t.Fatal(errs)
			}
			type named struct {
				who     string
				queries []statsQuery
			}
			var all []named
			for _, who := range []fixtureUser{fx.client, fx.creator, fx.admin} {
				user, _ := app.FindRecordById(c.Users, who.id)
				_, qs := usageStatsQueries(r, user)
				all = append(all, named{who.email + " usage stats", qs})
				tool, _ := app.FindRecordById(c.Tools, fx.active)
				info := &core.RequestInfo{Auth: user, Context: core.RequestInfoContextDefault}
				_, tq, err := toolStatsQueries(app, info, tool, r)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, named{who.email + " tool stats", tq})
			}
			tool, _ := app.FindRecordById(c.Tools, fx.active)
			_, tq, _ := toolStatsQueries(app, nil, tool, r)
			_, pq := platformStatsQueries(r)
			all = append(all, named{"operator tool stats", tq}, named{"operator platform", pq})

			for _, n := range all {
				for _, q := range n.queries {
					var plan []planLine
					if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + q.sql).Bind(q.params).All(&plan); err != nil {
						t.Fatalf("%s %s: %v", n.who, q.name, err)
					}
					usage, ledger := accessesOf(plan)
					what := fmt.Sprintf("%s, %s (%s, analyzed %t)", n.who, q.name, interval, analyzed)
					for _, l := range usage {
						ranged := strings.Contains(l, "created_at>? AND created_at<?")
						// the recent usage list walks one tool's rows newest first, LIMIT 10
						recent := q.name == "recent usage" && strings.Contains(l, "(tool=?)")
						if !strings.HasPrefix(l, "SEARCH") || !strings.Contains(l, "INDEX") || !(ranged || recent || strings.Contains(l, "(id=?)")) {
							t.Errorf("%s reads tool_usage by %q", what, l)
						}
					}
					for _, l := range ledger {
						if !strings.HasPrefix(l, "SEARCH") || !(strings.Contains(l, "(usage=?") || strings.Contains(l, "created_at>? AND created_at<?")) {
							t.Errorf("%s reads point_transactions by %q", what, l)
						}
					}
					if len(usage)+len(ledger) == 0 && q.name != "new users" {
						t.Errorf("%s: no access to the usage or the ledger in the plan %v", what, plan)
					}
				}
			}
		}
	}
}
