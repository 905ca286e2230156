// Package realtimebalance makes every balance change reach its owner live.
//
// Balances move by guarded SQL and ledger rows are appended by a prepared
// INSERT (the money core's Post), so PocketBase's record machinery, and with
// it realtime, never sees them. After the transaction that moved a balance
// commits, this package publishes an "update" event of the user's record
// exactly as PocketBase does for a record saved through its API: the event
// goes through PocketBase's own broadcast (apis/realtime.go), which sends it to
// the subscriptions of `users/<id>` and `users/*` whose client passes the
// users collection's view or list rule (the owner and admins, and
// superusers), with hidden fields stripped and the enrich hooks applied. The
// connected clients' cached auth record is refreshed too.
//
// It never slows the path that moved the money: with no realtime client
// connected it does nothing; otherwise the transaction only notes the user
// ids (on commit, a map insert under a mutex) and one background goroutine
// loads the records and broadcasts them, coalescing bursts: a user whose
// balance moved several times while the goroutine was busy gets one event,
// read after the last commit, so the last event a subscriber receives always
// carries the current balance.
package realtimebalance

import (
	"context"
	"log/slog"
	"sync"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/routine"

	c "toolbase/collections"
	"toolbase/hooks/recordcache"
)

const storeKey = "toolbase.realtimeBalance"

// Bind makes app publish balance changes. Call it once with the app itself
// (not a transaction app): the publisher reads the records through it.
func Bind(app core.App) {
	app.Store().Set(storeKey, &publisher{app: app, pending: map[string]struct{}{}})
}

// AfterCommit schedules an update event of each user's record for after tx
// (the transaction that moved their balances) commits; nothing is sent if it
// rolls back. Outside a transaction the event is scheduled at once. It is
// cheap and never blocks: the money code calls it for every balance it moves.
func AfterCommit(tx core.App, users ...string) {
	p, _ := tx.Store().Get(storeKey).(*publisher)
	if p == nil || len(users) == 0 || tx.SubscriptionsBroker().TotalClients() == 0 {
		return
	}
	info := tx.TxInfo()
	if info == nil {
		p.enqueue(users)
		return
	}
	info.OnComplete(func(txErr error) error {
		if txErr == nil {
			p.enqueue(users)
		}
		return nil
	})
}

// publisher broadcasts the pending users' records from one goroutine at a time.
type publisher struct {
	app     core.App
	mu      sync.Mutex
	pending map[string]struct{}
	running bool
}

func (p *publisher) enqueue(users []string) {
	p.mu.Lock()
	for _, u := range users {
		p.pending[u] = struct{}{}
	}
	start := !p.running
	p.running = true
	p.mu.Unlock()
	if start {
		routine.FireAndForget(p.run)
	}
}

// run publishes until nothing is pending. A user enqueued while it publishes
// is published again afterwards, from a record read after that enqueue.
func (p *publisher) run() {
	defer func() {
		// a panic (recovered by FireAndForget) must not leave the queue stuck
		p.mu.Lock()
		p.running = false
		restart := len(p.pending) > 0
		if restart {
			p.running = true
		}
		p.mu.Unlock()
		if restart {
			routine.FireAndForget(p.run)
		}
	}()
	for {
		p.mu.Lock()
		batch := p.pending
		if len(batch) == 0 {
			p.mu.Unlock()
			return
		}
		p.pending = map[string]struct{}{}
		p.mu.Unlock()
		for id := range batch {
			p.publish(id)
		}
	}
}

// publish broadcasts the user's current record as PocketBase broadcasts a
// record it has just updated: through the after-update-success model hook,
// whose realtime handlers apply the subscriptions' rules.
func (p *publisher) publish(userID string) {
	if p.app.SubscriptionsBroker().TotalClients() == 0 {
		return
	}
	record, err := p.app.FindRecordById(c.Users, userID)
	if err != nil {
		// deleted meanwhile, or the app is shutting down
		p.app.Logger().Debug("realtime balance: loading user", slog.String("id", userID), slog.String("error", err.Error()))
		return
	}
	// only the balances changed: the caches of users keep theirs
	event := &core.ModelEvent{App: p.app, Context: recordcache.Unchanged(context.Background()), Type: core.ModelEventTypeUpdate}
	event.Model = record
	if err := p.app.OnModelAfterUpdateSuccess().Trigger(event); err != nil {
		p.app.Logger().Debug("realtime balance: broadcasting", slog.String("id", userID), slog.String("error", err.Error()))
	}
}
