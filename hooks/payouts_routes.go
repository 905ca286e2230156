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
	admin := only(authed, c.RoleAdmin)
	route(authed, "/payouts/", map[string]handler{
		http.MethodGet:  payoutListing.listRoute(map[string][]string{c.PayoutStatus: c.PayoutStatuses, c.PayoutCreator: nil}),
		http.MethodPost: payoutCreate,
	})
	route(authed, "/payouts/{id}/", map[string]handler{http.MethodGet: payoutListing.detail})
	route(admin, "/payouts/{id}/approve/", map[string]handler{http.MethodPost: payoutApprove})
	route(admin, "/payouts/{id}/reject/", map[string]handler{http.MethodPost: payoutReject})
	route(admin, "/payouts/{id}/mark_paid/", map[string]handler{http.MethodPost: payoutMarkPaid})
}

// payoutListing is GET /api/payouts/ (own payouts (admins: all), newest first;
// ?status=, ?creator=) and GET /api/payouts/{id}/.
var payoutListing = listing{collection: c.Payouts, show: payoutViews}

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
	if amount, ok := f.integer(c.PayoutAmount, 1, int64(c.MaxPoints), true); ok {
		p.Set(c.PayoutAmount, amount)
	}
	if method, ok := f.text(c.PayoutMethod, c.MaxPayoutMethodChars, false); ok {
		p.Set(c.PayoutMethod, method)
	}
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
	pay    bool // moves the money
}

// The admins' moves of a payout.
var (
	approvePayoutMove  = payoutMove{action: "approve", verb: "approved", from: []string{c.PayoutRequested}, to: c.PayoutApproved}
	rejectPayoutMove   = payoutMove{action: "reject", verb: "rejected", from: []string{c.PayoutRequested, c.PayoutApproved}, to: c.PayoutRejected}
	markPaidPayoutMove = payoutMove{action: "mark_paid", verb: "marked paid", from: []string{c.PayoutApproved}, to: c.PayoutPaid, pay: true}
)

// payoutApprove is POST /api/payouts/{id}/approve/ {note?} (admin): REQUESTED → APPROVED.
func payoutApprove(e *core.RequestEvent) error {
	return movePayout(e, approvePayoutMove,
		func(f *form, p *core.Record) {
			if note, ok := f.text(c.PayoutNote, c.MaxNoteChars, false); ok {
				p.Set(c.PayoutNote, note)
			}
		})
}

// payoutReject is POST /api/payouts/{id}/reject/ {note} (admin): REQUESTED or
// APPROVED → REJECTED.
func payoutReject(e *core.RequestEvent) error {
	return movePayout(e, rejectPayoutMove,
		func(f *form, p *core.Record) {
			if note, ok := f.text(c.PayoutNote, c.MaxNoteChars, true); ok {
				p.Set(c.PayoutNote, note)
			}
		})
}

// payoutMarkPaid is POST /api/payouts/{id}/mark_paid/ {reference, note?}
// (admin): APPROVED → PAID, with the PAYOUT ledger row.
func payoutMarkPaid(e *core.RequestEvent) error {
	return movePayout(e, markPaidPayoutMove,
		func(f *form, p *core.Record) {
			if ref, ok := f.text(c.PayoutReference, c.MaxPayoutReferenceChars, true); ok {
				p.Set(c.PayoutReference, ref)
			}
			if note, ok := f.text(c.PayoutNote, c.MaxNoteChars, false); ok {
				p.Set(c.PayoutNote, note)
			}
		})
}

var payoutStateFields = []string{c.PayoutStatus, c.PayoutAmount, c.PayoutReference, c.PayoutNote, c.PayoutProcessedBy}

// movePayout is an admin route's move of a payout: the body is read by read
// (which sets the payout's fields from it), then movePayoutAs does the move.
func movePayout(e *core.RequestEvent, move payoutMove, read func(f *form, p *core.Record)) error {
	id := e.Request.PathValue("id")
	if _, err := findVisible(e, c.Payouts, id); err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	saved, err := movePayoutAs(e.App, e.Auth, id, move, func(p *core.Record) error {
		read(f, p)
		return f.err()
	})
	if err != nil {
		return err
	}
	return answerOne(e, http.StatusOK, payoutViews, saved)
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
