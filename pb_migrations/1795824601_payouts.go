package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Creates payouts: a creator's request to be paid part of its pending revenue,
// moved by admins REQUESTED → APPROVED → PAID (or REJECTED).
func init() {
	m.Register(func(app core.App) error {
		usersID, err := collectionID(app, "users")
		if err != nil {
			return err
		}

		payouts := core.NewBaseCollection("payouts")
		amount := points("amount", 1)
		amount.Help = "Points to pay out; at most the creator's pending balance minus its open requests."
		payouts.Fields.Add(
			relation("creator", usersID, true),
			amount,
			&core.SelectField{Name: "status", Values: []string{"REQUESTED", "APPROVED", "PAID", "REJECTED"}, MaxSelect: 1, Required: true, Presentable: true,
				Help: "Moved only by the admin routes approve, reject and mark_paid."},
			&core.TextField{Name: "method", Max: 200, Help: "How the creator asks to be paid."},
			&core.TextField{Name: "reference", Max: 200, Help: "The external payment's reference, set when paid."},
			&core.TextField{Name: "note", Max: 500, Help: "The admin's note (why it was rejected)."},
			relation("processed_by", usersID, false),
			&core.DateField{Name: "processed_at"},
		)
		payouts.Fields.Add(timestamps()...)

		payouts.AddIndex("idx_payouts_creator_created", false, "`creator`, `created_at`", "")
		payouts.AddIndex("idx_payouts_status_created", false, "`status`, `created_at`", "")

		payouts.ListRule = types.Pointer(`@request.auth.id != "" && (creator = @request.auth.id || @request.auth.role = "ADMIN")`)
		payouts.ViewRule = types.Pointer(`@request.auth.id != "" && (creator = @request.auth.id || @request.auth.role = "ADMIN")`)
		payouts.CreateRule = types.Pointer(`@request.auth.role = "TOOL_CREATOR" && (@request.body.creator:isset = false || @request.body.creator = @request.auth.id)`)

		return app.Save(payouts)
	}, deleteCollection("payouts"))
}
