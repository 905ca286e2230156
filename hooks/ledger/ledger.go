package ledger

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/metrics"
	"toolbase/hooks/realtimebalance"
)

// Config is what the ledger needs of toolbase's configuration.
type Config struct {
	// FeePercent is the platform's share of each paid use, floored (0–100).
	FeePercent int64
	// Now is the clock API key quotas are counted by; nil is time.Now.
	Now func() time.Time
}

func (cfg Config) now() time.Time {
	if cfg.Now != nil {
		return cfg.Now()
	}
	return time.Now()
}

// Entry is one movement of one user's balance: a ledger row to append and the
// balance it changes.
type Entry struct {
	User    string
	Account string // c.AccountPoints or c.AccountRevenue
	Kind    string
	Amount  int64 // signed, never 0
	Usage   string
	Actor   string // the users record that acted, if any
	Note    string
}

// Posted is a ledger row Post appended: its id and the balance after it.
type Posted struct {
	ID           string
	BalanceAfter int64
}

// ErrInsufficient means an entry would have taken a balance below zero (or
// above c.MaxPoints).
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
// returns the rows appended, one per entry, or ErrInsufficient and writes
// nothing. Post audits nothing: an admin's point change is audited by its
// caller, in the same transaction.
func Post(app core.App, entries ...Entry) ([]Posted, error) {
	posted := make([]Posted, len(entries))
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
				err = row.Scan(&posted[i].BalanceAfter)
			}
			if errors.Is(err, sql.ErrNoRows) {
				return ErrInsufficient
			}
			if err != nil {
				return fmt.Errorf("ledger: moving %s of %s: %w", e.Account, e.User, err)
			}
			posted[i].ID = NewID()
			if _, err := hotExec(tx, insertLedgerSQL, posted[i].ID, e.User, e.Account, e.Kind, e.Amount, posted[i].BalanceAfter,
				e.Usage, e.Actor, e.Note, now); err != nil {
				return fmt.Errorf("ledger: appending %s row of %s: %w", e.Kind, e.User, err)
			}
		}
		afterCommit(tx, func() {
			for _, e := range entries {
				metrics.PointsMoved(e.Kind, e.Amount)
			}
		})
		// the owners see their balances move live, once committed
		users := make([]string, len(entries))
		for i, e := range entries {
			users[i] = e.User
		}
		if g, ok := tx.(*groupTx); ok {
			// after the group's commit, and only if this use is in it
			g.job.after = append(g.job.after, func() { realtimebalance.AfterCommit(g.parent, users...) })
		} else {
			realtimebalance.AfterCommit(tx, users...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return posted, nil
}

// afterCommit runs fn once the transaction tx belongs to has committed (not
// if it rolls back): what others are told of money happens only after it did.
func afterCommit(tx core.App, fn func()) {
	if g, ok := tx.(*groupTx); ok {
		// once the group committed, if this use was not rolled back
		g.job.after = append(g.job.after, fn)
		return
	}
	info := tx.TxInfo()
	if info == nil {
		fn()
		return
	}
	info.OnComplete(func(txErr error) error {
		if txErr == nil {
			fn()
		}
		return nil
	})
}

// truncateRunes cuts s to at most n runes (a note's limit).
func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
