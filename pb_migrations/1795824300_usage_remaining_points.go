package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Adds tool_usage.remaining_points: the payer's balance right after the use, so
// that an Idempotency-Key replay answers exactly what the first request did.
func init() {
	m.Register(func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		field := points("remaining_points", 0)
		field.Help = "The user's points right after this use."
		usage.Fields.AddAt(len(usage.Fields)-2, field)
		return app.Save(usage)
	}, func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		usage.Fields.RemoveByName("remaining_points")
		return app.Save(usage)
	})
}
