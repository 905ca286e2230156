package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Creates tool_feedback: one review per user per tool.
func init() {
	m.Register(func(app core.App) error {
		ids, err := collectionIDs(app, c.Users, c.Tools)
		if err != nil {
			return err
		}

		feedback := core.NewBaseCollection(c.ToolFeedback)
		feedback.Fields.Add(
			relation(c.FeedbackTool, ids[c.Tools], true),
			relation(c.FeedbackUser, ids[c.Users], true),
			&core.NumberField{Name: c.FeedbackRating, OnlyInt: true, Required: true, Presentable: true,
				Min: types.Pointer(float64(c.MinRating)), Max: types.Pointer(float64(c.MaxRating))},
			&core.TextField{Name: c.FeedbackComment, Max: c.MaxCommentChars},
			&core.BoolField{Name: c.FeedbackIsPublic},
		)
		feedback.Fields.Add(timestamps()...)

		feedback.AddIndex("idx_feedback_tool_user", true, "`tool`, `user`", "")
		feedback.AddIndex("idx_feedback_tool_created", false, "`tool`, `created_at`", "")
		feedback.AddIndex("idx_feedback_user_created", false, "`user`, `created_at`", "")

		feedback.ListRule = types.Pointer(c.FeedbackViewRule)
		feedback.ViewRule = types.Pointer(c.FeedbackViewRule)

		return app.Save(feedback)
	}, deleteCollection(c.ToolFeedback))
}
