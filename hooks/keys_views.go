package hooks

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// keyView is the DRF API's representation of a key, plus its owner, expiry and
// the end of a regenerate's grace period. APIKey is the secret only in the
// create and regenerate answers, else the masked prefix.
type keyView struct {
	ID            string `json:"id"`
	User          string `json:"user"`
	Tool          any    `json:"tool"`
	ToolName      any    `json:"tool_name"`
	KeyName       string `json:"key_name"`
	APIKey        string `json:"api_key"`
	KeyPrefix     string `json:"key_prefix"`
	IsActive      bool   `json:"is_active"`
	DailyLimit    int64  `json:"daily_limit"`
	MonthlyLimit  int64  `json:"monthly_limit"`
	DailyUsage    int64  `json:"daily_usage"`
	MonthlyUsage  int64  `json:"monthly_usage"`
	ExpiresAt     any    `json:"expires_at"`
	PreviousUntil any    `json:"previous_key_valid_until"`
	CreatedAt     any    `json:"created_at"`
	UpdatedAt     any    `json:"updated_at"`
	LastUsed      any    `json:"last_used"`
}

// keyViews shows keys, the names of their tools loaded in one query.
func (tb *toolbase) keyViews(app core.App, keys []*core.Record) ([]any, error) {
	tools, err := recordsByID(app, c.Tools, fieldValues(keys, c.APIKeyTool))
	if err != nil {
		return nil, err
	}
	now := tb.cfg.now().UTC()
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = keyViewOf(k, tools[c.AsAPIKey(k).Tool()], "", now)
	}
	return out, nil
}

// showKey answers one key; secret, when given, is the one-time full key.
func (tb *toolbase) showKey(e *core.RequestEvent, status int, r *core.Record, secret string) error {
	var tool *core.Record
	if id := c.AsAPIKey(r).Tool(); id != "" {
		tools, err := recordsByID(e.App, c.Tools, []string{id})
		if err != nil {
			return err
		}
		tool = tools[id]
	}
	return e.JSON(status, keyViewOf(r, tool, secret, tb.cfg.now().UTC()))
}

// keyViewOf shows key r of tool (nil: unscoped); secret, when given, is the
// one-time full key.
func keyViewOf(r, tool *core.Record, secret string, now time.Time) keyView {
	k := c.AsAPIKey(r)
	var daily, monthly int64
	if r.GetString(c.APIKeyUsageDay) == now.Format(ledger.DayLayout) {
		daily = r.GetInt64(c.APIKeyDailyUsage)
	}
	if r.GetString(c.APIKeyUsageMonth) == now.Format(ledger.MonthLayout) {
		monthly = r.GetInt64(c.APIKeyMonthlyUsage)
	}
	shown := masked(k.Prefix())
	if secret != "" {
		shown = secret
	}
	var previous any
	if r.GetString(c.APIKeyPreviousHash) != "" {
		if until := r.GetDateTime(c.APIKeyPreviousUntil); until.Time().After(now) {
			previous = rfc3339(until)
		}
	}
	return keyView{
		ID:            r.Id,
		User:          k.User(),
		Tool:          nullIfEmpty(k.Tool()),
		ToolName:      toolNameOf(tool),
		KeyName:       k.Name(),
		APIKey:        shown,
		KeyPrefix:     k.Prefix(),
		IsActive:      k.IsActive(),
		DailyLimit:    k.DailyLimit(),
		MonthlyLimit:  k.MonthlyLimit(),
		DailyUsage:    daily,
		MonthlyUsage:  monthly,
		ExpiresAt:     rfc3339(k.ExpiresAt()),
		PreviousUntil: previous,
		CreatedAt:     rfc3339(r.GetDateTime(c.FieldCreatedAt)),
		UpdatedAt:     rfc3339(r.GetDateTime(c.FieldUpdatedAt)),
		LastUsed:      rfc3339(r.GetDateTime(c.APIKeyLastUsed)),
	}
}

// toolNameOf is a scoped key's tool_name: null for an unscoped key.
func toolNameOf(tool *core.Record) any {
	if tool == nil {
		return nil
	}
	return c.AsTool(tool).Name()
}
