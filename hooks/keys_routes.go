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

// The key bodies.
var (
	keyLimitFields = []bodyField{
		integerF(c.APIKeyDailyLimit, 0, maxKeyLimit).dflt(c.DefaultDailyLimit).about("Uses per UTC day; 0 allows none."),
		integerF(c.APIKeyMonthlyLimit, 0, maxKeyLimit).dflt(c.DefaultMonthlyLimit).about("Uses per UTC month; 0 allows none."),
		boolF(c.APIKeyIsActive).dflt(true).about("False stops the key at once; true restarts it."),
		datetimeF(c.APIKeyExpiresAt).about("An RFC 3339 time in the future; null clears it."),
	}
	keyCreateBody = &bodySpec{name: "APIKeyCreate",
		desc: fmt.Sprintf("A new key; a user has at most %d keys (inactive and expired ones count).", maxKeysPerUser),
		fields: append([]bodyField{
			textF(c.APIKeyName, maxKeyNameChars).req(),
			idF(c.APIKeyTool).readWith(readToolRef).about("Scope the key to this tool: a client any tool it can see (ACTIVE), " +
				"a creator also its own, an admin any. Null or `\"\"`: unscoped. Fixed at creation."),
		}, keyLimitFields...)}
	keyUpdateBody = &bodySpec{name: "APIKeyUpdate", desc: "PUT requires `key_name`. Owner and scope are fixed (ignored).",
		fields: append([]bodyField{textF(c.APIKeyName, maxKeyNameChars).req()}, keyLimitFields...)}
	keyRegenerateBody = &bodySpec{name: "APIKeyRegenerate", fields: []bodyField{
		integerF("grace_seconds", 0, maxGraceSeconds).dflt(0).
			about("How long the replaced secret keeps working alongside the new one; 0 stops it at once."),
	}}
)

// createKey is POST /api/tools/api-keys/ {key_name, tool?, daily_limit?,
// monthly_limit?, expires_at?, is_active?} → 201 with the secret, this once.
func (tb *toolbase) createKey(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	keyCreateBody.read(f)
	checkExpiry(f, tb.cfg.now())
	if err := f.err(); err != nil {
		return err
	}
	toolID, _ := f.cleanText(c.APIKeyTool)
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
	rec.Set(c.APIKeyIsActive, true)
	rec.Set(c.APIKeyDailyLimit, c.DefaultDailyLimit)
	rec.Set(c.APIKeyMonthlyLimit, c.DefaultMonthlyLimit)
	f.setOn(rec) // key_name, tool, the limits, is_active, expires_at
	rec.Set(c.APIKeyHash, hash)
	rec.Set(c.APIKeyPrefix, prefix)
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
	keyUpdateBody.read(f)
	checkExpiry(f, tb.cfg.now())
	if err := f.err(); err != nil {
		return err
	}
	rec, err := findToEdit(e, c.ToolAPIKeys, e.Request.PathValue("id"), errNotFound)
	if err != nil {
		return err
	}
	f.setOn(rec)
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
	keyRegenerateBody.read(f)
	if err := f.err(); err != nil {
		return err
	}
	grace, _ := f.cleanInt("grace_seconds")
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
func readToolRef(f *form, field string) {
	v, present := f.data[field]
	if !present || v == nil {
		return
	}
	s, ok := v.(string)
	if !ok {
		f.errs.Add(field, fmt.Sprintf("Incorrect type. Expected pk value, received %s.", jsonType(v)))
		return
	}
	s = strings.TrimSpace(s)
	if s != "" && (len(s) > 100 || !plainID.MatchString(s)) {
		f.errs.Add(field, "Invalid pk - object does not exist.")
		return
	}
	f.keep(field, s)
}

// checkExpiry refuses an expires_at read that is not after now (null, to
// clear it, is fine).
func checkExpiry(f *form, now time.Time) {
	if t, ok := f.cleanTime(c.APIKeyExpiresAt); ok && !t.IsZero() && !t.After(now) {
		f.errs.Add(c.APIKeyExpiresAt, "Ensure this date is in the future.")
	}
}
