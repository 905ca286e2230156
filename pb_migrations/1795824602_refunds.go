package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Creates refunds: a payer's request to get back what one usage cost, decided
// by an admin; one per usage.
func init() {
	m.Register(func(app core.App) error {
		ids, err := collectionIDs(app, c.Users, c.ToolUsage)
		if err != nil {
			return err
		}

		refunds := core.NewBaseCollection(c.Refunds)
		refunds.Fields.Add(
			relation(c.RefundUsage, ids[c.ToolUsage], true),
			relation(c.RefundRequester, ids[c.Users], true),
			&core.TextField{Name: c.RefundReason, Required: true, Max: c.MaxReasonChars},
			&core.SelectField{Name: c.RefundStatus, Values: c.RefundStatuses, MaxSelect: 1, Required: true, Presentable: true,
				Help: "Moved only by the admin routes approve and reject."},
			points(c.RefundAmount, 0),
			points(c.RefundCreatorReversal, 0),
			points(c.RefundPlatformAbsorbed, 0),
			&core.TextField{Name: c.RefundNote, Max: c.MaxNoteChars, Help: "The admin's note."},
			relation(c.RefundProcessedBy, ids[c.Users], false),
			&core.DateField{Name: c.RefundProcessedAt},
		)
		refunds.Fields.Add(timestamps()...)
		refunds.Fields.GetByName(c.RefundAmount).(*core.NumberField).Help = "What the usage cost; an approval gives it back."
		refunds.Fields.GetByName(c.RefundCreatorReversal).(*core.NumberField).Help = "Taken back from the creator's pending revenue."
		refunds.Fields.GetByName(c.RefundPlatformAbsorbed).(*core.NumberField).Help = "The creator's earning already paid out, borne by the platform."

		refunds.AddIndex("idx_refunds_usage", true, "`usage`", "")
		refunds.AddIndex("idx_refunds_requester_created", false, "`requester`, `created_at`", "")
		refunds.AddIndex("idx_refunds_status_created", false, "`status`, `created_at`", "")

		refunds.ListRule = types.Pointer(c.RefundsViewRule)
		refunds.ViewRule = types.Pointer(c.RefundsViewRule)
		refunds.CreateRule = types.Pointer(c.RefundsCreateRule)

		return app.Save(refunds)
	}, deleteCollection(c.Refunds))
}
