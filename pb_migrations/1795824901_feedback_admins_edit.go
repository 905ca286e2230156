package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Reviews are edited by their author or an admin (the DRF API's IsOwnerOrAdmin),
// as they were already deleted. The rule is stated here as it is at this
// migration, not as `@request.auth.id != "" && user = @request.auth.id && @request.body.tool:changed = false && @request.body.user:changed = false` may later read.
func init() {
	m.Register(func(app core.App) error {
		feedback, err := app.FindCollectionByNameOrId("tool_feedback")
		if err != nil {
			return err
		}
		feedback.UpdateRule = types.Pointer(`@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN")` +
			` && @request.body.tool:changed = false && @request.body.user:changed = false`)
		return app.Save(feedback)
	}, func(app core.App) error {
		feedback, err := app.FindCollectionByNameOrId("tool_feedback")
		if err != nil {
			return err
		}
		feedback.UpdateRule = types.Pointer(`@request.auth.id != "" && user = @request.auth.id` +
			` && @request.body.tool:changed = false && @request.body.user:changed = false`)
		return app.Save(feedback)
	})
}
