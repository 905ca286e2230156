package collections

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Payouts is the collection of creators' payout requests.
const Payouts = "payouts"

// Fields of the payouts collection.
const (
	PayoutCreator     = "creator"
	PayoutAmount      = "amount"
	PayoutStatus      = "status"
	PayoutMethod      = "method"
	PayoutReference   = "reference"
	PayoutNote        = "note"
	PayoutProcessedBy = "processed_by"
	PayoutProcessedAt = "processed_at"
)

// Payout statuses: REQUESTED → APPROVED → PAID, and REQUESTED or APPROVED →
// REJECTED.
const (
	PayoutRequested = "REQUESTED"
	PayoutApproved  = "APPROVED"
	PayoutPaid      = "PAID"
	PayoutRejected  = "REJECTED"
)

// PayoutStatuses lists every payout status.
var PayoutStatuses = []string{PayoutRequested, PayoutApproved, PayoutPaid, PayoutRejected}

// Limits of a payout's texts.
const (
	MaxPayoutMethodChars    = 200
	MaxPayoutReferenceChars = 200
)

// Payout is a typed proxy of a payouts record.
type Payout struct {
	core.BaseRecordProxy
}

// AsPayout wraps a payouts record.
func AsPayout(r *core.Record) *Payout {
	p := &Payout{}
	p.SetProxyRecord(r)
	return p
}

// Creator returns the id of the creator to be paid.
func (p *Payout) Creator() string { return p.GetString(PayoutCreator) }

// Amount returns the points to pay out.
func (p *Payout) Amount() int64 { return p.GetInt64(PayoutAmount) }

// Status returns where the payout stands.
func (p *Payout) Status() string { return p.GetString(PayoutStatus) }

// Method returns how the creator asked to be paid.
func (p *Payout) Method() string { return p.GetString(PayoutMethod) }

// Reference returns the external reference of the payment, once paid.
func (p *Payout) Reference() string { return p.GetString(PayoutReference) }

// Note returns the admin's note (the reason of a rejection).
func (p *Payout) Note() string { return p.GetString(PayoutNote) }

// ProcessedBy returns the id of the admin who last moved the payout.
func (p *Payout) ProcessedBy() string { return p.GetString(PayoutProcessedBy) }

// ProcessedAt returns when an admin last moved the payout.
func (p *Payout) ProcessedAt() types.DateTime { return p.GetDateTime(PayoutProcessedAt) }
