package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Public reviews are readable only while their tool is: a suspended or
// withdrawn tool's reviews are its author's, creator's and admins' alone.
func init() {
	m.Register(func(app core.App) error {
		feedback, err := app.FindCollectionByNameOrId("tool_feedback")
		if err != nil {
			return err
		}
		feedback.ListRule = types.Pointer(`@request.auth.id != "" && ((is_public = true && tool.status = "ACTIVE") || user = @request.auth.id || tool.creator = @request.auth.id || @request.auth.role = "ADMIN")`)
		feedback.ViewRule = types.Pointer(`@request.auth.id != "" && ((is_public = true && tool.status = "ACTIVE") || user = @request.auth.id || tool.creator = @request.auth.id || @request.auth.role = "ADMIN")`)
		return app.Save(feedback)
	}, nil)
}
