package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Creates payouts: a creator's request to be paid part of its pending revenue,
// moved by admins REQUESTED → APPROVED → PAID (or REJECTED).
func init() {
	m.Register(func(app core.App) error {
		usersID, err := collectionID(app, c.Users)
		if err != nil {
			return err
		}

		payouts := core.NewBaseCollection(c.Payouts)
		amount := points(c.PayoutAmount, 1)
		amount.Help = "Points to pay out; at most the creator's pending balance minus its open requests."
		payouts.Fields.Add(
			relation(c.PayoutCreator, usersID, true),
			amount,
			&core.SelectField{Name: c.PayoutStatus, Values: c.PayoutStatuses, MaxSelect: 1, Required: true, Presentable: true,
				Help: "Moved only by the admin routes approve, reject and mark_paid."},
			&core.TextField{Name: c.PayoutMethod, Max: c.MaxPayoutMethodChars, Help: "How the creator asks to be paid."},
			&core.TextField{Name: c.PayoutReference, Max: c.MaxPayoutReferenceChars, Help: "The external payment's reference, set when paid."},
			&core.TextField{Name: c.PayoutNote, Max: c.MaxNoteChars, Help: "The admin's note (why it was rejected)."},
			relation(c.PayoutProcessedBy, usersID, false),
			&core.DateField{Name: c.PayoutProcessedAt},
		)
		payouts.Fields.Add(timestamps()...)

		payouts.AddIndex("idx_payouts_creator_created", false, "`creator`, `created_at`", "")
		payouts.AddIndex("idx_payouts_status_created", false, "`status`, `created_at`", "")

		payouts.ListRule = types.Pointer(c.PayoutsViewRule)
		payouts.ViewRule = types.Pointer(c.PayoutsViewRule)
		payouts.CreateRule = types.Pointer(c.PayoutsCreateRule)

		return app.Save(payouts)
	}, deleteCollection(c.Payouts))
}
