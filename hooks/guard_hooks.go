package hooks

import (
	"fmt"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// guard says which fields of a collection only toolbase's own code writes.
// Any other save keeps their stored values, as DRF ignores read-only fields:
// the dashboard sends every field of its form back, often values read before
// the counters moved, so a refusal would fail innocent edits. (A superuser's
// deliberate balance edit becomes an ADJUSTMENT: see bindAdjustments.) Saves
// also rewrite only the fields they change, so an edit can't overwrite a
// balance that moved since the record was read. toolbase's own saves
// (ledger.SystemContext, ledger.SaveSystem) pass every guard but undeletable.
type guard struct {
	owns         func(field string) bool
	systemCreate bool // records are created only by toolbase
	immutable    bool // records are never updated
	undeletable  bool // records are never deleted
}

var guards = map[string]guard{
	c.Users:       {owns: fieldSet(c.UserPointsBalance, c.UserTotalRevenue, c.UserTotalPayouts)},
	c.Tools:       {owns: fieldSet(c.ToolTotalUses, c.ToolTotalRevenue, c.ToolAverageRating, c.ToolRatingCount)},
	c.ToolAPIKeys: {owns: fieldSet(c.APIKeyUser, c.APIKeyPrefix, c.APIKeyHash, c.APIKeyDailyUsage, c.APIKeyMonthlyUsage, c.APIKeyLastUsed, c.APIKeyPreviousHash, c.APIKeyPreviousUntil, c.APIKeyUsageDay, c.APIKeyUsageMonth), systemCreate: true},
	// deleting an API key unsets it on its usage rows, the one change allowed
	c.ToolUsage:         {owns: allFieldsBut(c.UsageAPIKey), systemCreate: true, undeletable: true},
	c.PointTransactions: {owns: allFieldsBut(), systemCreate: true, immutable: true, undeletable: true},
	// a payout or refund is created by its owner (checked by toolbase) and then
	// moved only by the admin routes, which claim its status
	c.Payouts: {owns: fieldSet(c.PayoutStatus, c.PayoutReference, c.PayoutNote, c.PayoutProcessedBy, c.PayoutProcessedAt),
		immutable: true, undeletable: true},
	c.Refunds: {owns: fieldSet(c.RefundStatus, c.RefundAmount, c.RefundCreatorReversal, c.RefundPlatformAbsorbed,
		c.RefundNote, c.RefundProcessedBy, c.RefundProcessedAt), immutable: true, undeletable: true},
	c.AuditLog: {owns: allFieldsBut(), systemCreate: true, immutable: true, undeletable: true},
}

func fieldSet(names ...string) func(string) bool {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	return func(f string) bool { return set[f] }
}

func allFieldsBut(names ...string) func(string) bool {
	except := fieldSet(names...)
	return func(f string) bool { return !except(f) }
}

func bindGuards(app core.App) {
	for name, g := range guards {
		app.OnRecordCreate(name).BindFunc(g.onCreate)
		app.OnRecordUpdate(name).BindFunc(g.onUpdate)
		app.OnRecordDelete(name).BindFunc(g.onDelete)
	}
	bindPrivateFields(app)
	app.OnRecordEnrich(c.ToolAPIKeys).BindFunc(func(e *core.RecordEnrichEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		// superusers see hidden fields; nobody sees a key's hash
		e.Record.Hide(c.APIKeyHash)
		return nil
	})
}

func (g guard) onCreate(e *core.RecordEvent) error {
	if ledger.IsSystem(e.Context) {
		return e.Next()
	}
	if g.systemCreate {
		return apis.NewForbiddenError(fmt.Sprintf("Records of %s are created only by toolbase.", e.Record.Collection().Name), nil)
	}
	blank := core.NewRecord(e.Record.Collection())
	for _, f := range e.Record.Collection().Fields {
		if g.owns(f.GetName()) {
			e.Record.Set(f.GetName(), blank.Get(f.GetName()))
		}
	}
	return e.Next()
}

func (g guard) onUpdate(e *core.RecordEvent) error {
	e.Record.IgnoreUnchangedFields(true)
	if ledger.IsSystem(e.Context) {
		return e.Next()
	}
	if g.immutable {
		return apis.NewForbiddenError(fmt.Sprintf("Records of %s are never changed.", e.Record.Collection().Name), nil)
	}
	original := e.Record.Original()
	for _, f := range e.Record.Collection().Fields {
		if g.owns(f.GetName()) {
			e.Record.Set(f.GetName(), original.Get(f.GetName()))
		}
	}
	return e.Next()
}

func (g guard) onDelete(e *core.RecordEvent) error {
	if g.undeletable {
		name := e.Record.Collection().Name
		return apis.NewForbiddenError(fmt.Sprintf("Records of %s are never deleted.", name), nil)
	}
	return e.Next()
}
