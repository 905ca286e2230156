package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Adds tool_usage.refunded_at: a usage is refunded if and only if it is set
// (by an approved refund); a refunded usage no longer counts in its tool's
// counters and has its REFUND ledger rows.
func init() {
	m.Register(func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		usage.Fields.AddAt(len(usage.Fields)-2, &core.DateField{Name: "refunded_at",
			Help: "Set by toolbase when the usage is refunded; refunded usage is left out of the tool's counters."})
		return app.Save(usage)
	}, func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		usage.Fields.RemoveByName("refunded_at")
		return app.Save(usage)
	})
}
