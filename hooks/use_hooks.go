package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"toolbase/hooks/ledger"
)

// bindUse schedules the hourly cleanup of expired idempotency keys.
func bindUse(app core.App) {
	app.Cron().MustAdd("toolbaseForgetIdempotencyKeys", "17 * * * *", func() {
		if err := ledger.ForgetIdempotencyKeys(app); err != nil {
			app.Logger().Error("forgetting idempotency keys", "error", err.Error())
		}
	})
}
