package hooks

import (
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

func bindPayoutRoutes(authed group) {
	bindRequestRoutes(authed, "/payouts/", payoutListing, map[string][]string{c.PayoutStatus: c.PayoutStatuses, c.PayoutCreator: nil},
		payoutCreate, approvePayoutMove, rejectPayoutMove, markPaidPayoutMove)
}

// payoutListing is GET /api/payouts/ (own payouts (admins: all), newest first;
// ?status=, ?creator=) and GET /api/payouts/{id}/.
var payoutListing = listing{collection: c.Payouts, show: payoutViews}

// payoutCreateBody is a creator's payout request.
var payoutCreateBody = &bodySpec{name: "PayoutCreate", fields: []bodyField{
	integerF(c.PayoutAmount, 1, int64(c.MaxPoints)).req().about("At least `TOOLBASE_MIN_PAYOUT` (default 100) and at most the pending balance " +
		"(`total_revenue − total_payouts`) minus the creator's REQUESTED and APPROVED payouts."),
	textF(c.PayoutMethod, c.MaxPayoutMethodChars),
}}

// payoutCreate is POST /api/payouts/ {amount, method?} (creators): 201 with
// the REQUESTED payout.
func payoutCreate(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(c.Payouts)
	if err != nil {
		return err
	}
	p := core.NewRecord(col)
	p.Set(c.PayoutCreator, e.Auth.Id)
	// may the caller request payouts at all? (the body is not read yet)
	if err := mustAllowCreate(e, p); err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	payoutCreateBody.read(f)
	f.setOn(p)
	if err := mustAllowCreate(e, p); err != nil {
		return err
	}
	if err := f.err(); err != nil {
		return err
	}
	if err := saveAs(e.App, e.Auth, p); err != nil {
		return err
	}
	return answerOne(e, http.StatusCreated, payoutViews, p)
}

// payoutMove is an admin's move of a payout; name is its body's.
func payoutMove(action, verb string, from []string, to string, name string, body ...bodyField) decision {
	return decision{collection: c.Payouts, noun: "payout", action: action, verb: verb, from: from, to: to,
		body:    &bodySpec{name: name, fields: body},
		audited: []string{c.PayoutStatus, c.PayoutAmount, c.PayoutReference, c.PayoutNote, c.PayoutProcessedBy}}
}

// The admins' moves of a payout: approve/ {note?} REQUESTED → APPROVED;
// reject/ {note} REQUESTED or APPROVED → REJECTED; mark_paid/ {reference,
// note?} APPROVED → PAID, with the PAYOUT ledger row.
var (
	approvePayoutMove = payoutMove("approve", "approved", []string{c.PayoutRequested}, c.PayoutApproved, "PayoutApprove",
		textF(c.PayoutNote, c.MaxNoteChars))
	rejectPayoutMove = payoutMove("reject", "rejected", []string{c.PayoutRequested, c.PayoutApproved}, c.PayoutRejected, "PayoutReject",
		textF(c.PayoutNote, c.MaxNoteChars).req().about("Why."))
	markPaidPayoutMove = withMove(payoutMove("mark_paid", "marked paid", []string{c.PayoutApproved}, c.PayoutPaid, "PayoutMarkPaid",
		textF(c.PayoutReference, c.MaxPayoutReferenceChars).req().about("The external payment's reference."),
		textF(c.PayoutNote, c.MaxNoteChars)), payPayout)
)

func withMove(d decision, move func(tx core.App, admin, r *core.Record) error) decision {
	d.move = move
	return d
}

// payPayout moves a payout's money: the PAYOUT ledger row on the creator's revenue.
func payPayout(tx core.App, admin, p *core.Record) error {
	payout := c.AsPayout(p)
	err := ledger.PayPayout(tx, p.Id, payout.Creator(), payout.Amount(), admin.Id, payout.Reference())
	if errors.Is(err, ledger.ErrInsufficient) {
		return errDetail(http.StatusConflict, "The creator's pending balance no longer covers this payout (refunds reversed part of it); reject it.")
	}
	return err
}

// mustAllowCreate answers 403 unless the collection's create rule lets the
// request create rec.
func mustAllowCreate(e *core.RequestEvent, rec *core.Record) error {
	ok, err := canCreate(e, rec)
	if err == nil && !ok {
		err = errForbidden
	}
	return err
}
