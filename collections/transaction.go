package collections

import "github.com/pocketbase/pocketbase/core"

// Fields of the point_transactions collection (the ledger).
const (
	TxUser         = "user"
	TxAccount      = "account"
	TxAmount       = "amount"
	TxBalanceAfter = "balance_after"
	TxKind         = "kind"
	TxUsage        = "usage"
	TxActor        = "actor"
	TxNote         = "note"
)

// Ledger accounts: spendable points, and a creator's earnings not yet paid out.
const (
	AccountPoints  = "points"
	AccountRevenue = "revenue"
)

// Ledger row kinds.
const (
	KindGrant      = "GRANT"
	KindDeduct     = "DEDUCT"
	KindUsage      = "USAGE"
	KindEarning    = "EARNING"
	KindRefund     = "REFUND"
	KindPayout     = "PAYOUT"
	KindAdjustment = "ADJUSTMENT"
	// KindOpening is an imported account's opening balance (toolbase import
	// django): at most one per account, its first row, of an imported user.
	KindOpening = "OPENING"
)

// Kinds lists every ledger row kind.
var Kinds = []string{KindGrant, KindDeduct, KindUsage, KindEarning, KindRefund, KindPayout, KindAdjustment, KindOpening}

// MaxNoteChars bounds a ledger note (and the reason of an admin point change).
const MaxNoteChars = 500

// Transaction is a typed proxy of a point_transactions record.
type Transaction struct {
	core.BaseRecordProxy
}

// AsTransaction wraps a point_transactions record.
func AsTransaction(r *core.Record) *Transaction {
	t := &Transaction{}
	t.SetProxyRecord(r)
	return t
}

// User returns the id of the account holder.
func (t *Transaction) User() string { return t.GetString(TxUser) }

// Account returns which balance the row moves.
func (t *Transaction) Account() string { return t.GetString(TxAccount) }

// Amount returns the signed change.
func (t *Transaction) Amount() int64 { return t.GetInt64(TxAmount) }

// BalanceAfter returns the account's balance right after the row.
func (t *Transaction) BalanceAfter() int64 { return t.GetInt64(TxBalanceAfter) }

// Kind returns why the balance moved.
func (t *Transaction) Kind() string { return t.GetString(TxKind) }

// Usage returns the id of the usage the row belongs to, if any.
func (t *Transaction) Usage() string { return t.GetString(TxUsage) }

// Actor returns the id of the user who caused the row, if any.
func (t *Transaction) Actor() string { return t.GetString(TxActor) }

// Note returns the free-text reason.
func (t *Transaction) Note() string { return t.GetString(TxNote) }
