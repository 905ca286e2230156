package hooks

import (
	"errors"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// bindAdjustments records a superuser's edit of a points balance through the
// records API (the dashboard; rules keep everyone else from it) as an
// ADJUSTMENT ledger row that sets the balance to the value sent. The
// dashboard sends every field back, so a balance is taken as an edit only from
// a form loaded after the balance last moved (every move bumps updated_at): a
// stale form's balance is ignored, like any server-owned field.
func bindAdjustments(app core.App) {
	app.OnRecordCreateRequest(c.Users).BindFunc(func(e *core.RecordRequestEvent) error {
		wanted := e.Record.GetInt64(c.UserPointsBalance)
		if wanted == 0 || !e.HasSuperuserAuth() {
			return e.Next()
		}
		return adjustTo(e, wanted)
	})
	app.OnRecordUpdateRequest(c.Users).BindFunc(func(e *core.RecordRequestEvent) error {
		wanted := e.Record.GetInt64(c.UserPointsBalance)
		if wanted == e.Record.Original().GetInt64(c.UserPointsBalance) || !e.HasSuperuserAuth() || staleForm(e) {
			return e.Next()
		}
		return adjustTo(e, wanted)
	})
}

// staleForm reports whether the request sent back an updated_at other than
// the record's: its other values may be older than the stored ones. (The
// records API resolves autodate fields in RequestInfo to the stored value, so
// the body is read again.)
func staleForm(e *core.RecordRequestEvent) bool {
	var sent struct {
		UpdatedAt string `json:"updated_at" form:"updated_at"`
	}
	if err := e.BindBody(&sent); err != nil {
		return true
	}
	if sent.UpdatedAt == "" {
		return false
	}
	dt, err := types.ParseDateTime(sent.UpdatedAt)
	return err != nil || !dt.Equal(e.Record.Original().GetDateTime(c.FieldUpdatedAt))
}

// adjustTo saves the request's record and moves its balance to wanted with an
// ADJUSTMENT row, in one transaction.
func adjustTo(e *core.RecordRequestEvent, wanted int64) error {
	return inTransaction(e.RequestEvent, func() error {
		if err := e.Next(); err != nil {
			return err
		}
		var current int64
		if err := e.App.DB().Select(c.UserPointsBalance).From(c.Users).
			Where(dbx.HashExp{c.FieldID: e.Record.Id}).Row(&current); err != nil {
			return err
		}
		if wanted == current {
			return nil
		}
		after, err := postAudited(e.App, actorInfoOf(e.Auth), ledger.Entry{
			User: e.Record.Id, Account: c.AccountPoints, Kind: c.KindAdjustment, Amount: wanted - current,
			Note: "balance set by a superuser",
		})
		switch {
		case errors.Is(err, ledger.ErrInsufficient) && wanted > current:
			return validation.Errors{c.UserPointsBalance: validation.NewError(
				"toolbase_balance_limit", "The change would take the balance above its limit.")}
		case errors.Is(err, ledger.ErrInsufficient):
			return validation.Errors{c.UserPointsBalance: validation.NewError(
				"toolbase_negative_balance", "The change would take the balance below zero.")}
		case err != nil:
			return err
		}
		// the answer is written after the commit, from this record
		e.Record.Set(c.UserPointsBalance, after[0])
		return nil
	})
}
