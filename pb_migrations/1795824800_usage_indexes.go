package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// usageIndexes are the indexes of tool_usage that lists and statistics walk.
// The statistics leave refunded uses out (state FAILED, refunded_at set), so
// the columns they read, refund markers included, are in the index: a range
// of it answers without touching the table. One index per access path keeps
// the use transaction's writes (every index gets an entry per use) small.
var usageIndexes = []struct{ name, columns, where string }{
	// a user's usage, newest first; its statistics; whether it used a tool
	{"idx_usage_user_created", "`user`, `created_at`, `tool`, `points_spent`, `state`, `refunded_at`", ""},
	// a tool's usage, newest first; its statistics
	{"idx_usage_tool_created", "`tool`, `created_at`, `user`, `points_spent`, `creator_earning`, `state`, `refunded_at`", ""},
	// the platform's statistics
	{"idx_usage_created_stats", "`created_at`, `user`, `points_spent`, `state`, `refunded_at`", ""},
}

// Merges tool_usage's list and statistics indexes, with the refund markers
// the statistics filter on; keeps only GRANT rows in the ledger index of the
// points-granted statistics; and makes the ledger's usage index whole.
func init() {
	m.Register(func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		usage.RemoveIndex("idx_usage_tool_stats")
		usage.RemoveIndex("idx_usage_user_tool")
		for _, ix := range usageIndexes {
			usage.AddIndex(ix.name, false, ix.columns, ix.where)
		}
		if err := app.Save(usage); err != nil {
			return err
		}
		ledger, err := app.FindCollectionByNameOrId("point_transactions")
		if err != nil {
			return err
		}
		ledger.AddIndex("idx_ledger_kind_created", false, "`kind`, `created_at`, `amount`", "`kind` = 'GRANT'")
		// a partial index serves only queries that repeat its condition
		// literally; a usage's rows are looked up by a bound id
		ledger.AddIndex("idx_ledger_usage", false, "`usage`", "")
		return app.Save(ledger)
	}, func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		usage.AddIndex("idx_usage_user_created", false, "`user`, `created_at`", "")
		usage.AddIndex("idx_usage_tool_created", false, "`tool`, `created_at`", "")
		usage.AddIndex("idx_usage_created_stats", false, "`created_at`, `user`, `points_spent`", "")
		usage.AddIndex("idx_usage_tool_stats", false, "`tool`, `created_at`, `user`, `points_spent`, `creator_earning`", "")
		usage.AddIndex("idx_usage_user_tool", false, "`user`, `tool`", "")
		if err := app.Save(usage); err != nil {
			return err
		}
		ledger, err := app.FindCollectionByNameOrId("point_transactions")
		if err != nil {
			return err
		}
		ledger.AddIndex("idx_ledger_kind_created", false, "`kind`, `created_at`, `amount`", "")
		ledger.AddIndex("idx_ledger_usage", false, "`usage`", "`usage` != ''")
		return app.Save(ledger)
	})
}
