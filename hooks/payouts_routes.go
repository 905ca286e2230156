package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// Payouts: a creator asks to be paid part of its pending revenue
// (total_revenue − total_payouts, minus what it already asked for); an admin
// approves, rejects or, once approved, marks it paid. Only PAID moves money:
// total_payouts grows with a PAYOUT ledger row on account revenue, in the
// transaction that claims the payout's status, so a payout is paid at most
// once whatever runs concurrently.

func (tb *toolbase) bindPayouts(app core.App) {
	app.OnRecordCreateRequest(c.Payouts).BindFunc(defaultToCaller(c.PayoutCreator))
	// whatever the surface: the request is checked against the balance in the
	// transaction that inserts it
	app.OnRecordCreate(c.Payouts).BindFunc(func(e *core.RecordEvent) error {
		return checkedNext(e, tb.checkPayoutRequest)
	})
}

// defaultToCaller makes the calling user the record's field (its owner) when
// the body leaves it out; the create rule has refused any other value.
func defaultToCaller(field string) func(e *core.RecordRequestEvent) error {
	return func(e *core.RecordRequestEvent) error {
		if e.Record.GetString(field) == "" && e.Auth != nil && e.Auth.Collection().Name == c.Users {
			e.Record.Set(field, e.Auth.Id)
		}
		return e.Next()
	}
}

// checkedNext runs check and the rest of a record save in one transaction.
func checkedNext(e *core.RecordEvent, check func(tx core.App, r *core.Record) error) error {
	outer := e.App
	defer func() { e.App = outer }()
	return outer.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if err := check(tx, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
}

// payoutAvailable returns what a creator may still request: its pending
// balance minus its REQUESTED and APPROVED payouts.
func payoutAvailable(app core.App, creator string) (int64, error) {
	var available int64
	err := app.DB().NewQuery(`SELECT u.total_revenue - u.total_payouts - COALESCE((SELECT SUM(p.amount) FROM payouts p
		WHERE p.creator = u.id AND p.status IN ('` + c.PayoutRequested + `', '` + c.PayoutApproved + `')), 0)
		FROM users u WHERE u.id = {:id}`).Bind(dbx.Params{"id": creator}).Row(&available)
	return available, err
}

// checkPayoutRequest validates a new payout and makes it REQUESTED.
func (tb *toolbase) checkPayoutRequest(tx core.App, r *core.Record) error {
	p := c.AsPayout(r)
	available, err := payoutAvailable(tx, p.Creator())
	if errors.Is(err, sql.ErrNoRows) {
		return validation.Errors{c.PayoutCreator: validation.NewError("toolbase_no_user", "No such user.")}
	}
	if err != nil {
		return err
	}
	minimum := tb.cfg.MinPayout
	switch amount := p.Amount(); {
	case amount < minimum:
		return validation.Errors{c.PayoutAmount: validation.NewError("toolbase_payout_minimum",
			fmt.Sprintf("Ensure this value is greater than or equal to %d (the minimum payout).", minimum))}
	case amount > available:
		return validation.Errors{c.PayoutAmount: validation.NewError("toolbase_payout_over_balance",
			fmt.Sprintf("Ensure this value is less than or equal to %d: the pending balance minus the payouts already requested.", max(available, 0)))}
	}
	r.Set(c.PayoutStatus, c.PayoutRequested)
	return nil
}

func bindPayoutRoutes(authed group) {
	admin := only(authed, c.RoleAdmin)
	route(authed, "/payouts/", map[string]handler{http.MethodGet: payoutList, http.MethodPost: payoutCreate})
	route(authed, "/payouts/{id}/", map[string]handler{http.MethodGet: payoutDetail})
	route(admin, "/payouts/{id}/approve/", map[string]handler{http.MethodPost: payoutApprove})
	route(admin, "/payouts/{id}/reject/", map[string]handler{http.MethodPost: payoutReject})
	route(admin, "/payouts/{id}/mark_paid/", map[string]handler{http.MethodPost: payoutMarkPaid})
}

// payoutView is a payout as the seed API shows it.
type payoutView struct {
	ID           string `json:"id"`
	Creator      string `json:"creator"`
	CreatorEmail string `json:"creator_email"`
	Amount       int64  `json:"amount"`
	Status       string `json:"status"`
	Method       string `json:"method"`
	Reference    string `json:"reference"`
	Note         string `json:"note"`
	ProcessedBy  any    `json:"processed_by"`
	ProcessedAt  any    `json:"processed_at"`
	CreatedAt    any    `json:"created_at"`
	UpdatedAt    any    `json:"updated_at"`
}

// payoutViews shows payouts, their creators loaded in one query.
func payoutViews(app core.App, records []*core.Record) ([]any, error) {
	users, err := usersOf(app, records, c.PayoutCreator)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(records))
	for i, r := range records {
		p := c.AsPayout(r)
		out[i] = payoutView{
			ID:           r.Id,
			Creator:      p.Creator(),
			CreatorEmail: emailOf(users[p.Creator()]),
			Amount:       p.Amount(),
			Status:       p.Status(),
			Method:       p.Method(),
			Reference:    p.Reference(),
			Note:         p.Note(),
			ProcessedBy:  nullIfEmpty(p.ProcessedBy()),
			ProcessedAt:  rfc3339(p.ProcessedAt()),
			CreatedAt:    rfc3339(r.GetDateTime(c.FieldCreatedAt)),
			UpdatedAt:    rfc3339(r.GetDateTime(c.FieldUpdatedAt)),
		}
	}
	return out, nil
}

// usersOf loads the users that fields of records name, in one query.
func usersOf(app core.App, records []*core.Record, fields ...string) (map[string]*core.Record, error) {
	var ids []string
	for _, f := range fields {
		ids = append(ids, fieldValues(records, f)...)
	}
	return recordsByID(app, c.Users, ids)
}

// answerOne answers one record shown by show.
func answerOne(e *core.RequestEvent, status int, show shower, r *core.Record) error {
	views, err := show(e.App, []*core.Record{r})
	if err != nil {
		return err
	}
	return e.JSON(status, views[0])
}

// choiceFilters turns the query parameters named in filters (parameter →
// choices, nil for any value) into conditions on table's same-named fields,
// with django-filter's 400 for a value that is not a choice.
func choiceFilters(e *core.RequestEvent, table string, filters map[string][]string) ([]dbx.Expression, error) {
	var conds []dbx.Expression
	errs := FieldErrors{}
	for param, choices := range filters {
		v := e.Request.URL.Query().Get(param)
		if v == "" {
			continue
		}
		if choices != nil && !slices.Contains(choices, v) {
			errs.Add(param, fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v))
			continue
		}
		conds = append(conds, dbx.HashExp{table + "." + param: v})
	}
	return conds, errs.Err()
}

// payoutList is GET /api/payouts/: own payouts (admins: all), newest first;
// ?status=, ?creator=.
func payoutList(e *core.RequestEvent) error {
	conds, err := choiceFilters(e, c.Payouts, map[string][]string{c.PayoutStatus: c.PayoutStatuses, c.PayoutCreator: nil})
	if err != nil {
		return err
	}
	build := func() (*dbx.SelectQuery, error) {
		q, err := listQuery(e, c.Payouts)
		if err != nil {
			return nil, err
		}
		for _, cond := range conds {
			q.AndWhere(cond)
		}
		return q, nil
	}
	return paginate(e, build, newestFirst(c.Payouts), payoutViews)
}

// payoutDetail is GET /api/payouts/{id}/.
func payoutDetail(e *core.RequestEvent) error {
	p, err := findVisible(e, c.Payouts, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	return answerOne(e, http.StatusOK, payoutViews, p)
}

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
