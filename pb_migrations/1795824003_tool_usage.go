package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Creates tool_usage: one row per use of a tool, written only by toolbase.
func init() {
	m.Register(func(app core.App) error {
		ids, err := collectionIDs(app, "users", "tools", "tool_api_keys")
		if err != nil {
			return err
		}

		usage := core.NewBaseCollection("tool_usage")
		usage.Fields.Add(
			relation("tool", ids["tools"], true),
			relation("user", ids["users"], true),
			relation("api_key", ids["tool_api_keys"], false),
			points("points_spent", 0),
			&core.BoolField{Name: "success"},
			&core.NumberField{Name: "execution_time_ms", OnlyInt: true, Min: types.Pointer(0.0)},
			&core.JSONField{Name: "input_data", MaxSize: 65536},
			&core.JSONField{Name: "output_data", MaxSize: 1 << 20},
			&core.TextField{Name: "error_message", Max: 2000},
			&core.TextField{Name: "idempotency_key", Max: 255},
		)
		usage.Fields.Add(timestamps()...)

		usage.AddIndex("idx_usage_user_created", false, "`user`, `created_at`", "")
		usage.AddIndex("idx_usage_tool_created", false, "`tool`, `created_at`", "")
		usage.AddIndex("idx_usage_api_key", false, "`api_key`", "`api_key` != ''")
		usage.AddIndex("idx_usage_idempotency", true, "`user`, `idempotency_key`", "`idempotency_key` != ''")

		usage.ListRule = types.Pointer(`@request.auth.id != "" && (user = @request.auth.id || tool.creator = @request.auth.id || @request.auth.role = "ADMIN")`)
		usage.ViewRule = types.Pointer(`@request.auth.id != "" && (user = @request.auth.id || tool.creator = @request.auth.id || @request.auth.role = "ADMIN")`)

		return app.Save(usage)
	}, deleteCollection("tool_usage"))
}
