package collections

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Refunds is the collection of refund requests for usages.
const Refunds = "refunds"

// UsageRefundedAt is the tool_usage field set when a usage is refunded: a
// usage is refunded if and only if it is set.
const UsageRefundedAt = "refunded_at"

// Fields of the refunds collection.
const (
	RefundUsage            = "usage"
	RefundRequester        = "requester"
	RefundReason           = "reason"
	RefundStatus           = "status"
	RefundAmount           = "amount"
	RefundCreatorReversal  = "creator_reversal"
	RefundPlatformAbsorbed = "platform_absorbed"
	RefundNote             = "note"
	RefundProcessedBy      = "processed_by"
	RefundProcessedAt      = "processed_at"
)

// Refund statuses: REQUESTED → APPROVED or REJECTED.
const (
	RefundRequested = "REQUESTED"
	RefundApproved  = "APPROVED"
	RefundRejected  = "REJECTED"
)

// RefundStatuses lists every refund status.
var RefundStatuses = []string{RefundRequested, RefundApproved, RefundRejected}

// MaxReasonChars bounds a refund's reason.
const MaxReasonChars = 2000

// Refund is a typed proxy of a refunds record.
type Refund struct {
	core.BaseRecordProxy
}

// AsRefund wraps a refunds record.
func AsRefund(r *core.Record) *Refund {
	x := &Refund{}
	x.SetProxyRecord(r)
	return x
}

// Usage returns the id of the usage to refund.
func (r *Refund) Usage() string { return r.GetString(RefundUsage) }

// Requester returns the id of the user who paid for the usage.
func (r *Refund) Requester() string { return r.GetString(RefundRequester) }

// Reason returns why the requester wants the points back.
func (r *Refund) Reason() string { return r.GetString(RefundReason) }

// Status returns where the refund stands.
func (r *Refund) Status() string { return r.GetString(RefundStatus) }

// Amount returns the points the usage cost, which an approval gives back.
func (r *Refund) Amount() int64 { return r.GetInt64(RefundAmount) }

// CreatorReversal returns what the approval took back from the creator's revenue.
func (r *Refund) CreatorReversal() int64 { return r.GetInt64(RefundCreatorReversal) }

// PlatformAbsorbed returns the part of the creator's earning the platform bore
// because it had already been paid out.
func (r *Refund) PlatformAbsorbed() int64 { return r.GetInt64(RefundPlatformAbsorbed) }

// Note returns the admin's note.
func (r *Refund) Note() string { return r.GetString(RefundNote) }

// ProcessedBy returns the id of the admin who decided.
func (r *Refund) ProcessedBy() string { return r.GetString(RefundProcessedBy) }

// ProcessedAt returns when an admin decided.
func (r *Refund) ProcessedAt() types.DateTime { return r.GetDateTime(RefundProcessedAt) }
