package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Moving in from the Django platform (`toolbase import django`):
//
//   - legacy_id on users, tools, tool_usage, tool_feedback and
//     tool_api_keys: the Django primary key of an imported record (0 for
//     records made by toolbase), unique when set, so that an import never
//     creates a record twice and resumes where it stopped. Hidden: superusers
//     find a record by its old id in the dashboard; nobody else sees or
//     filters it.
//   - users.deactivated: Django's is_active = false. Hidden (only superusers
//     set it); the auth rule refuses a deactivated user on both APIs.
//   - the OPENING ledger kind: an imported account's balance, carried by one
//     ledger row per account.
//
// Stated with literals, as every migration is.
func init() {
	m.Register(func(app core.App) error {
		for _, name := range []string{"users", "tools", "tool_usage", "tool_feedback", "tool_api_keys"} {
			col, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			fields := []core.Field{}
			if name == "users" {
				fields = append(fields, &core.BoolField{Name: "deactivated", Hidden: true,
					Help: "Cannot sign in (Django's is_active = false); API keys refused too."})
			}
			fields = append(fields, &core.NumberField{Name: "legacy_id", OnlyInt: true, Hidden: true,
				Min: types.Pointer(0.0), Max: types.Pointer(float64(1e+15)),
				Help: "The record's id on the Django platform it was imported from (0: made here)."})
			for _, f := range fields {
				col.Fields.AddAt(len(col.Fields)-2, f) // before created_at, updated_at
			}
			col.AddIndex("idx_"+name+"_legacy_id", true, "`legacy_id`", "`legacy_id` != 0")
			if name == "users" {
				col.AuthRule = types.Pointer(`deactivated = false`)
			}
			if err := app.Save(col); err != nil {
				return err
			}
		}
		ledger, err := app.FindCollectionByNameOrId("point_transactions")
		if err != nil {
			return err
		}
		ledger.Fields.GetByName("kind").(*core.SelectField).Values =
			[]string{"GRANT", "DEDUCT", "USAGE", "EARNING", "REFUND", "PAYOUT", "ADJUSTMENT", "OPENING"}
		return app.Save(ledger)
	}, func(app core.App) error {
		for _, name := range []string{"users", "tools", "tool_usage", "tool_feedback", "tool_api_keys"} {
			col, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			col.RemoveIndex("idx_" + name + "_legacy_id")
			col.Fields.RemoveByName("legacy_id")
			if name == "users" {
				col.Fields.RemoveByName("deactivated")
				col.AuthRule = types.Pointer("")
			}
			if err := app.Save(col); err != nil {
				return err
			}
		}
		ledger, err := app.FindCollectionByNameOrId("point_transactions")
		if err != nil {
			return err
		}
		ledger.Fields.GetByName("kind").(*core.SelectField).Values =
			[]string{"GRANT", "DEDUCT", "USAGE", "EARNING", "REFUND", "PAYOUT", "ADJUSTMENT"}
		return app.Save(ledger)
	})
}
