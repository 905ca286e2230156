package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The platform's statistics report its fees (points spent minus creators'
// earnings) per bucket: the platform's usage index gets creator_earning, so
// that a range of it still answers without touching the table.
func init() {
	m.Register(func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		usage.AddIndex("idx_usage_created_stats", false, "`created_at`, `user`, `points_spent`, `creator_earning`, `state`, `refunded_at`", "")
		return app.Save(usage)
	}, func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		usage.AddIndex("idx_usage_created_stats", false, "`created_at`, `user`, `points_spent`, `state`, `refunded_at`", "")
		return app.Save(usage)
	})
}
