package ledger

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// An API key's quota counters are per UTC day and month: usage_day and
// usage_month name the period its daily_usage and monthly_usage count.
const (
	DayLayout   = "2006-01-02"
	MonthLayout = "2006-01"
)

// ErrKeyInvalid refuses a use through a key that was deactivated, deleted or
// expired after the request was authenticated.
var ErrKeyInvalid = errors.New("api key no longer valid")

// KeyQuotaError refuses a use beyond a key's daily or monthly limit.
type KeyQuotaError struct {
	Period  string // "day" or "month"
	Limit   int64
	ResetAt time.Time // start of the next UTC period
}

func (e *KeyQuotaError) Error() string {
	name := "Daily"
	if e.Period == "month" {
		name = "Monthly"
	}
	return fmt.Sprintf("%s limit of this API key reached: %d uses per UTC %s.", name, e.Limit, e.Period)
}

// quotaSQL counts one use against a key's quotas, if they allow it, restarting
// a counter whose period has passed. Arguments: day, month, key, now.
const quotaSQL = "UPDATE tool_api_keys SET" +
	" daily_usage = CASE WHEN usage_day = ?1 THEN daily_usage + 1 ELSE 1 END," +
	" monthly_usage = CASE WHEN usage_month = ?2 THEN monthly_usage + 1 ELSE 1 END," +
	" usage_day = ?1, usage_month = ?2" +
	" WHERE id = ?3 AND is_active = TRUE AND (expires_at = '' OR expires_at > ?4)" +
	" AND (CASE WHEN usage_day = ?1 THEN daily_usage ELSE 0 END) < daily_limit" +
	" AND (CASE WHEN usage_month = ?2 THEN monthly_usage ELSE 0 END) < monthly_limit"

// chargeKeyQuota counts one use at now against the key's daily and monthly
// limits, inside the use's transaction tx: one guarded UPDATE, so that
// concurrent uses never pass a limit, and a refused or rolled back use counts
// nothing. A counter of an older UTC day (month) restarts at 1. Returns a
// *KeyQuotaError beyond a limit, ErrKeyInvalid for a key deactivated, deleted
// or expired since the request was authenticated.
func chargeKeyQuota(tx core.App, now time.Time, keyID string) error {
	now = now.UTC()
	day, month := now.Format(DayLayout), now.Format(MonthLayout)
	stamp, err := types.ParseDateTime(now)
	if err != nil {
		return err
	}
	res, err := hotExec(tx, quotaSQL, day, month, keyID, stamp.String())
	if err != nil {
		return fmt.Errorf("api key quota: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}

	// refused: say why
	var k struct {
		Active       bool   `db:"is_active"`
		ExpiresAt    string `db:"expires_at"`
		Day          string `db:"usage_day"`
		DailyUsage   int64  `db:"daily_usage"`
		DailyLimit   int64  `db:"daily_limit"`
		MonthlyLimit int64  `db:"monthly_limit"`
	}
	err = tx.DB().Select(c.APIKeyIsActive, c.APIKeyExpiresAt, c.APIKeyUsageDay, c.APIKeyDailyUsage, c.APIKeyDailyLimit, c.APIKeyMonthlyLimit).
		From(c.ToolAPIKeys).Where(dbx.HashExp{c.FieldID: keyID}).One(&k)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!k.Active || (k.ExpiresAt != "" && !after(k.ExpiresAt, now)))) {
		return ErrKeyInvalid
	}
	if err != nil {
		return fmt.Errorf("api key quota: reading key %s: %w", keyID, err)
	}
	if k.DailyLimit <= 0 || (k.Day == day && k.DailyUsage >= k.DailyLimit) {
		return &KeyQuotaError{Period: "day", Limit: k.DailyLimit, ResetAt: time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)}
	}
	return &KeyQuotaError{Period: "month", Limit: k.MonthlyLimit, ResetAt: time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)}
}

// after reports whether the stored time s is after now.
func after(s string, now time.Time) bool {
	dt, err := types.ParseDateTime(s)
	return err == nil && !dt.IsZero() && dt.Time().After(now)
}
