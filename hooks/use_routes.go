package hooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/builtin"
	"toolbase/hooks/ledger"
	"toolbase/hooks/metrics"
)

// ErrNotUsable refuses a use of a tool that is not ACTIVE (but by its creator).
var ErrNotUsable = ledger.ErrToolNotUsable

// UseTool charges the user for one use of the tool and records it, all in one
// transaction (ledger.RecordUse): the guarded debit, the usage row, the debit
// and earning ledger rows, and the tool's counters. Admins, and creators on
// their own tools, use for free: the usage is recorded with no ledger rows.
// With an Idempotency-Key, a repeat within the window returns the first use
// and charges nothing.
//
// A tool with an api_endpoint is then called, outside any transaction, and the
// use settled in a second one (ledger.Settle): its output, or a failure
// refunded. A built-in tool (hooks/builtin) takes the same path, run locally.
func (tb *toolbase) UseTool(app core.App, req ledger.UseRequest) (*ledger.UseResult, error) {
	tool := c.AsTool(req.Tool)
	// toolbase's extension: a creator tries its own tool in any status (free)
	if tool.Status() != c.StatusActive && req.User.Id != tool.Creator() {
		return nil, ErrNotUsable
	}
	remote := tool.APIEndpoint() != ""
	local := builtin.Reserved(tool.APIEndpoint()) // a built-in: no call, no slot
	if remote && !local {
		if !tb.caller.acquire(tool.Id) {
			return nil, ErrTooManyInFlight
		}
		defer tb.caller.release(tool.Id)
	}
	res, err := tb.uses.RecordUse(app, tb.cfg.ledger(), req)
	if err != nil || !remote {
		return res, err
	}
	if res.Replayed {
		if c.AsUsage(res.Usage).State() == c.StatePending {
			return nil, ErrInProgress
		}
		return res, nil
	}
	if local {
		return ledger.Settle(app, res.Usage.Id, builtin.Run(tool.APIEndpoint(), req.Input))
	}
	return ledger.Settle(app, res.Usage.Id, tb.caller.measuredCall(tb.cfg, tool, res.Usage, req.Input))
}

// useResponse is the DRF API's body of a use: {usage_id, output_data,
// points_spent, remaining_points} and the usage's own fields.
type useResponse struct {
	UsageID         string `json:"usage_id"`
	RemainingPoints int64  `json:"remaining_points"`
	usageView
}

// bindUseRoutes binds the use route, which reads only its caller's identity,
// on the identity group.
func (tb *toolbase) bindUseRoutes(authed, identity group) {
	route(identity, "/tools/tools/{id}/use/", map[string]handler{http.MethodPost: tb.useRoute})
	route(authed, "/tools/tools/{id}/signing_secret/", map[string]handler{http.MethodPost: signingSecretRoute})
}

// pbSkipSuccessLogKey is the event key PocketBase's request logger skips
// successful requests by (apis.requestEventKeySkipSuccessActivityLog, not
// exported; TestUseRequestLog notices a rename).
const pbSkipSuccessLogKey = "__skipSuccessActivityLogger"

// skipSuccessfulUseLog keeps a use answered 2xx out of PocketBase's request
// log (see Config.LogUses): it is in tool_usage and the ledger. A refused
// use stays in the log; apis.SkipSuccessActivityLog would drop it too, since
// the DRF API answers refusals without returning an error.
func skipSuccessfulUseLog(e *core.RequestEvent) error {
	err := e.Next()
	if status := e.Status(); err == nil && status >= 200 && status < 300 {
		e.Set(pbSkipSuccessLogKey, true)
	}
	return err
}

// useBody is a use's body.
var useBody = &bodySpec{name: "UseRequest", fields: []bodyField{
	objectF(c.UsageInputData, nil).about(fmt.Sprintf("The tool's input: a JSON object of at most %d bytes (%d KiB) encoded. Missing: `{}`.",
		c.MaxInputBytes, c.MaxInputBytes>>10)),
}}

// useRoute is POST /api/tools/tools/{id}/use/ {"input_data": {...}}.
func (tb *toolbase) useRoute(e *core.RequestEvent) error {
	f, err := readForm(e, maxUseBodyBytes)
	if err != nil {
		return err
	}
	useBody.read(f)
	if err := f.err(); err != nil {
		return err
	}
	input, _ := f.clean[c.UsageInputData].(map[string]any)
	if input == nil {
		input = map[string]any{}
	}
	raw, err := json.Marshal(input)
	if err != nil {
		return fmt.Errorf("use: encoding input: %w", err)
	}
	if len(raw) > c.MaxInputBytes {
		return errDetail(http.StatusRequestEntityTooLarge, fmt.Sprintf("input_data exceeds %d bytes.", c.MaxInputBytes))
	}
	key := strings.TrimSpace(e.Request.Header.Get("Idempotency-Key"))
	if len(key) > c.MaxIdempotencyKeyChars {
		return errDetail(http.StatusBadRequest, fmt.Sprintf("Idempotency-Key is longer than %d characters.", c.MaxIdempotencyKeyChars))
	}
	id := e.Request.PathValue("id")
	tool, err := tb.visibleTool(e.App, e.Auth, id, func() (*core.Record, error) { return findVisible(e, c.Tools, id) })
	if err != nil {
		return err
	}

	res, err := tb.UseTool(e.App, ledger.UseRequest{Tool: tool, User: e.Auth, Input: raw, Key: key, APIKey: apiKeyOf(e)})
	metrics.UseRecorded(useOutcome(res, err))
	if kerr := tb.keyUseError(e, err); kerr != nil {
		return kerr
	}
	var short *ledger.InsufficientPointsError
	switch {
	case errors.As(err, &short):
		return &apiError{status: http.StatusBadRequest, body: map[string]any{
			"non_field_errors": []string{"Insufficient points"}, "required": short.Required, "available": short.Available,
		}}
	case errors.Is(err, ErrNotUsable):
		return errNonField("Cannot use this tool")
	case errors.Is(err, ledger.ErrKeyReused):
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
