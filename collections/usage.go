package collections

import "github.com/pocketbase/pocketbase/core"

// Fields of the tool_usage collection.
const (
	UsageTool           = "tool"
	UsageUser           = "user"
	UsageAPIKey         = "api_key"
	UsageInputData      = "input_data"
	UsageOutputData     = "output_data"
	UsagePointsSpent    = "points_spent"
	UsageExecutionTime  = "execution_time_ms"
	UsageSuccess        = "success"
	UsageErrorMessage   = "error_message"
	UsageIdempotencyKey = "idempotency_key"
	// UsageRemainingPoints is the payer's balance right after the use.
	UsageRemainingPoints = "remaining_points"
	UsageState           = "state"
	// UsageCreatorEarning is the creator's EARNING for the use (0 for a free
	// use), copied from the ledger in the use's transaction for the statistics.
	UsageCreatorEarning = "creator_earning"
)

// Usage states: a use of a remote tool is PENDING while its endpoint is
// called; a FAILED use is refunded.
const (
	StatePending   = "PENDING"
	StateSucceeded = "SUCCEEDED"
	StateFailed    = "FAILED"
)

// UsageStates lists every usage state.
var UsageStates = []string{StatePending, StateSucceeded, StateFailed}

// Limits of a usage.
const (
	MaxInputBytes          = 64 << 10
	MaxIdempotencyKeyChars = 255
)

// IdempotencyWindowHours is how long an Idempotency-Key is remembered.
const IdempotencyWindowHours = 24

// Usage is a typed proxy of a tool_usage record.
type Usage struct {
	core.BaseRecordProxy
}

// AsUsage wraps a tool_usage record.
func AsUsage(r *core.Record) *Usage {
	u := &Usage{}
	u.SetProxyRecord(r)
	return u
}

// Tool returns the id of the tool used.
func (u *Usage) Tool() string { return u.GetString(UsageTool) }

// User returns the id of the user who used the tool.
func (u *Usage) User() string { return u.GetString(UsageUser) }

// APIKey returns the id of the API key the use came through, if any.
func (u *Usage) APIKey() string { return u.GetString(UsageAPIKey) }

// PointsSpent returns what the use cost its user.
func (u *Usage) PointsSpent() int64 { return u.GetInt64(UsagePointsSpent) }

// ExecutionTimeMs returns how long the tool ran, in milliseconds.
func (u *Usage) ExecutionTimeMs() int64 { return u.GetInt64(UsageExecutionTime) }

// Success reports whether the tool produced its output.
func (u *Usage) Success() bool { return u.GetBool(UsageSuccess) }

// ErrorMessage returns why the use failed, if it did.
func (u *Usage) ErrorMessage() string { return u.GetString(UsageErrorMessage) }

// RemainingPoints returns the payer's balance right after the use.
func (u *Usage) RemainingPoints() int64 { return u.GetInt64(UsageRemainingPoints) }

// State returns PENDING, SUCCEEDED or FAILED.
func (u *Usage) State() string { return u.GetString(UsageState) }

// IdempotencyKey returns the client's Idempotency-Key, if any.
func (u *Usage) IdempotencyKey() string { return u.GetString(UsageIdempotencyKey) }
