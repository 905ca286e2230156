package ledger

import (
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

var (
	// ErrAlreadyRefunded refuses to refund a usage a second time (an approved
	// refund, or a failed remote call, which refunds itself).
	ErrAlreadyRefunded = errors.New("usage already refunded")
	// ErrUsagePending refuses to refund a usage whose remote call is still
	// running: it settles itself, refunded if it fails.
	ErrUsagePending = errors.New("usage still pending")
)

// UsageRefund is what refunding a usage moved.
type UsageRefund struct {
	Credited int64 // points given back to the payer
	Earning  int64 // the creator's earning from the usage
	Reversed int64 // taken back from the creator's pending revenue
	Absorbed int64 // the part of the earning already paid out, borne by the platform
}

// RefundUsage refunds a settled usage exactly once, in one transaction
// (joining the caller's). It claims the usage by setting refunded_at where it
// is empty and the usage is neither FAILED (refunded when its remote call
// failed: ErrAlreadyRefunded) nor PENDING (ErrUsagePending); posts a REFUND
// credit of what the usage debited to its payer and a REFUND reversal of the
// creator's earning that never takes the creator's pending revenue below zero
// (the platform absorbs the rest, and the notes say so); and takes the usage
// out of its tool's counters. actor (a user id, may be empty) and note (e.g.
// "refund <id>") go into the ledger rows. A free usage is marked refunded and
// taken off the counters, with no ledger rows. (A remote call that fails is
// refunded by Settle, through the same reversal; a usage is claimed by one
// or the other.)
func RefundUsage(app core.App, usageID, actor, note string) (*UsageRefund, error) {
	var out *UsageRefund
	err := app.RunInTransaction(func(tx core.App) error {
		usage, err := tx.FindRecordById(c.ToolUsage, usageID)
		if err != nil {
			return err
		}
		now := types.NowDateTime()
		// the claim: of concurrent refunds (and a remote call settling), one goes on
		res, err := tx.DB().NewQuery("UPDATE {{" + c.ToolUsage + "}} SET [[" + c.UsageRefundedAt + "]] = {:now}" +
			" WHERE [[id]] = {:id} AND [[" + c.UsageRefundedAt + "]] = ''" +
			" AND [[" + c.UsageState + "]] NOT IN ({:pending}, {:failed})").
			Bind(dbx.Params{"now": now.String(), "id": usageID, "pending": c.StatePending, "failed": c.StateFailed}).Execute()
		if err != nil {
			return fmt.Errorf("refund: claiming usage %s: %w", usageID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err == nil {
				err = ErrAlreadyRefunded
				if c.AsUsage(usage).State() == c.StatePending && usage.GetDateTime(c.UsageRefundedAt).IsZero() {
					err = ErrUsagePending
				}
			}
			return err
		}

		r, err := reverseUsage(tx, usage, actor, note)
		if err != nil {
			return err
		}
		// saved through the model as well, for realtime and updated_at
		usage.Set(c.UsageRefundedAt, now)
		if err := tx.SaveNoValidateWithContext(SystemContext, usage); err != nil {
			return fmt.Errorf("refund: saving usage %s: %w", usageID, err)
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// usageChargeSQL reads what a usage moved: its payer and debit, its earner and
// earning.
const usageChargeSQL = `SELECT
	COALESCE(MAX(CASE WHEN kind = 'USAGE' THEN user END), ''),
	COALESCE(-SUM(CASE WHEN kind = 'USAGE' THEN amount END), 0),
	COALESCE(MAX(CASE WHEN kind = 'EARNING' THEN user END), ''),
	COALESCE(SUM(CASE WHEN kind = 'EARNING' THEN amount END), 0)
	FROM point_transactions WHERE usage = {:id}`

// reverseUsage undoes what a claimed usage moved, in tx: a REFUND credit to its
// payer of what it debited, a REFUND reversal of the creator's earning that
// never takes the creator's pending revenue below zero (the platform absorbs
// the rest, and the notes say so), and the usage taken off its tool's counters.
func reverseUsage(tx core.App, usage *core.Record, actor, note string) (*UsageRefund, error) {
	var payer, earner string
	var debited, earning int64
	err := tx.DB().NewQuery(usageChargeSQL).Bind(dbx.Params{"id": usage.Id}).Row(&payer, &debited, &earner, &earning)
	if err != nil {
		return nil, fmt.Errorf("refund: reading the charge of usage %s: %w", usage.Id, err)
	}
	r := &UsageRefund{Credited: debited, Earning: earning}
	if earning > 0 {
		var pending int64
		if err := tx.DB().NewQuery("SELECT [[total_revenue]] - [[total_payouts]] FROM {{users}} WHERE [[id]] = {:id}").
			Bind(dbx.Params{"id": earner}).Row(&pending); err != nil {
			return nil, fmt.Errorf("refund: reading the pending revenue of %s: %w", earner, err)
		}
		r.Reversed = min(earning, max(pending, 0))
		r.Absorbed = earning - r.Reversed
	}

	subject := note + " of usage " + usage.Id
	absorbed := ""
	if r.Absorbed > 0 {
		absorbed = fmt.Sprintf("; the platform absorbs %d of the creator's earning of %d, already paid out", r.Absorbed, earning)
	}
	var entries []Entry
	if r.Credited > 0 {
		entries = append(entries, Entry{User: payer, Account: c.AccountPoints, Kind: c.KindRefund, Amount: r.Credited,
			Usage: usage.Id, Actor: actor, Note: truncateRunes(subject+absorbed, c.MaxNoteChars)})
	}
	if r.Reversed > 0 {
		entries = append(entries, Entry{User: earner, Account: c.AccountRevenue, Kind: c.KindRefund, Amount: -r.Reversed,
			Usage: usage.Id, Actor: actor, Note: truncateRunes(fmt.Sprintf("%s: reverses %d of the earning of %d%s",
				subject, r.Reversed, earning, absorbed), c.MaxNoteChars)})
	}
	if len(entries) > 0 {
		if _, err := Post(tx, entries...); err != nil {
			return nil, err
		}
	}
	u := c.AsUsage(usage)
	if err := moveToolCounters(tx, u.Tool(), -1, -u.PointsSpent()); err != nil {
		return nil, err
	}
	return r, nil
}
