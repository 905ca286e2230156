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

func bindPayoutRoutes(authed group) {
	bindRequestRoutes(authed, "/payouts/", payoutListing, map[string][]string{c.PayoutStatus: c.PayoutStatuses, c.PayoutCreator: nil},
		payoutCreate, map[string]handler{
			approvePayoutMove.action:  movePayoutRoute(approvePayoutMove),
			rejectPayoutMove.action:   movePayoutRoute(rejectPayoutMove),
			markPaidPayoutMove.action: movePayoutRoute(markPaidPayoutMove),
		})
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

// payoutMove is an admin's move of a payout from one of from to to.
type payoutMove struct {
	action string // the route's name, and the audit action after "payout."
	verb   string // "approved", for the refusal
	from   []string
	to     string
	pay    bool      // moves the money
	body   *bodySpec // the admin's fields
}

// The admins' moves of a payout: approve/ {note?} REQUESTED → APPROVED;
// reject/ {note} REQUESTED or APPROVED → REJECTED; mark_paid/ {reference,
// note?} APPROVED → PAID, with the PAYOUT ledger row.
var (
	approvePayoutMove = payoutMove{action: "approve", verb: "approved", from: []string{c.PayoutRequested}, to: c.PayoutApproved,
		body: &bodySpec{name: "PayoutApprove", fields: []bodyField{textF(c.PayoutNote, c.MaxNoteChars)}}}
	rejectPayoutMove = payoutMove{action: "reject", verb: "rejected", from: []string{c.PayoutRequested, c.PayoutApproved}, to: c.PayoutRejected,
		body: &bodySpec{name: "PayoutReject", fields: []bodyField{textF(c.PayoutNote, c.MaxNoteChars).req().about("Why.")}}}
	markPaidPayoutMove = payoutMove{action: "mark_paid", verb: "marked paid", from: []string{c.PayoutApproved}, to: c.PayoutPaid, pay: true,
		body: &bodySpec{name: "PayoutMarkPaid", fields: []bodyField{
			textF(c.PayoutReference, c.MaxPayoutReferenceChars).req().about("The external payment's reference."),
			textF(c.PayoutNote, c.MaxNoteChars),
		}}}
)

var payoutStateFields = []string{c.PayoutStatus, c.PayoutAmount, c.PayoutReference, c.PayoutNote, c.PayoutProcessedBy}

// movePayoutRoute is POST /api/payouts/{id}/<move>/ (admin): the body is
// read by the move's spec, then movePayoutAs sets its fields and moves.
func movePayoutRoute(move payoutMove) handler {
	return func(e *core.RequestEvent) error {
		id := e.Request.PathValue("id")
		if _, err := findVisible(e, c.Payouts, id); err != nil {
			return err
		}
		f, err := readForm(e, maxBodyBytes)
		if err != nil {
			return err
		}
		move.body.read(f)
		saved, err := movePayoutAs(e.App, e.Auth, id, move, func(p *core.Record) error {
			f.setOn(p)
			return f.err()
		})
		if err != nil {
			return err
		}
		return answerOne(e, http.StatusOK, payoutViews, saved)
	}
}

// movePayoutAs moves payout id for admin in one transaction: set applies the
// admin's fields, the status is claimed with a conditional UPDATE (of
// concurrent moves out of a state exactly one goes on), the money moves (PAID),
// and the payout is saved and audited. A refusal is a DRF error.
func movePayoutAs(app core.App, admin *core.Record, id string, move payoutMove, set func(p *core.Record) error) (*core.Record, error) {
	var saved *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		p, err := tx.FindRecordById(c.Payouts, id)
		if err != nil {
			return err
		}
		if err := set(p); err != nil {
			return err
		}
		before := fieldsOf(p.Original(), payoutStateFields...)
		claimed, err := ledger.ClaimStatus(tx, c.Payouts, id, move.from, move.to)
		if err != nil {
			return err
		}
		if !claimed {
			return errDetail(http.StatusConflict, fmt.Sprintf("This payout is %s; it can be %s only when %s.",
				p.Original().GetString(c.PayoutStatus), move.verb, strings.Join(move.from, " or ")))
		}
		if move.pay {
			payout := c.AsPayout(p)
			err := ledger.PayPayout(tx, p.Id, payout.Creator(), payout.Amount(), admin.Id, payout.Reference())
			if errors.Is(err, ledger.ErrInsufficient) {
				return errDetail(http.StatusConflict, "The creator's pending balance no longer covers this payout (refunds reversed part of it); reject it.")
			}
			if err != nil {
				return err
			}
		}
		p.Set(c.PayoutStatus, move.to)
		p.Set(c.PayoutProcessedBy, admin.Id)
		p.Set(c.PayoutProcessedAt, types.NowDateTime())
		if err := ledger.SaveSystem(tx, p); err != nil {
			return err
		}
		if err := audit(tx, admin, "payout."+move.action, targetOf(p), before, fieldsOf(p, payoutStateFields...)); err != nil {
			return err
		}
		saved = p
		return nil
	})
	return saved, err
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
