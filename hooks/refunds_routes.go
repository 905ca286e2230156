package hooks

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

func bindRefundRoutes(authed group) {
	bindRequestRoutes(authed, "/refunds/", refundListing, map[string][]string{c.RefundStatus: c.RefundStatuses, c.RefundUsage: nil},
		refundCreate, map[string]handler{
			approveRefundDecision.action: decideRefundRoute(approveRefundDecision),
			rejectRefundDecision.action:  decideRefundRoute(rejectRefundDecision),
		})
}

// refundListing is GET /api/refunds/ (own requests (admins: all), newest first;
// ?status=, ?usage=) and GET /api/refunds/{id}/.
var refundListing = listing{collection: c.Refunds, show: refundViews}

// refundCreateBody is a payer's refund request.
var refundCreateBody = &bodySpec{name: "RefundCreate", fields: []bodyField{
	textF(c.RefundUsage, 50).req().about("A usage the caller paid for, within `TOOLBASE_REFUND_WINDOW_DAYS` (default 30) days."),
	textF(c.RefundReason, c.MaxReasonChars).req(),
}}

// refundCreate is POST /api/refunds/ {usage, reason}: the payer asks for a
// usage's points back; 201 with the REQUESTED refund.
func refundCreate(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(c.Refunds)
	if err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	r := core.NewRecord(col)
	r.Set(c.RefundRequester, e.Auth.Id)
	refundCreateBody.read(f)
	if err := f.err(); err != nil {
		return err
	}
	f.setOn(r)
	usage, _ := f.cleanText(c.RefundUsage)
	// the create rule admits only the usage's payer
	ok, err := canCreate(e, r)
	if err != nil {
		return err
	}
	if !ok {
		return FieldErrors{c.RefundUsage: {fmt.Sprintf(`Invalid pk "%s" - object does not exist.`, usage)}}.Err()
	}
	if err := saveAs(e.App, e.Auth, r); err != nil {
		return err
	}
	return answerOne(e, http.StatusCreated, refundViews, r)
}

var refundStateFields = []string{c.RefundStatus, c.RefundAmount, c.RefundCreatorReversal, c.RefundPlatformAbsorbed, c.RefundNote, c.RefundProcessedBy}

// refundDecision is an admin's decision on a REQUESTED refund.
type refundDecision struct {
	action string // the route's name, and the audit action after "refund."
	status string
	body   *bodySpec // the admin's note
}

// The admins' decisions: approve/ {note?}, reject/ {note}.
var (
	approveRefundDecision = refundDecision{action: "approve", status: c.RefundApproved,
		body: &bodySpec{name: "RefundApprove", fields: []bodyField{textF(c.RefundNote, c.MaxNoteChars)}}}
	rejectRefundDecision = refundDecision{action: "reject", status: c.RefundRejected,
		body: &bodySpec{name: "RefundReject", fields: []bodyField{textF(c.RefundNote, c.MaxNoteChars).req().about("Why.")}}}
)

// decideRefundRoute is POST /api/refunds/{id}/<decision>/ (admin).
func decideRefundRoute(d refundDecision) handler {
	return func(e *core.RequestEvent) error {
		id := e.Request.PathValue("id")
		if _, err := findVisible(e, c.Refunds, id); err != nil {
			return err
		}
		f, err := readForm(e, maxBodyBytes)
		if err != nil {
			return err
		}
		d.body.read(f)
		if err := f.err(); err != nil {
			return err
		}
		var note *string
		if s, ok := f.cleanText(c.RefundNote); ok {
			note = &s
		}
		saved, err := decideRefundAs(e.App, e.Auth, id, d.action, d.status, note)
		if err != nil {
			return err
		}
		return answerOne(e, http.StatusOK, refundViews, saved)
	}
}

// decideRefundAs moves REQUESTED refund id to status for admin, in one
// transaction: the status is claimed with a conditional UPDATE (of concurrent
// decisions exactly one goes on), an approval refunds the usage (RefundUsage),
// and the refund is saved with the admin's note (nil: none) and audited. A
// refusal is a DRF error.
func decideRefundAs(app core.App, admin *core.Record, id, action, status string, note *string) (*core.Record, error) {
	var saved *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		r, err := tx.FindRecordById(c.Refunds, id)
		if err != nil {
			return err
		}
		before := fieldsOf(r, refundStateFields...)
		claimed, err := ledger.ClaimStatus(tx, c.Refunds, id, []string{c.RefundRequested}, status)
		if err != nil {
			return err
		}
		if !claimed {
			return errDetail(http.StatusConflict, fmt.Sprintf("This refund is %s; it can be %s only when %s.",
				c.AsRefund(r).Status(), strings.ToLower(status), c.RefundRequested))
		}
		if status == c.RefundApproved {
			moved, err := ledger.RefundUsage(tx, c.AsRefund(r).Usage(), admin.Id, "refund "+id)
			switch {
			case errors.Is(err, ledger.ErrAlreadyRefunded):
				return errDetail(http.StatusConflict, "This usage was already refunded; reject the request.")
			case errors.Is(err, ledger.ErrUsagePending):
				return errDetail(http.StatusConflict, "This usage is still running; decide once it is settled.")
			case errors.Is(err, ledger.ErrInsufficient):
				return errDetail(http.StatusConflict, "The payer's balance would exceed its limit.")
			case err != nil:
				return err
			}
			r.Set(c.RefundAmount, moved.Credited)
			r.Set(c.RefundCreatorReversal, moved.Reversed)
			r.Set(c.RefundPlatformAbsorbed, moved.Absorbed)
		}
		r.Set(c.RefundStatus, status)
		if note != nil {
			r.Set(c.RefundNote, *note)
		}
		r.Set(c.RefundProcessedBy, admin.Id)
		r.Set(c.RefundProcessedAt, types.NowDateTime())
		if err := ledger.SaveSystem(tx, r); err != nil {
			return err
		}
		if err := audit(tx, admin, "refund."+action, targetOf(r), before, fieldsOf(r, refundStateFields...)); err != nil {
			return err
		}
		saved = r
		return nil
	})
	return saved, err
}
