package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Public reviews are readable only while their tool is: a suspended or
// withdrawn tool's reviews are its author's, creator's and admins' alone.
func init() {
	m.Register(func(app core.App) error {
		feedback, err := app.FindCollectionByNameOrId(c.ToolFeedback)
		if err != nil {
			return err
		}
		feedback.ListRule = types.Pointer(c.FeedbackViewRule)
		feedback.ViewRule = types.Pointer(c.FeedbackViewRule)
		return app.Save(feedback)
	}, nil)
}
