package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// A user's edit through the records API ignores the fields the caller may not
// set (role, balances), as PATCH /api/users/users/update_me/ does, instead of
// refusing the whole edit: the update rule no longer names them, and toolbase
// drops them (hooks: dropForbiddenUserFields and the guards). The rule is
// stated here as it is at this migration.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.UpdateRule = types.Pointer(`(id = @request.auth.id || @request.auth.role = "ADMIN")`)
		return app.Save(users)
	}, func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.UpdateRule = types.Pointer(`(id = @request.auth.id || @request.auth.role = "ADMIN")` +
			` && (@request.body.role:changed = false || (@request.auth.role = "ADMIN" && id != @request.auth.id))` +
			` && @request.body.points_balance:changed = false` +
			` && @request.body.total_revenue:changed = false` +
			` && @request.body.total_payouts:changed = false`)
		return app.Save(users)
	})
}
