package hooks

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// Payouts: a creator asks to be paid part of its pending revenue
// (total_revenue − total_payouts, minus what it already asked for); an admin
// approves, rejects or, once approved, marks it paid. Only PAID moves money:
// total_payouts grows with a PAYOUT ledger row on account revenue, in the
// transaction that claims the payout's status, so a payout is paid at most
// once whatever runs concurrently.

// bindRequests binds the hooks of a collection of requests (payouts,
// refunds): owner defaults to the caller on the records API, and check runs
// in the transaction that inserts a request, whatever the surface.
func bindRequests(app core.App, collection, owner string, check func(tx core.App, r *core.Record) error) {
	app.OnRecordCreateRequest(collection).BindFunc(defaultToCaller(owner))
	app.OnRecordCreate(collection).BindFunc(func(e *core.RecordEvent) error {
		return checkedNext(e, check)
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
