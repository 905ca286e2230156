package hooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
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

var (
	// ErrNotUsable refuses a use of a tool that is not ACTIVE (but by its creator).
	ErrNotUsable = errors.New("tool is not active")
	// ErrKeyReused refuses an Idempotency-Key sent again with another tool or input.
	ErrKeyReused = errors.New("idempotency key reused with a different request")
)

// UseTool charges the user for one use of the tool and records it, all in one
// transaction: the guarded debit, the usage row, the debit and earning ledger
// rows, and the tool's counters. Admins, and creators on their own tools, use
// for free: the usage is recorded with no ledger rows. With an Idempotency-Key,
// a repeat within the window returns the first use and charges nothing.
//
// A tool with an api_endpoint is then called, outside any transaction, and the
// use settled in a second one: its output, or a failure refunded.
func UseTool(app core.App, req UseRequest) (*UseResult, error) {
	tool := c.AsTool(req.Tool)
	// toolbase's extension: a creator tries its own tool in any status (free)
	if tool.Status() != c.StatusActive && req.User.Id != tool.Creator() {
		return nil, ErrNotUsable
	}
	remote := tool.APIEndpoint() != ""
	if remote {
		cl := callerOf(app)
		if !cl.acquire(tool.Id) {
			return nil, ErrTooManyInFlight
		}
		defer cl.release(tool.Id)
	}
	input, err := json.Marshal(req.Input)
	if err != nil {
		return nil, fmt.Errorf("use: encoding input: %w", err)
	}
	res, err := recordUse(app, req, input, remote)
	if err != nil || !remote {
		return res, err
	}
	if res.Replayed {
		if c.AsUsage(res.Usage).State() == c.StatePending {
			return nil, ErrInProgress
		}
		return res, nil
	}
	return settle(app, res.Usage.Id, callerOf(app).call(configOf(app), tool, res.Usage, input))
}

// recordUse is a use's first transaction: the charge and the usage row,
// PENDING for a remote tool.
func recordUse(app core.App, req UseRequest, input []byte, remote bool) (*UseResult, error) {
	tool := c.AsTool(req.Tool)
	spent := tool.PointsCost()
	if c.AsUser(req.User).IsAdmin() || req.User.Id == tool.Creator() {
		spent = 0
	}
	earning := spent - spent*configOf(app).FeePercent/100

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
			if err := chargeKeyQuota(tx, req.APIKey); err != nil {
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
			after, err := Post(tx, entries...)
			if errors.Is(err, ErrInsufficient) {
				return &InsufficientPointsError{Required: spent}
			}
			if err != nil {
				return err
			}
			remaining = after[0]
		} else if err := tx.DB().Select(c.UserPointsBalance).From(c.Users).
			Where(dbx.HashExp{c.FieldID: req.User.Id}).Row(&remaining); err != nil {
			return err
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
		if err := tx.SaveNoValidateWithContext(systemContext, usage); err != nil {
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
		return nil, err
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
	return nil, err
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

// forgetIdempotencyKeys lets go of keys older than the window, keeping the
// partial unique index small; the lookup ignores them anyway.
func forgetIdempotencyKeys(app core.App) error {
	cutoff := types.NowDateTime().Add(-c.IdempotencyWindowHours * time.Hour).String()
	_, err := app.DB().Update(c.ToolUsage, dbx.Params{c.UsageIdempotencyKey: ""}, dbx.And(
		dbx.NewExp("[["+c.UsageIdempotencyKey+"]] != ''"),
		dbx.NewExp("[["+c.FieldCreatedAt+"]] < {:cutoff}", dbx.Params{"cutoff": cutoff}),
	)).Execute()
	return err
}

// useResponse is the seed's body of a use: {usage_id, output_data,
// points_spent, remaining_points} and the usage's own fields.
type useResponse struct {
	UsageID         string `json:"usage_id"`
	RemainingPoints int64  `json:"remaining_points"`
	usageView
}

// bindUse schedules the hourly cleanup of expired idempotency keys.
func bindUse(app core.App) {
	app.Cron().MustAdd("toolbaseForgetIdempotencyKeys", "17 * * * *", func() {
		if err := forgetIdempotencyKeys(app); err != nil {
			app.Logger().Error("forgetting idempotency keys", "error", err.Error())
		}
	})
}

func bindUseRoutes(authed group) {
	route(authed, "/tools/tools/{id}/use/", map[string]handler{http.MethodPost: useRoute})
	route(authed, "/tools/tools/{id}/signing_secret/", map[string]handler{http.MethodPost: signingSecretRoute})
}

// useRoute is POST /api/tools/tools/{id}/use/ {"input_data": {...}}.
func useRoute(e *core.RequestEvent) error {
	f, err := readForm(e, maxUseBodyBytes)
	if err != nil {
		return err
	}
	input, _ := f.object(c.UsageInputData, false)
	if err := f.err(); err != nil {
		return err
	}
	if input == nil {
		input = map[string]any{}
	}
	if raw, _ := json.Marshal(input); len(raw) > c.MaxInputBytes {
		return errDetail(http.StatusRequestEntityTooLarge, fmt.Sprintf("input_data exceeds %d bytes.", c.MaxInputBytes))
	}
	key := strings.TrimSpace(e.Request.Header.Get("Idempotency-Key"))
	if len(key) > c.MaxIdempotencyKeyChars {
		return errDetail(http.StatusBadRequest, fmt.Sprintf("Idempotency-Key is longer than %d characters.", c.MaxIdempotencyKeyChars))
	}
	tool, err := findVisible(e, c.Tools, e.Request.PathValue("id"))
	if err != nil {
		return err
	}

	res, err := UseTool(e.App, UseRequest{Tool: tool, User: e.Auth, Input: input, Key: key, APIKey: apiKeyOf(e)})
	if kerr := keyUseError(e, err); kerr != nil {
		return kerr
	}
	var short *InsufficientPointsError
	switch {
	case errors.As(err, &short):
		return &apiError{status: http.StatusBadRequest, body: map[string]any{
			"non_field_errors": []string{"Insufficient points"}, "required": short.Required, "available": short.Available,
		}}
	case errors.Is(err, ErrNotUsable):
		return errNonField("Cannot use this tool")
	case errors.Is(err, ErrKeyReused):
		return errDetail(http.StatusUnprocessableEntity, "This Idempotency-Key was already used with a different tool or input.")
	case errors.Is(err, ErrInProgress):
		return errDetail(http.StatusConflict, "Request in progress.")
	case errors.Is(err, ErrTooManyInFlight):
		return errDetail(http.StatusTooManyRequests, "Too many calls to this tool are running; retry shortly.")
	case err != nil:
		return err
	}
	if res.Replayed {
		e.Response.Header().Set("Idempotent-Replayed", "true")
	}
	return e.JSON(http.StatusOK, useResponse{
		UsageID:         res.Usage.Id,
		RemainingPoints: res.Remaining,
		usageView:       newUsageView(res.Usage, c.AsTool(tool).Name(), e.Auth.Email()),
	})
}
