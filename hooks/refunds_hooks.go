package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// Refunds: the user who paid for a usage asks for its points back, once, within
// the refund window; an admin approves or rejects. Approval is one
// transaction: the refund's status is claimed, the usage is claimed
// (refunded_at set only where it was empty), the payer is credited (REFUND on
// points), the creator's earning is reversed as far as its pending revenue
// allows (REFUND on revenue; the platform absorbs what was already paid out),
// and the tool's counters drop the usage.

// errUsageField is a 400 on the usage field.
func errUsageField(code, msg string) error {
	return validation.Errors{c.RefundUsage: validation.NewError(code, msg)}
}

// checkRefundRequest validates a new refund request and makes it REQUESTED
// with the usage's cost as its amount.
func (tb *toolbase) checkRefundRequest(tx core.App, r *core.Record) error {
	x := c.AsRefund(r)
	usage, err := tx.FindRecordById(c.ToolUsage, x.Usage())
	if errors.Is(err, sql.ErrNoRows) || (err == nil && c.AsUsage(usage).User() != x.Requester()) {
		// someone else's usage is as good as none
		return errUsageField("toolbase_no_usage", fmt.Sprintf(`Invalid pk "%s" - object does not exist.`, x.Usage()))
	}
	if err != nil {
		return err
	}
	u := c.AsUsage(usage)
	window := tb.cfg.RefundWindowDays
	switch {
	case u.PointsSpent() == 0:
		return errUsageField("toolbase_free_usage", "This usage cost nothing; there is nothing to refund.")
	case !usage.GetDateTime(c.UsageRefundedAt).IsZero() || u.State() == c.StateFailed:
		return errUsageField("toolbase_already_refunded", "This usage was already refunded.")
	case u.State() == c.StatePending:
		return errUsageField("toolbase_usage_pending", "This usage is still running; a failed call is refunded by itself.")
	case usage.GetDateTime(c.FieldCreatedAt).Time().Add(time.Duration(window) * 24 * time.Hour).Before(time.Now()):
		return errUsageField("toolbase_refund_window", fmt.Sprintf("The refund window of %d days for this usage has passed.", window))
	}
	n, err := tx.CountRecords(c.Refunds, dbx.HashExp{c.RefundUsage: u.Id})
	if err != nil {
		return err
	}
	if n > 0 {
		return errUsageField("toolbase_refund_exists", "A refund was already requested for this usage.")
	}
	r.Set(c.RefundStatus, c.RefundRequested)
	r.Set(c.RefundAmount, u.PointsSpent())
	return nil
}
