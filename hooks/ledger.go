package hooks

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Entry is one movement of one user's balance: a ledger row to append and the
// balance it changes.
type Entry struct {
	User    string
	Account string // c.AccountPoints or c.AccountRevenue
	Kind    string
	Amount  int64 // signed, never 0
	Usage   string
	Actor   string
	Note    string
}

// ErrInsufficient means an entry would have taken a balance below zero.
var ErrInsufficient = errors.New("insufficient balance")

// balanceSQL moves one account with a guard in the WHERE clause, so that a
// balance can never go below zero (nor above MaxPoints) whatever runs
// concurrently, and returns the balance after the move.
var balanceSQL = map[string]string{
	c.AccountPoints: "UPDATE {{users}} SET [[points_balance]] = [[points_balance]] + {:amount}, [[updated_at]] = {:now}" +
		" WHERE [[id]] = {:user} AND [[points_balance]] + {:amount} BETWEEN 0 AND {:max}" +
		" RETURNING [[points_balance]]",
	c.AccountRevenue: "UPDATE {{users}} SET [[total_revenue]] = [[total_revenue]] + {:amount}, [[updated_at]] = {:now}" +
		" WHERE [[id]] = {:user} AND [[total_revenue]] - [[total_payouts]] + {:amount} >= 0 AND [[total_revenue]] + {:amount} <= {:max}" +
		" RETURNING [[total_revenue]] - [[total_payouts]]",
	// a payout leaves lifetime earnings alone and grows what was paid out
	c.KindPayout: "UPDATE {{users}} SET [[total_payouts]] = [[total_payouts]] - {:amount}, [[updated_at]] = {:now}" +
		" WHERE [[id]] = {:user} AND [[total_revenue]] - [[total_payouts]] + {:amount} >= 0" +
		" RETURNING [[total_revenue]] - [[total_payouts]]",
}

// Post applies entries in one transaction (joining the caller's, if any): each
// moves its balance and appends its ledger row with the balance after it. It
// returns the balances after each entry, or ErrInsufficient and writes nothing.
func Post(app core.App, entries ...Entry) ([]int64, error) {
	after := make([]int64, len(entries))
	err := app.RunInTransaction(func(tx core.App) error {
		ledger, err := tx.FindCachedCollectionByNameOrId(c.PointTransactions)
		if err != nil {
			return err
		}
		now := types.NowDateTime()
		for i, e := range entries {
			if e.Amount == 0 {
				return fmt.Errorf("ledger: zero %s entry for user %s", e.Kind, e.User)
			}
			query := balanceSQL[e.Account]
			if e.Account == c.AccountRevenue && e.Kind == c.KindPayout {
				query = balanceSQL[c.KindPayout]
			}
			if query == "" {
				return fmt.Errorf("ledger: unknown account %q", e.Account)
			}
			err := tx.DB().NewQuery(query).Bind(dbx.Params{
				"amount": e.Amount, "user": e.User, "now": now.String(), "max": int64(c.MaxPoints),
			}).Row(&after[i])
			if errors.Is(err, sql.ErrNoRows) {
				return ErrInsufficient
			}
			if err != nil {
				return fmt.Errorf("ledger: moving %s of %s: %w", e.Account, e.User, err)
			}

			row := core.NewRecord(ledger)
			row.Set(c.TxUser, e.User)
			row.Set(c.TxAccount, e.Account)
			row.Set(c.TxKind, e.Kind)
			row.Set(c.TxAmount, e.Amount)
			row.Set(c.TxBalanceAfter, after[i])
			row.Set(c.TxUsage, e.Usage)
			row.Set(c.TxActor, e.Actor)
			row.Set(c.TxNote, e.Note)
			if err := tx.SaveNoValidateWithContext(systemContext, row); err != nil {
				return fmt.Errorf("ledger: appending %s row of %s: %w", e.Kind, e.User, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return after, nil
}

// bindAdjustments records a superuser's edit of a points balance (in the
// dashboard or the records API; rules keep everyone else from it) as an
// ADJUSTMENT ledger row instead of letting the balance drift from the ledger.
func bindAdjustments(app core.App) {
	app.OnRecordCreate(c.Users).BindFunc(func(e *core.RecordEvent) error {
		initial := e.Record.GetInt64(c.UserPointsBalance)
		if initial == 0 || isSystem(e.Context) {
			return e.Next()
		}
		e.Record.Set(c.UserPointsBalance, 0)
		return adjust(e, initial)
	})
	app.OnRecordUpdate(c.Users).BindFunc(func(e *core.RecordEvent) error {
		was := e.Record.Original().GetInt64(c.UserPointsBalance)
		delta := e.Record.GetInt64(c.UserPointsBalance) - was
		if delta == 0 || isSystem(e.Context) {
			return e.Next()
		}
		// the save itself must not write an absolute balance read earlier
		e.Record.Set(c.UserPointsBalance, was)
		return adjust(e, delta)
	})
}

func adjust(e *core.RecordEvent, delta int64) error {
	outer := e.App
	defer func() { e.App = outer }()
	return outer.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if err := e.Next(); err != nil {
			return err
		}
		after, err := Post(tx, Entry{
			User: e.Record.Id, Account: c.AccountPoints, Kind: c.KindAdjustment, Amount: delta,
			Note: "balance edited by a superuser",
		})
		if errors.Is(err, ErrInsufficient) && delta > 0 {
			return validation.Errors{c.UserPointsBalance: validation.NewError(
				"toolbase_balance_limit", "The change would take the balance above its limit.")}
		}
		if errors.Is(err, ErrInsufficient) {
			return validation.Errors{c.UserPointsBalance: validation.NewError(
				"toolbase_negative_balance", "The change would take the balance below zero.")}
		}
		if err != nil {
			return err
		}
		e.Record.Set(c.UserPointsBalance, after[0])
		// the saved state is now the original, so saving this record again adjusts
		// nothing; PostScan rebuilds the original through the getters, which give
		// a password's plain text (empty), not its value: keep the value itself
		password := e.Record.GetRaw(core.FieldNamePassword)
		if err := e.Record.PostScan(); err != nil {
			return err
		}
		e.Record.SetRaw(core.FieldNamePassword, password)
		return nil
	})
}
