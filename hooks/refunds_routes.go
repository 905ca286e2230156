package hooks

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

func bindRefundRoutes(authed group) {
	bindRequestRoutes(authed, "/refunds/", refundListing, map[string][]string{c.RefundStatus: c.RefundStatuses, c.RefundUsage: nil},
		refundCreate, approveRefundDecision, rejectRefundDecision)
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

// refundDecision is an admin's decision on a REQUESTED refund; name is its body's.
func refundDecision(action, verb, to, name string, note bodyField) decision {
	return decision{collection: c.Refunds, noun: "refund", action: action, verb: verb, from: []string{c.RefundRequested}, to: to,
		body:    &bodySpec{name: name, fields: []bodyField{note}},
		audited: []string{c.RefundStatus, c.RefundAmount, c.RefundCreatorReversal, c.RefundPlatformAbsorbed, c.RefundNote, c.RefundProcessedBy}}
}

// The admins' decisions: approve/ {note?} refunds the usage; reject/ {note}.
var (
	approveRefundDecision = withMove(refundDecision("approve", "approved", c.RefundApproved, "RefundApprove", textF(c.RefundNote, c.MaxNoteChars)), refundMoney)
	rejectRefundDecision  = refundDecision("reject", "rejected", c.RefundRejected, "RefundReject", textF(c.RefundNote, c.MaxNoteChars).req().about("Why."))
)

// refundMoney refunds an approved refund's usage (ledger.RefundUsage) and
// records what moved.
func refundMoney(tx core.App, admin, r *core.Record) error {
	moved, err := ledger.RefundUsage(tx, c.AsRefund(r).Usage(), admin.Id, "refund "+r.Id)
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
	return nil
}
