package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Creates tool_feedback: one review per user per tool.
func init() {
	m.Register(func(app core.App) error {
		ids, err := collectionIDs(app, "users", "tools")
		if err != nil {
			return err
		}

		feedback := core.NewBaseCollection("tool_feedback")
		feedback.Fields.Add(
			relation("tool", ids["tools"], true),
			relation("user", ids["users"], true),
			&core.NumberField{Name: "rating", OnlyInt: true, Required: true, Presentable: true,
				Min: types.Pointer(float64(1)), Max: types.Pointer(float64(5))},
			&core.TextField{Name: "comment", Max: 2000},
			&core.BoolField{Name: "is_public"},
		)
		feedback.Fields.Add(timestamps()...)

		feedback.AddIndex("idx_feedback_tool_user", true, "`tool`, `user`", "")
		feedback.AddIndex("idx_feedback_tool_created", false, "`tool`, `created_at`", "")
		feedback.AddIndex("idx_feedback_user_created", false, "`user`, `created_at`", "")

		feedback.ListRule = types.Pointer(`@request.auth.id != "" && ((is_public = true && tool.status = "ACTIVE") || user = @request.auth.id || tool.creator = @request.auth.id || @request.auth.role = "ADMIN")`)
		feedback.ViewRule = types.Pointer(`@request.auth.id != "" && ((is_public = true && tool.status = "ACTIVE") || user = @request.auth.id || tool.creator = @request.auth.id || @request.auth.role = "ADMIN")`)

		return app.Save(feedback)
	}, deleteCollection("tool_feedback"))
}
