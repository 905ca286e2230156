package ledger

import (
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// UseRequest is one use of a tool by a user.
type UseRequest struct {
	Tool   *core.Record
	User   *core.Record
	Input  map[string]any
	Key    string // the client's Idempotency-Key, optional
	APIKey string // id of the API key the request came through, optional
}

// UseResult is a recorded use: new, or replayed for a repeated Idempotency-Key.
type UseResult struct {
	Usage     *core.Record
	Remaining int64 // the user's points right after the use
	Replayed  bool
}

// InsufficientPointsError refuses a use the user cannot afford.
type InsufficientPointsError struct{ Required, Available int64 }

func (e *InsufficientPointsError) Error() string {
	return fmt.Sprintf("insufficient points: %d required, %d available", e.Required, e.Available)
}

// ErrKeyReused refuses an Idempotency-Key sent again with another tool or input.
var ErrKeyReused = errors.New("idempotency key reused with a different request")

// RecordUse is a use's charge, in one transaction (joining the caller's, if
// any): with an Idempotency-Key, a prior use under the key within the window
// is returned (Replayed) and nothing is charged; else the API key's quota is
// charged (if the use came through one), the guarded debit of the tool's
// points_cost and the creator's earning (cost minus cfg.FeePercent, floored)
// are posted, the usage row is saved and the tool's counters move. Admins,
// and creators on their own tools, use for free: the usage is recorded with
// no ledger rows. input is req.Input as JSON, encoded once by the caller: it
// is stored on the usage and compared on a replay.
//
// The usage of a tool with an api_endpoint is saved PENDING, for Settle once
// the endpoint answered; any other usage is SUCCEEDED with an output of
// {"status":"accepted"}.
//
// It returns *InsufficientPointsError (with the balance read after the
// rollback), ErrKeyReused, *KeyQuotaError or ErrKeyInvalid when it refuses.
func RecordUse(app core.App, cfg Config, req UseRequest, input []byte) (*UseResult, error) {
	tool := c.AsTool(req.Tool)
	remote := tool.APIEndpoint() != ""
	spent := tool.PointsCost()
	if c.AsUser(req.User).IsAdmin() || req.User.Id == tool.Creator() {
		spent = 0
	}
	earning := spent - spent*cfg.FeePercent/100

	var result *UseResult
	err := app.RunInTransaction(func(tx core.App) error {
		if req.Key != "" {
			prior, err := priorUse(tx, req, input)
			if err != nil || prior != nil {
				result = prior
				return err
			}
		}
		if req.APIKey != "" {
			if err := chargeKeyQuota(tx, cfg.now(), req.APIKey); err != nil {
				return err
			}
		}

		usage, err := newUsageRecord(tx)
		if err != nil {
			return err
		}
		var remaining int64
		if spent > 0 {
			entries := []Entry{{User: req.User.Id, Account: c.AccountPoints, Kind: c.KindUsage, Amount: -spent, Usage: usage.Id}}
			if earning > 0 {
				entries = append(entries, Entry{User: tool.Creator(), Account: c.AccountRevenue, Kind: c.KindEarning, Amount: earning, Usage: usage.Id})
			}
			posted, err := Post(tx, entries...)
			if errors.Is(err, ErrInsufficient) {
				return &InsufficientPointsError{Required: spent}
			}
			if err != nil {
				return err
			}
			remaining = posted[0].BalanceAfter
		} else if err := tx.DB().Select(c.UserPointsBalance).From(c.Users).
			Where(dbx.HashExp{c.FieldID: req.User.Id}).Row(&remaining); err != nil {
			return fmt.Errorf("use: reading the balance of %s: %w", req.User.Id, err)
		}

		usage.Set(c.UsageTool, tool.Id)
		usage.Set(c.UsageUser, req.User.Id)
		usage.Set(c.UsageAPIKey, req.APIKey)
		usage.Set(c.UsageInputData, types.JSONRaw(input))
		usage.Set(c.UsagePointsSpent, spent)
		if spent > 0 {
			usage.Set(c.UsageCreatorEarning, earning)
		}
		usage.Set(c.UsageIdempotencyKey, req.Key)
		usage.Set(c.UsageRemainingPoints, remaining)
		if remote {
			usage.Set(c.UsageState, c.StatePending)
		} else {
			usage.Set(c.UsageState, c.StateSucceeded)
			usage.Set(c.UsageSuccess, true)
			usage.Set(c.UsageOutputData, types.JSONRaw(`{"status":"accepted"}`))
		}
		if err := tx.SaveNoValidateWithContext(SystemContext, usage); err != nil {
			return fmt.Errorf("use: saving usage: %w", err)
		}
		if err := moveToolCounters(tx, tool.Id, 1, spent); err != nil {
			return err
		}
		result = &UseResult{Usage: usage, Remaining: remaining}
		return nil
	})
	var short *InsufficientPointsError
	if errors.As(err, &short) {
		// read after the rollback: what the user has now
		_ = app.DB().Select(c.UserPointsBalance).From(c.Users).
			Where(dbx.HashExp{c.FieldID: req.User.Id}).Row(&short.Available)
	}
	if err != nil {
		return nil, err
	}
	return result, nil
}

// newUsageRecord returns an unsaved usage with its id chosen, so that its
// ledger rows can name it before it is inserted.
func newUsageRecord(tx core.App) (*core.Record, error) {
	col, err := tx.FindCachedCollectionByNameOrId(c.ToolUsage)
	if err != nil {
		return nil, fmt.Errorf("use: %w", err)
	}
	usage := core.NewRecord(col)
	usage.Id = security.RandomStringWithAlphabet(core.DefaultIdLength, core.DefaultIdAlphabet)
	return usage, nil
}

// countersSQL moves a tool's counters. Arguments: uses, points, now, tool.
const countersSQL = "UPDATE tools SET total_uses = total_uses + ?1, total_revenue = total_revenue + ?2, updated_at = ?3 WHERE id = ?4"

// moveToolCounters adds uses and points to a tool's counters, in tx.
func moveToolCounters(tx core.App, toolID string, uses, spent int64) error {
	if _, err := hotExec(tx, countersSQL, uses, spent, types.NowDateTime().String(), toolID); err != nil {
		return fmt.Errorf("use: moving counters of tool %s: %w", toolID, err)
	}
	return nil
}

// priorUse finds the user's use under req.Key within the window: the result
// to replay, ErrKeyReused if it was for another request, or nil to go on (an
// expired use under the key then lets go of it).
func priorUse(tx core.App, req UseRequest, input []byte) (*UseResult, error) {
	var prior core.Record
	err := priorUseQuery(tx, req.User.Id, req.Key).Limit(1).One(&prior)
	if err == nil {
		if prior.GetString(c.UsageTool) != req.Tool.Id || prior.GetString(c.UsageInputData) != string(input) {
			return nil, ErrKeyReused
		}
		return &UseResult{Usage: &prior, Remaining: c.AsUsage(&prior).RemainingPoints(), Replayed: true}, nil
	}
	_, err = tx.DB().Update(c.ToolUsage, dbx.Params{c.UsageIdempotencyKey: ""}, keyOf(req.User.Id, req.Key)).Execute()
	if err != nil {
		return nil, fmt.Errorf("use: releasing an expired idempotency key: %w", err)
	}
	return nil, nil
}

// keyOf selects the usage of user under an Idempotency-Key. The key's
// condition is stated literally as well, so that SQLite may use the keys'
// partial unique index.
func keyOf(user, key string) dbx.Expression {
	return dbx.And(dbx.HashExp{c.UsageUser: user, c.UsageIdempotencyKey: key}, dbx.NewExp("[["+c.UsageIdempotencyKey+"]] != ''"))
}

// priorUseQuery selects user's use under key within the window.
func priorUseQuery(tx core.App, user, key string) *dbx.SelectQuery {
	cutoff := types.NowDateTime().Add(-c.IdempotencyWindowHours * time.Hour).String()
	return tx.RecordQuery(c.ToolUsage).AndWhere(keyOf(user, key)).
		AndWhere(dbx.NewExp("[["+c.FieldCreatedAt+"]] >= {:cutoff}", dbx.Params{"cutoff": cutoff}))
}

// ForgetIdempotencyKeys lets go of keys older than the window, keeping the
// partial unique index small; the lookup ignores them anyway.
func ForgetIdempotencyKeys(app core.App) error {
	cutoff := types.NowDateTime().Add(-c.IdempotencyWindowHours * time.Hour).String()
	_, err := app.DB().Update(c.ToolUsage, dbx.Params{c.UsageIdempotencyKey: ""}, dbx.And(
		dbx.NewExp("[["+c.UsageIdempotencyKey+"]] != ''"),
		dbx.NewExp("[["+c.FieldCreatedAt+"]] < {:cutoff}", dbx.Params{"cutoff": cutoff}),
	)).Execute()
	if err != nil {
		return fmt.Errorf("ledger: forgetting idempotency keys: %w", err)
	}
	return nil
}
