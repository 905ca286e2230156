package ledger

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// Outcome is what a tool's endpoint made of a use: its JSON answer, or why
// the call failed.
type Outcome struct {
	Output  []byte
	Elapsed time.Duration
	Failure string // empty on success; said to the user, so no internals
}

// Settle ends a PENDING use exactly once, in one transaction: SUCCEEDED with
// the endpoint's output, or FAILED and refunded (a REFUND credit of its
// debit, a reversal of the creator's earning, the tool's counters moved
// back). The state is claimed with a conditional UPDATE, so a use someone
// else settled first (the reconciler, or the call's own Settle) is left as it
// is. It returns the use as settled.
func Settle(app core.App, usageID string, out Outcome) (*UseResult, error) {
	var result *UseResult
	err := app.RunInTransaction(func(tx core.App) error {
		state := c.StateSucceeded
		if out.Failure != "" {
			state = c.StateFailed
		}
		res, err := tx.DB().Update(c.ToolUsage, map[string]any{c.UsageState: state},
			dbx.HashExp{c.FieldID: usageID, c.UsageState: c.StatePending}).Execute()
		if err != nil {
			return err
		}
		usage, err := tx.FindRecordById(c.ToolUsage, usageID)
		if err != nil {
			return err
		}
		result = &UseResult{Usage: usage, Remaining: c.AsUsage(usage).RemainingPoints()}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		usage.Set(c.UsageExecutionTime, out.Elapsed.Milliseconds())
		if state == c.StateSucceeded {
			usage.Set(c.UsageSuccess, true)
			usage.Set(c.UsageOutputData, out.Output)
		} else {
			usage.Set(c.UsageErrorMessage, out.Failure+"; the use was refunded")
			if _, err := reverseUsage(tx, usage, "", "refund of a failed call"); err != nil {
				return err
			}
			if err := tx.DB().Select(c.UserPointsBalance).From(c.Users).
				Where(dbx.HashExp{c.FieldID: c.AsUsage(usage).User()}).Row(&result.Remaining); err != nil {
				return err
			}
			usage.Set(c.UsageRemainingPoints, result.Remaining)
		}
		return tx.SaveNoValidateWithContext(SystemContext, usage)
	})
	if err != nil {
		return nil, fmt.Errorf("settling usage %s: %w", usageID, err)
	}
	return result, nil
}

// PendingUses returns the ids of the PENDING uses: all of them (all=true: at
// the server's start, every pending call died with the previous process), or
// those whose call can no longer finish: older than their tool's timeout plus
// margin.
func PendingUses(app core.App, all bool, margin time.Duration) ([]string, error) {
	q := app.DB().Select("u.id").From(c.ToolUsage+" u").
		InnerJoin(c.Tools+" t", dbx.NewExp("t.id = u.tool")).
		Where(dbx.NewExp("u.state = 'PENDING'"))
	if !all {
		q.AndWhere(dbx.NewExp(fmt.Sprintf("u.created_at < strftime('%%Y-%%m-%%d %%H:%%M:%%fZ', 'now', '-' || (t.timeout_seconds + %d) || ' seconds')",
			int(margin.Seconds()))))
	}
	var ids []string
	if err := q.Column(&ids); err != nil {
		return nil, fmt.Errorf("ledger: reading pending uses: %w", err)
	}
	return ids, nil
}
