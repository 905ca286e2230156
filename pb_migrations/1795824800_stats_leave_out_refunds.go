package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	c "toolbase/collections"
)

// countedUses is the partial-index condition of the uses the statistics
// count: a refunded use (a failed remote call, or an approved refund) is left
// out, as the tool's counters leave it out. The statistics' queries state the
// same condition, so SQLite can walk these smaller indexes.
const countedUses = "`state` != 'FAILED' AND `refunded_at` = ''"

// Makes the statistics' usage indexes partial: counted uses only.
func init() {
	m.Register(func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId(c.ToolUsage)
		if err != nil {
			return err
		}
		usage.AddIndex("idx_usage_created_stats", false, "`created_at`, `user`, `points_spent`", countedUses)
		usage.AddIndex("idx_usage_tool_stats", false, "`tool`, `created_at`, `user`, `points_spent`, `creator_earning`", countedUses)
		usage.AddIndex("idx_usage_user_stats", false, "`user`, `created_at`, `tool`, `points_spent`", countedUses)
		return app.Save(usage)
	}, func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId(c.ToolUsage)
		if err != nil {
			return err
		}
		usage.AddIndex("idx_usage_created_stats", false, "`created_at`, `user`, `points_spent`", "")
		usage.AddIndex("idx_usage_tool_stats", false, "`tool`, `created_at`, `user`, `points_spent`, `creator_earning`", "")
		usage.RemoveIndex("idx_usage_user_stats")
		return app.Save(usage)
	})
}
