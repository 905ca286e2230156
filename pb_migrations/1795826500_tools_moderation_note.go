package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Adds tools.moderation_note: an admin's reason for sending a tool back to
// DRAFT or suspending it, written with the status move in one save, shown to
// the tool's creator and admins only (toolbase strips it for anyone else and
// keeps it out of their filters), cleared when the tool is approved or
// submitted again.
func init() {
	m.Register(func(app core.App) error {
		tools, err := app.FindCollectionByNameOrId("tools")
		if err != nil {
			return err
		}
		tools.Fields.AddAt(len(tools.Fields)-2, &core.TextField{Name: "moderation_note", Max: 5000,
			Help: "An admin's reason for the last move to DRAFT or SUSPENDED, set with the move; for the creator and admins only."})
		return app.Save(tools)
	}, func(app core.App) error {
		tools, err := app.FindCollectionByNameOrId("tools")
		if err != nil {
			return err
		}
		tools.Fields.RemoveByName("moderation_note")
		return app.Save(tools)
	})
}
