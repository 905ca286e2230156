package hooks

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/realtimebalance"
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
	// By names who acted in the audit row of an admin point change when it
	// is no users record (Actor): a superuser or the CLI.
	By actorInfo
}

// ErrInsufficient means an entry would have taken a balance below zero.
var ErrInsufficient = errors.New("insufficient balance")

// The guarded balance moves: the WHERE clause keeps a balance from going below
// zero (or above MaxPoints) whatever runs concurrently, and RETURNING gives
// the balance after. Arguments: amount, now, user, amount (again), max.
const (
	pointsSQL = "UPDATE users SET points_balance = points_balance + ?1, updated_at = ?2" +
		" WHERE id = ?3 AND points_balance + ?1 BETWEEN 0 AND ?4 RETURNING points_balance"
	revenueSQL = "UPDATE users SET total_revenue = total_revenue + ?1, updated_at = ?2" +
		" WHERE id = ?3 AND total_revenue - total_payouts + ?1 >= 0 AND total_revenue + ?1 <= ?4" +
		" RETURNING total_revenue - total_payouts"
	// a payout leaves lifetime earnings alone and grows what was paid out
	payoutSQL = "UPDATE users SET total_payouts = total_payouts - ?1, updated_at = ?2" +
		" WHERE id = ?3 AND total_revenue - total_payouts + ?1 >= 0 AND total_payouts - ?1 <= ?4" +
		" RETURNING total_revenue - total_payouts"
	// ledger rows are appended by toolbase alone, so without the record
	// machinery (and so without realtime events)
	insertLedgerSQL = "INSERT INTO point_transactions (id, user, account, kind, amount, balance_after, usage, actor, note, created_at, updated_at)" +
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"
)

// Post applies entries in one transaction (joining the caller's, if any): each
// moves its balance and appends its ledger row with the balance after it. It
// returns the balances after each entry, or ErrInsufficient and writes nothing.
func Post(app core.App, entries ...Entry) ([]int64, error) {
	after := make([]int64, len(entries))
	err := app.RunInTransaction(func(tx core.App) error {
		now := types.NowDateTime().String()
		for i, e := range entries {
			if e.Amount == 0 {
				return fmt.Errorf("ledger: zero %s entry for user %s", e.Kind, e.User)
			}
			query := pointsSQL
			switch {
			case e.Account == c.AccountRevenue && e.Kind == c.KindPayout:
				query = payoutSQL
			case e.Account == c.AccountRevenue:
				query = revenueSQL
			case e.Account != c.AccountPoints:
				return fmt.Errorf("ledger: unknown account %q", e.Account)
			}
			row, err := hotRow(tx, query, e.Amount, now, e.User, int64(c.MaxPoints))
			if err == nil {
				err = row.Scan(&after[i])
			}
			if errors.Is(err, sql.ErrNoRows) {
				return ErrInsufficient
			}
			if err != nil {
				return fmt.Errorf("ledger: moving %s of %s: %w", e.Account, e.User, err)
			}
			id := security.RandomStringWithAlphabet(core.DefaultIdLength, core.DefaultIdAlphabet)
			if _, err := hotExec(tx, insertLedgerSQL, id, e.User, e.Account, e.Kind, e.Amount, after[i],
				e.Usage, e.Actor, e.Note, now); err != nil {
				return fmt.Errorf("ledger: appending %s row of %s: %w", e.Kind, e.User, err)
			}
			realtimebalance.AfterCommit(tx, e.User) // the owner sees it live, after the commit
			if err := auditPoints(tx, e, after[i], id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return after, nil
}

// bindAdjustments records a superuser's edit of a points balance through the
// records API (the dashboard; rules keep everyone else from it) as an
// ADJUSTMENT ledger row that sets the balance to the value sent. The
// dashboard sends every field back, so a balance is taken as an edit only from
// a form loaded after the balance last moved (every move bumps updated_at): a
// stale form's balance is ignored, like any server-owned field.
func bindAdjustments(app core.App) {
	app.OnRecordCreateRequest(c.Users).BindFunc(func(e *core.RecordRequestEvent) error {
		wanted := e.Record.GetInt64(c.UserPointsBalance)
		if wanted == 0 || !e.HasSuperuserAuth() {
			return e.Next()
		}
		return adjustTo(e, wanted)
	})
	app.OnRecordUpdateRequest(c.Users).BindFunc(func(e *core.RecordRequestEvent) error {
		wanted := e.Record.GetInt64(c.UserPointsBalance)
		if wanted == e.Record.Original().GetInt64(c.UserPointsBalance) || !e.HasSuperuserAuth() || staleForm(e) {
			return e.Next()
		}
		return adjustTo(e, wanted)
	})
}

// staleForm reports whether the request sent back an updated_at other than
// the record's: its other values may be older than the stored ones. (The
// records API resolves autodate fields in RequestInfo to the stored value, so
// the body is read again.)
func staleForm(e *core.RecordRequestEvent) bool {
	var sent struct {
		UpdatedAt string `json:"updated_at" form:"updated_at"`
	}
	if err := e.BindBody(&sent); err != nil {
		return true
	}
	if sent.UpdatedAt == "" {
		return false
	}
	dt, err := types.ParseDateTime(sent.UpdatedAt)
	return err != nil || !dt.Equal(e.Record.Original().GetDateTime(c.FieldUpdatedAt))
}

// adjustTo saves the request's record and moves its balance to wanted with an
// ADJUSTMENT row, in one transaction.
func adjustTo(e *core.RecordRequestEvent, wanted int64) error {
	return inTransaction(e.RequestEvent, func() error {
		if err := e.Next(); err != nil {
			return err
		}
		var current int64
		if err := e.App.DB().Select(c.UserPointsBalance).From(c.Users).
			Where(dbx.HashExp{c.FieldID: e.Record.Id}).Row(&current); err != nil {
			return err
		}
		if wanted == current {
			return nil
		}
		after, err := Post(e.App, Entry{
			User: e.Record.Id, Account: c.AccountPoints, Kind: c.KindAdjustment, Amount: wanted - current,
			Note: "balance set by a superuser", By: actorInfoOf(e.Auth),
		})
		switch {
		case errors.Is(err, ErrInsufficient) && wanted > current:
			return validation.Errors{c.UserPointsBalance: validation.NewError(
				"toolbase_balance_limit", "The change would take the balance above its limit.")}
		case errors.Is(err, ErrInsufficient):
			return validation.Errors{c.UserPointsBalance: validation.NewError(
				"toolbase_negative_balance", "The change would take the balance below zero.")}
		case err != nil:
			return err
		}
		// the answer is written after the commit, from this record
		e.Record.Set(c.UserPointsBalance, after[0])
		return nil
	})
}
