// Package collections names toolbase's PocketBase collections and their fields,
// and wraps their records in typed proxies, so that no other package spells a
// collection or field name as a string.
package collections

// Collection names.
const (
	Users             = "users"
	Tools             = "tools"
	ToolUsage         = "tool_usage"
	ToolFeedback      = "tool_feedback"
	ToolAPIKeys       = "tool_api_keys"
	PointTransactions = "point_transactions"
)

// Fields that every toolbase collection has.
const (
	FieldID        = "id"
	FieldCreatedAt = "created_at"
	FieldUpdatedAt = "updated_at"
)

// FieldLegacyID is, on users, tools, tool_usage, tool_feedback and
// tool_api_keys, the record's primary key on the Django platform it was
// imported from (0 for records made by toolbase). Hidden: superusers only.
const FieldLegacyID = "legacy_id"

// MaxPoints bounds every amount of points: PocketBase stores numbers as float64,
// which hold integers exactly only up to 2^53.
const MaxPoints = 1e12
