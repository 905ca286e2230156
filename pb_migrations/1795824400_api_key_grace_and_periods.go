package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Adds to tool_api_keys what regenerate's grace period and the per-period
// quotas need: the replaced secret's hash (hidden, indexed: a key is found by
// either hash in one query) with the time it stops working, and the UTC day
// and month that daily_usage and monthly_usage count.
func init() {
	m.Register(func(app core.App) error {
		keys, err := app.FindCollectionByNameOrId("tool_api_keys")
		if err != nil {
			return err
		}
		previous := &core.TextField{Name: "previous_key_hash", Hidden: true, Max: 64}
		until := &core.DateField{Name: "previous_key_until", Help: "The secret replaced by the last regenerate works until then."}
		day := &core.TextField{Name: "usage_day", Max: 10, Help: "UTC day (YYYY-MM-DD) that daily_usage counts."}
		month := &core.TextField{Name: "usage_month", Max: 7, Help: "UTC month (YYYY-MM) that monthly_usage counts."}
		// keep created_at/updated_at last
		keys.Fields.AddAt(len(keys.Fields)-2, previous, until, day, month)
		// not partial: a query binding the hash as a parameter could not use a
		// partial index (SQLite can't prove the parameter is not '')
		keys.AddIndex("idx_api_keys_previous_hash", false, "`"+"previous_key_hash"+"`", "")
		return app.Save(keys)
	}, func(app core.App) error {
		keys, err := app.FindCollectionByNameOrId("tool_api_keys")
		if err != nil {
			return err
		}
		keys.RemoveIndex("idx_api_keys_previous_hash")
		for _, name := range []string{"previous_key_hash", "previous_key_until", "usage_day", "usage_month"} {
			keys.Fields.RemoveByName(name)
		}
		return app.Save(keys)
	})
}
