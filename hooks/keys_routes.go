package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

func (tb *toolbase) bindKeyRoutes(authed group) {
	// a key reads keys (its own owner's), never writes them
	authed = authed.with(refuseKeyWrites(msgKeysNoManage))
	route(authed, "/tools/api-keys/", map[string]handler{
		http.MethodGet:  tb.listKeys,
		http.MethodPost: tb.createKey,
	})
	route(authed, "/tools/api-keys/{id}/", map[string]handler{
		http.MethodGet:    tb.getKey,
		http.MethodPut:    tb.updateKey,
		http.MethodPatch:  tb.updateKey,
		http.MethodDelete: deleteKey,
	})
	route(authed, "/tools/api-keys/{id}/regenerate/", map[string]handler{
		http.MethodPost: tb.regenerateKey,
	})
}

// listKeys is GET /api/tools/api-keys/: own keys (admins: all), newest first.
func (tb *toolbase) listKeys(e *core.RequestEvent) error {
	return listing{collection: c.ToolAPIKeys, show: tb.keyViews}.list(e)
}

// getKey is GET /api/tools/api-keys/{id}/.
func (tb *toolbase) getKey(e *core.RequestEvent) error {
	rec, err := findVisible(e, c.ToolAPIKeys, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	return tb.showKey(e, http.StatusOK, rec, "")
}

// createKey is POST /api/tools/api-keys/ {key_name, tool?, daily_limit?,
// monthly_limit?, expires_at?, is_active?} → 201 with the secret, this once.
func (tb *toolbase) createKey(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	name, _ := f.text(c.APIKeyName, maxKeyNameChars, true)
	toolID := readToolRef(f)
	daily, monthly := int64(c.DefaultDailyLimit), int64(c.DefaultMonthlyLimit)
	if v, ok := f.integer(c.APIKeyDailyLimit, 0, maxKeyLimit, false); ok {
		daily = v
	}
	if v, ok := f.integer(c.APIKeyMonthlyLimit, 0, maxKeyLimit, false); ok {
		monthly = v
	}
	active := true
	if v, ok := f.boolean(c.APIKeyIsActive); ok {
		active = v
	}
	expires := readExpiry(f, tb.cfg.now())
	if err := f.err(); err != nil {
		return err
	}
	if toolID != "" {
		if _, err := findVisible(e, c.Tools, toolID); errors.Is(err, errNotFound) {
			return FieldErrors{c.APIKeyTool: {fmt.Sprintf("Invalid pk \"%s\" - object does not exist.", toolID)}}.Err()
		} else if err != nil {
			return err
		}
	}

	col, err := e.App.FindCachedCollectionByNameOrId(c.ToolAPIKeys)
	if err != nil {
		return err
	}
	secret, hash, prefix, err := newSecret()
	if err != nil {
		return err
	}
	rec := core.NewRecord(col)
	rec.Set(c.APIKeyUser, e.Auth.Id)
	rec.Set(c.APIKeyTool, toolID)
	rec.Set(c.APIKeyName, name)
	rec.Set(c.APIKeyHash, hash)
	rec.Set(c.APIKeyPrefix, prefix)
	rec.Set(c.APIKeyIsActive, active)
	rec.Set(c.APIKeyDailyLimit, daily)
	rec.Set(c.APIKeyMonthlyLimit, monthly)
	if expires != nil {
		setExpiry(rec, *expires)
	}
	err = e.App.RunInTransaction(func(tx core.App) error {
		var n int
		if err := tx.DB().Select("COUNT(*)").From(c.ToolAPIKeys).Where(dbx.HashExp{c.APIKeyUser: e.Auth.Id}).Row(&n); err != nil {
			return err
		}
		if n >= maxKeysPerUser {
			return errNonField(fmt.Sprintf("You can have at most %d API keys; delete one first.", maxKeysPerUser))
		}
		return ledger.SaveSystem(tx, rec)
	})
	if err != nil {
		return err
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return tb.showKey(e, http.StatusCreated, rec, secret)
}

// updateKey is PUT/PATCH /api/tools/api-keys/{id}/: key_name, daily_limit,
// monthly_limit, is_active, expires_at. Owner and tool are fixed (ignored).
func (tb *toolbase) updateKey(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	name, hasName := f.text(c.APIKeyName, maxKeyNameChars, true)
	daily, hasDaily := f.integer(c.APIKeyDailyLimit, 0, maxKeyLimit, false)
	monthly, hasMonthly := f.integer(c.APIKeyMonthlyLimit, 0, maxKeyLimit, false)
	active, hasActive := f.boolean(c.APIKeyIsActive)
	expires := readExpiry(f, tb.cfg.now())
	if err := f.err(); err != nil {
		return err
	}
	rec, err := findToEdit(e, c.ToolAPIKeys, e.Request.PathValue("id"), errNotFound)
	if err != nil {
		return err
	}
	if hasName {
		rec.Set(c.APIKeyName, name)
	}
	if hasDaily {
		rec.Set(c.APIKeyDailyLimit, daily)
	}
	if hasMonthly {
		rec.Set(c.APIKeyMonthlyLimit, monthly)
	}
	if hasActive {
		rec.Set(c.APIKeyIsActive, active)
	}
	if expires != nil {
		setExpiry(rec, *expires)
	}
	if err := e.App.Save(rec); err != nil {
		return err
	}
	return tb.showKey(e, http.StatusOK, rec, "")
}

// deleteKey is DELETE /api/tools/api-keys/{id}/: the key stops at once; its
// usage rows stay, without the key.
func deleteKey(e *core.RequestEvent) error {
	rec, err := findVisible(e, c.ToolAPIKeys, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	if err := mayAct(e, rec, rec.Collection().DeleteRule, errNotFound); err != nil {
		return err
	}
	if err := e.App.Delete(rec); err != nil {
		return err
	}
	return e.NoContent(http.StatusNoContent)
}

// regenerateKey is POST /api/tools/api-keys/{id}/regenerate/ {grace_seconds?}:
// a new secret, returned this once. The old one stops at once, or after
// grace_seconds (0–86400); a secret still in an earlier grace period stops.
func (tb *toolbase) regenerateKey(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	grace, _ := f.integer("grace_seconds", 0, maxGraceSeconds, false)
	if err := f.err(); err != nil {
		return err
	}
	rec, err := findToEdit(e, c.ToolAPIKeys, e.Request.PathValue("id"), errNotFound)
	if err != nil {
		return err
	}
	secret, hash, prefix, err := newSecret()
	if err != nil {
		return err
	}
	err = e.App.RunInTransaction(func(tx core.App) error {
		// read again in the transaction: concurrent regenerates keep a chain
		fresh, err := tx.FindRecordById(c.ToolAPIKeys, rec.Id)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		old := fresh.GetString(c.APIKeyHash)
		fresh.Set(c.APIKeyHash, hash)
		fresh.Set(c.APIKeyPrefix, prefix)
		if grace > 0 {
			fresh.Set(c.APIKeyPreviousHash, old)
			fresh.Set(c.APIKeyPreviousUntil, tb.cfg.now().UTC().Add(time.Duration(grace)*time.Second))
		} else {
			fresh.Set(c.APIKeyPreviousHash, "")
			fresh.Set(c.APIKeyPreviousUntil, "")
		}
		rec = fresh
		return ledger.SaveSystem(tx, fresh)
	})
	if err != nil {
		return err
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return tb.showKey(e, http.StatusOK, rec, secret)
}

// readToolRef reads the optional tool a new key is scoped to: an id, or
// null/"" for none.
func readToolRef(f *form) string {
	v, present := f.data[c.APIKeyTool]
	if !present || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.errs.Add(c.APIKeyTool, fmt.Sprintf("Incorrect type. Expected pk value, received %s.", jsonType(v)))
		return ""
	}
	s = strings.TrimSpace(s)
	if s != "" && (len(s) > 100 || !plainID.MatchString(s)) {
		f.errs.Add(c.APIKeyTool, "Invalid pk - object does not exist.")
		return ""
	}
	return s
}

// setExpiry sets expires_at, clearing it for a zero time.
func setExpiry(rec *core.Record, t time.Time) {
	if t.IsZero() {
		rec.Set(c.APIKeyExpiresAt, "")
		return
	}
	rec.Set(c.APIKeyExpiresAt, t.UTC())
}

// readExpiry reads expires_at: nil when absent, a zero time to clear it (null),
// else a time that must be after now.
func readExpiry(f *form, now time.Time) *time.Time {
	t, ok := f.datetime(c.APIKeyExpiresAt)
	if !ok {
		return nil
	}
	if !t.IsZero() && !t.After(now) {
		f.errs.Add(c.APIKeyExpiresAt, "Ensure this date is in the future.")
		return nil
	}
	return &t
}
