package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	c "toolbase/collections"
)

// Adds tool_usage.remaining_points: the payer's balance right after the use, so
// that an Idempotency-Key replay answers exactly what the first request did.
func init() {
	m.Register(func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId(c.ToolUsage)
		if err != nil {
			return err
		}
		field := points(c.UsageRemainingPoints, 0)
		field.Help = "The user's points right after this use."
		usage.Fields.AddAt(len(usage.Fields)-2, field)
		return app.Save(usage)
	}, func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId(c.ToolUsage)
		if err != nil {
			return err
		}
		usage.Fields.RemoveByName(c.UsageRemainingPoints)
		return app.Save(usage)
	})
}
