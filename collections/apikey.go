package collections

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Fields of the tool_api_keys collection.
const (
	APIKeyUser         = "user"
	APIKeyTool         = "tool"
	APIKeyName         = "key_name"
	APIKeyPrefix       = "key_prefix"
	APIKeyHash         = "key_hash"
	APIKeyIsActive     = "is_active"
	APIKeyDailyLimit   = "daily_limit"
	APIKeyMonthlyLimit = "monthly_limit"
	APIKeyDailyUsage   = "daily_usage"
	APIKeyMonthlyUsage = "monthly_usage"
	APIKeyLastUsed     = "last_used"
	APIKeyExpiresAt    = "expires_at"
	// APIKeyPreviousHash is the hash of the secret a regenerate replaced, which
	// keeps working until APIKeyPreviousUntil (the grace period); hidden.
	APIKeyPreviousHash  = "previous_key_hash"
	APIKeyPreviousUntil = "previous_key_until"
	// APIKeyUsageDay (YYYY-MM-DD, UTC) and APIKeyUsageMonth (YYYY-MM) are the
	// periods daily_usage and monthly_usage count; a counter of an older period
	// counts as 0.
	APIKeyUsageDay   = "usage_day"
	APIKeyUsageMonth = "usage_month"
)

// Defaults of a new key, from the seed.
const (
	DefaultDailyLimit   = 1000
	DefaultMonthlyLimit = 30000
)

// APIKey is a typed proxy of a tool_api_keys record.
type APIKey struct {
	core.BaseRecordProxy
}

// AsAPIKey wraps a tool_api_keys record.
func AsAPIKey(r *core.Record) *APIKey {
	k := &APIKey{}
	k.SetProxyRecord(r)
	return k
}

// User returns the id of the key's owner.
func (k *APIKey) User() string { return k.GetString(APIKeyUser) }

// Tool returns the id of the tool the key is scoped to, or "".
func (k *APIKey) Tool() string { return k.GetString(APIKeyTool) }

// Name returns the owner's label for the key.
func (k *APIKey) Name() string { return k.GetString(APIKeyName) }

// Prefix returns the displayable start of the secret.
func (k *APIKey) Prefix() string { return k.GetString(APIKeyPrefix) }

// IsActive reports whether the owner left the key switched on.
func (k *APIKey) IsActive() bool { return k.GetBool(APIKeyIsActive) }

// DailyLimit returns the uses allowed per UTC day.
func (k *APIKey) DailyLimit() int64 { return k.GetInt64(APIKeyDailyLimit) }

// MonthlyLimit returns the uses allowed per UTC month.
func (k *APIKey) MonthlyLimit() int64 { return k.GetInt64(APIKeyMonthlyLimit) }

// ExpiresAt returns when the key stops working (zero: never).
func (k *APIKey) ExpiresAt() types.DateTime { return k.GetDateTime(APIKeyExpiresAt) }
