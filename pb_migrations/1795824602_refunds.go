package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Creates refunds: a payer's request to get back what one usage cost, decided
// by an admin; one per usage.
func init() {
	m.Register(func(app core.App) error {
		ids, err := collectionIDs(app, "users", "tool_usage")
		if err != nil {
			return err
		}

		refunds := core.NewBaseCollection("refunds")
		refunds.Fields.Add(
			relation("usage", ids["tool_usage"], true),
			relation("requester", ids["users"], true),
			&core.TextField{Name: "reason", Required: true, Max: 2000},
			&core.SelectField{Name: "status", Values: []string{"REQUESTED", "APPROVED", "REJECTED"}, MaxSelect: 1, Required: true, Presentable: true,
				Help: "Moved only by the admin routes approve and reject."},
			points("amount", 0),
			points("creator_reversal", 0),
			points("platform_absorbed", 0),
			&core.TextField{Name: "note", Max: 500, Help: "The admin's note."},
			relation("processed_by", ids["users"], false),
			&core.DateField{Name: "processed_at"},
		)
		refunds.Fields.Add(timestamps()...)
		refunds.Fields.GetByName("amount").(*core.NumberField).Help = "What the usage cost; an approval gives it back."
		refunds.Fields.GetByName("creator_reversal").(*core.NumberField).Help = "Taken back from the creator's pending revenue."
		refunds.Fields.GetByName("platform_absorbed").(*core.NumberField).Help = "The creator's earning already paid out, borne by the platform."

		refunds.AddIndex("idx_refunds_usage", true, "`usage`", "")
		refunds.AddIndex("idx_refunds_requester_created", false, "`requester`, `created_at`", "")
		refunds.AddIndex("idx_refunds_status_created", false, "`status`, `created_at`", "")

		refunds.ListRule = types.Pointer(`@request.auth.id != "" && (requester = @request.auth.id || @request.auth.role = "ADMIN")`)
		refunds.ViewRule = types.Pointer(`@request.auth.id != "" && (requester = @request.auth.id || @request.auth.role = "ADMIN")`)
		refunds.CreateRule = types.Pointer(`@request.auth.id != "" && (@request.body.requester:isset = false || @request.body.requester = @request.auth.id) && usage.user = @request.auth.id`)

		return app.Save(refunds)
	}, deleteCollection("refunds"))
}
