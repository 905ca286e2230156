// Package recordcache keeps one collection's records in memory by id, for the
// hot routes that would otherwise load them on every request: the use route's
// tool, and the caller of the routes that read only its identity.
//
// A cached record is the record as last committed: every save or delete of
// one of the collection's records forgets it after its commit (PocketBase's
// after-success hooks, which run before the save is answered), and a load
// that raced with such a save is not kept (a generation counter). Writes that
// bypass this process's hooks (another process on the same data, such as a
// CLI command; SQL without hooks) are seen once a record's time to live runs
// out. Fields that the app itself moves by SQL without hooks (tools'
// counters, users' balances) are stale in it: the cache is for what only
// saves change.
package recordcache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/pocketbase/pocketbase/core"
)

// Cache is one collection's records by id. Its records are shared: read
// them, never change them.
type Cache struct {
	collection string
	mu         sync.Mutex // orders a forget against the keeping of a load
	gen        atomic.Uint64
	records    *expirable.LRU[string, *core.Record]
}

// New returns the cache of app's records of collection, at most size of them,
// each kept at most ttl, forgetting each record saved or deleted.
func New(app core.App, collection string, size int, ttl time.Duration) *Cache {
	k := &Cache{collection: collection, records: expirable.NewLRU[string, *core.Record](size, nil, ttl)}
	forget := func(e *core.RecordEvent) error {
		if kept, _ := e.Context.Value(unchangedKey{}).(bool); !kept {
			k.forget(e.Record.Id)
		}
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(collection).BindFunc(forget)
	app.OnRecordAfterUpdateSuccess(collection).BindFunc(forget)
	app.OnRecordAfterDeleteSuccess(collection).BindFunc(forget)
	// a save that failed after its write (a hook's error rolls it back) changes
	// nothing committed; forgetting costs one load
	app.OnRecordAfterUpdateError(collection).BindFunc(func(e *core.RecordErrorEvent) error {
		k.forget(e.Record.Id)
		return e.Next()
	})
	// the collection's records hold it (rules, fields, auth secrets); a
	// change of it rolled back was seen by loads meanwhile
	app.OnCollectionAfterUpdateSuccess(collection).BindFunc(func(e *core.CollectionEvent) error {
		k.forgetAll()
		return e.Next()
	})
	app.OnCollectionAfterUpdateError(collection).BindFunc(func(e *core.CollectionErrorEvent) error {
		k.forgetAll()
		return e.Next()
	})
	return k
}

type unchangedKey struct{}

// Unchanged marks the context of an after-success event that announces a
// change the caches are not for (a balance the ledger moved, published to
// realtime clients): the cached record is kept.
func Unchanged(ctx context.Context) context.Context {
	return context.WithValue(ctx, unchangedKey{}, true)
}

func (k *Cache) forget(id string) {
	k.mu.Lock()
	k.gen.Add(1)
	k.records.Remove(id)
	k.mu.Unlock()
}

func (k *Cache) forgetAll() {
	k.mu.Lock()
	k.gen.Add(1)
	k.records.Purge()
	k.mu.Unlock()
}

// Get returns record id, from the cache or loaded (sql.ErrNoRows if there is
// none).
func (k *Cache) Get(app core.App, id string) (*core.Record, error) {
	return k.get(id, func() (*core.Record, error) { return app.FindRecordById(k.collection, id) })
}

// get is Get with its load.
func (k *Cache) get(id string, load func() (*core.Record, error)) (*core.Record, error) {
	if rec, ok := k.records.Get(id); ok {
		return rec, nil
	}
	gen := k.gen.Load()
	rec, err := load()
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.gen.Load() == gen {
		k.records.Add(id, rec)
	}
	k.mu.Unlock()
	return rec, nil
}
