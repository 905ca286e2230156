package ledger

import (
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// UseRequest is one use of a tool by a user.
type UseRequest struct {
	Tool   *core.Record
	User   *core.Record
	Input  []byte // the tool's input: a JSON object, encoded once by the caller
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

// ErrToolNotUsable refuses a use of a tool that is not ACTIVE, by anyone but
// its creator: decided in the use's transaction, whatever the caller read
// before (a status change committed before the use is always seen).
var ErrToolNotUsable = errors.New("tool is not active")

// RecordUse is a use's charge, in one transaction (joining the caller's, if
// any): with an Idempotency-Key, a prior use under the key within the window
// is returned (Replayed) and nothing is charged; else the API key's quota is
// charged (if the use came through one), the guarded debit of the tool's
// points_cost and the creator's earning (cost minus cfg.FeePercent, floored)
// are posted, the usage row is saved and the tool's counters move, if the
// tool is ACTIVE or the user's own. Admins, and creators on their own tools,
// use for free: the usage is recorded with no ledger rows. req.Input is
// stored on the usage and compared on a replay.
//
// The usage of a tool with an api_endpoint is saved PENDING, for Settle once
// the endpoint answered; any other usage is SUCCEEDED with an output of
// {"status":"accepted"}.
//
// It returns *InsufficientPointsError (with the balance read after the
// rollback), ErrKeyReused, *KeyQuotaError, ErrKeyInvalid or ErrToolNotUsable
// when it refuses.
func RecordUse(app core.App, cfg Config, req UseRequest) (*UseResult, error) {
	return (*Group)(nil).RecordUse(app, cfg, req)
}

// RecordUse is the package's RecordUse, the use sharing the commit of the
// uses queued with it (see Group) unless app is a transaction (the use then
// joins it) or g is nil (the use has a transaction of its own). It returns
// once the use is committed or refused; a *CommitError if its group's commit
// failed.
func (g *Group) RecordUse(app core.App, cfg Config, req UseRequest) (*UseResult, error) {
	var result *UseResult
	var err error
	switch {
	case app.IsTransactional():
		// the caller's transaction: its end is the caller's, so the usage is
		// saved as a record, its hooks running when that transaction completes
		// in a savepoint: a refused use leaves nothing in it
		if _, err = hotExec(app, savepointSQL); err != nil {
			return nil, err
		}
		if result, err = recordUse(app, nil, cfg, req); err != nil {
			if _, rerr := hotExec(app, rollbackSQL); rerr != nil {
				return nil, errors.Join(err, rerr)
			}
		}
		if _, rerr := hotExec(app, releaseSQL); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
	case g != nil:
		err = g.Do(func(tx core.App) error {
			var err error
			result, err = recordUse(tx, g.app, cfg, req)
			return err
		})
	default:
		err = app.RunInTransaction(func(tx core.App) error {
			var err error
			result, err = recordUse(tx, app, cfg, req)
			return err
		})
	}
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

// recordUse is RecordUse's work in tx. parent is the app tx belongs to (not a
// transaction), which announces the new usage after the commit; nil when tx
// is a caller's transaction, whose end this use cannot see: the usage is then
// saved as a record, PocketBase's hooks announcing it.
func recordUse(tx, parent core.App, cfg Config, req UseRequest) (*UseResult, error) {
	tool := c.AsTool(req.Tool)
	remote := tool.APIEndpoint() != ""
	spent := tool.PointsCost()
	if c.AsUser(req.User).IsAdmin() || req.User.Id == tool.Creator() {
		spent = 0
	}
	earning := spent - spent*cfg.FeePercent/100

	if req.Key != "" {
		prior, err := priorUse(tx, req)
		if err != nil || prior != nil {
			return prior, err
		}
	}
	now := types.NowDateTime()
	// the tool's status as of this transaction: a use never goes through on
	// a tool that stopped being ACTIVE before it
	res, err := hotExec(tx, useCountersSQL, 1, spent, now.String(), tool.Id, req.User.Id)
	if err != nil {
		return nil, fmt.Errorf("use: moving counters of tool %s: %w", tool.Id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n != 1 {
		return nil, ErrToolNotUsable
	}
	if req.APIKey != "" {
		if err := chargeKeyQuota(tx, cfg.now(), req.APIKey); err != nil {
			return nil, err
		}
	}

	col, err := tx.FindCachedCollectionByNameOrId(c.ToolUsage)
	if err != nil {
		return nil, fmt.Errorf("use: %w", err)
	}
	usage := core.NewRecord(col)
	usage.Id = NewID() // chosen before, for the ledger rows to name it
	var remaining int64
	if spent > 0 {
		entries := []Entry{{User: req.User.Id, Account: c.AccountPoints, Kind: c.KindUsage, Amount: -spent, Usage: usage.Id}}
		if earning > 0 {
			entries = append(entries, Entry{User: tool.Creator(), Account: c.AccountRevenue, Kind: c.KindEarning, Amount: earning, Usage: usage.Id})
		}
		posted, err := Post(tx, entries...)
		if errors.Is(err, ErrInsufficient) {
			return nil, &InsufficientPointsError{Required: spent}
		}
		if err != nil {
			return nil, err
		}
		remaining = posted[0].BalanceAfter
	} else if err := tx.DB().Select(c.UserPointsBalance).From(c.Users).
		Where(dbx.HashExp{c.FieldID: req.User.Id}).Row(&remaining); err != nil {
		return nil, fmt.Errorf("use: reading the balance of %s: %w", req.User.Id, err)
	}

	var output types.JSONRaw
	usage.Set(c.UsageTool, tool.Id)
	usage.Set(c.UsageUser, req.User.Id)
	usage.Set(c.UsageAPIKey, req.APIKey)
	usage.Set(c.UsageInputData, types.JSONRaw(req.Input))
	usage.Set(c.UsagePointsSpent, spent)
	if spent > 0 {
		usage.Set(c.UsageCreatorEarning, earning)
	}
	usage.Set(c.UsageIdempotencyKey, req.Key)
	usage.Set(c.UsageRemainingPoints, remaining)
	if remote {
		usage.Set(c.UsageState, c.StatePending)
	} else {
		output = types.JSONRaw(`{"status":"accepted"}`)
		usage.Set(c.UsageState, c.StateSucceeded)
		usage.Set(c.UsageSuccess, true)
		usage.Set(c.UsageOutputData, output)
	}
	if parent == nil {
		if err := tx.SaveNoValidateWithContext(SystemContext, usage); err != nil {
			return nil, fmt.Errorf("use: saving usage: %w", err)
		}
		return &UseResult{Usage: usage, Remaining: remaining}, nil
	}

	// the row as PocketBase's save writes it, without its machinery (hooks
	// that would announce it before the group's commit, validation of values
	// made here), and announced as PocketBase does, once committed
	usage.SetRaw(c.FieldCreatedAt, now)
	usage.SetRaw(c.FieldUpdatedAt, now)
	var outputValue any
	if output != nil {
		outputValue = string(output)
	}
	state := usage.GetString(c.UsageState)
	if _, err := hotExec(tx, insertUsageSQL, usage.Id, tool.Id, req.User.Id, req.APIKey, string(req.Input), outputValue,
		spent, usage.GetInt64(c.UsageCreatorEarning), !remote, req.Key, remaining, state, now.String()); err != nil {
		return nil, fmt.Errorf("use: saving usage: %w", err)
	}
	usage.MarkAsNotNew()
	afterCommit(tx, func() { announceCreate(parent, usage) })
	return &UseResult{Usage: usage, Remaining: remaining}, nil
}

// insertUsageSQL appends a usage row. Arguments: id, tool, user, api_key,
// input_data, output_data, points_spent, creator_earning, success,
// idempotency_key, remaining_points, state, now.
const insertUsageSQL = "INSERT INTO tool_usage (id, tool, user, api_key, input_data, output_data, points_spent," +
	" creator_earning, success, idempotency_key, remaining_points, state, execution_time_ms, error_message," +
	" refunded_at, created_at, updated_at)" +
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, '', '', ?13, ?13)"

// useCountersSQL counts a use on its tool's counters, if the tool is ACTIVE
// or the user's own. Arguments: uses, points, now, tool, user.
const useCountersSQL = "UPDATE tools SET total_uses = total_uses + ?1, total_revenue = total_revenue + ?2, updated_at = ?3" +
	" WHERE id = ?4 AND (status = 'ACTIVE' OR creator = ?5)"

// announceCreate tells the app's hooks (realtime among them: a creator
// watching its tools' usage) of a usage row committed without the record
// machinery, as PocketBase's own save does after its commit.
func announceCreate(app core.App, usage *core.Record) {
	event := &core.ModelEvent{App: app, Context: SystemContext, Type: core.ModelEventTypeCreate, Model: usage}
	if err := app.OnModelAfterCreateSuccess().Trigger(event); err != nil {
		app.Logger().Debug("use: announcing a usage", "id", usage.Id, "error", err.Error())
	}
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
func priorUse(tx core.App, req UseRequest) (*UseResult, error) {
	var prior core.Record
	err := priorUseQuery(tx, req.User.Id, req.Key).Limit(1).One(&prior)
	if err == nil {
		if prior.GetString(c.UsageTool) != req.Tool.Id || prior.GetString(c.UsageInputData) != string(req.Input) {
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
