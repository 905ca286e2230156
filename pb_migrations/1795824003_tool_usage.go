package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Creates tool_usage: one row per use of a tool, written only by toolbase.
func init() {
	m.Register(func(app core.App) error {
		ids, err := collectionIDs(app, c.Users, c.Tools, c.ToolAPIKeys)
		if err != nil {
			return err
		}

		usage := core.NewBaseCollection(c.ToolUsage)
		usage.Fields.Add(
			relation(c.UsageTool, ids[c.Tools], true),
			relation(c.UsageUser, ids[c.Users], true),
			relation(c.UsageAPIKey, ids[c.ToolAPIKeys], false),
			points(c.UsagePointsSpent, 0),
			&core.BoolField{Name: c.UsageSuccess},
			&core.NumberField{Name: c.UsageExecutionTime, OnlyInt: true, Min: types.Pointer(0.0)},
			&core.JSONField{Name: c.UsageInputData, MaxSize: c.MaxInputBytes},
			&core.JSONField{Name: c.UsageOutputData, MaxSize: 1 << 20},
			&core.TextField{Name: c.UsageErrorMessage, Max: 2000},
			&core.TextField{Name: c.UsageIdempotencyKey, Max: c.MaxIdempotencyKeyChars},
		)
		usage.Fields.Add(timestamps()...)

		usage.AddIndex("idx_usage_user_created", false, "`user`, `created_at`", "")
		usage.AddIndex("idx_usage_tool_created", false, "`tool`, `created_at`", "")
		usage.AddIndex("idx_usage_api_key", false, "`api_key`", "`api_key` != ''")
		usage.AddIndex("idx_usage_idempotency", true, "`user`, `idempotency_key`", "`idempotency_key` != ''")

		usage.ListRule = types.Pointer(c.UsageViewRule)
		usage.ViewRule = types.Pointer(c.UsageViewRule)

		return app.Save(usage)
	}, deleteCollection(c.ToolUsage))
}
