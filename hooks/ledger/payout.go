package ledger

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// PayPayout moves the money of payout id, in tx (the transaction that claimed
// its status PAID, see ClaimStatus): a PAYOUT row of -amount on the
// creator's revenue account, which grows total_payouts. Its note is "payout
// <id>" and the reference: Verify finds the payout by it. actor is the
// admin's user id. ErrInsufficient when the creator's pending revenue no
// longer covers the amount (refunds reversed part of it).
func PayPayout(tx core.App, id, creator string, amount int64, actor, reference string) error {
	_, err := Post(tx, Entry{User: creator, Account: c.AccountRevenue, Kind: c.KindPayout,
		Amount: -amount, Actor: actor, Note: payoutNote(id, reference)})
	return err
}

// payoutNote is the note of a payout's PAYOUT ledger row; Verify finds the
// payout by the id it starts with.
func payoutNote(id, reference string) string {
	note := "payout " + id
	if reference != "" {
		note += ": " + reference
	}
	return truncateRunes(note, c.MaxNoteChars)
}

// ClaimStatus moves the status of record id of table (a payout or a refund)
// from one of from to to with a conditional UPDATE, and reports whether this
// call did it: of concurrent claims, exactly one succeeds. Call it in the
// transaction that then moves the money, so that both commit or neither.
func ClaimStatus(tx core.App, table, id string, from []string, to string) (bool, error) {
	in := make([]any, len(from))
	for i, s := range from {
		in[i] = s
	}
	res, err := tx.DB().Update(table, dbx.Params{"status": to},
		dbx.And(dbx.HashExp{c.FieldID: id}, dbx.In("status", in...))).Execute()
	if err != nil {
		return false, fmt.Errorf("ledger: claiming %s %s: %w", table, id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
