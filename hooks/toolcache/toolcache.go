// Package toolcache keeps the tools' records in memory for the use route,
// which would otherwise load the tool for every use with the tools view rule
// (a query joining the caller's role).
//
// A cached tool is the record as last committed: every save or delete of a
// tools record forgets it after its commit (PocketBase's after-success hooks,
// which run before the save is answered), and a load that raced with such a
// save is not kept (a generation counter). Tools' counters and ratings move by
// SQL without hooks, so a cached record's counters are stale: the cache is for
// what only saves change (status, creator, cost, endpoint, name, secret).
// Money never depends on it: the use's transaction checks the tool's status
// itself (ledger.ErrToolNotUsable).
package toolcache

import (
	"database/sql"
	"sync"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// maxTools bounds the cache; beyond, it starts over.
const maxTools = 10_000

// Cache is the tools' records by id. Its records are shared: read them, never
// change them.
type Cache struct {
	mu    sync.RWMutex
	gen   uint64 // moves on every forget: a load older than it is not kept
	tools map[string]*core.Record
}

// New returns the cache of app's tools, forgetting each tool saved or deleted.
func New(app core.App) *Cache {
	k := &Cache{tools: map[string]*core.Record{}}
	forget := func(e *core.RecordEvent) error {
		k.forget(e.Record.Id)
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(c.Tools).BindFunc(forget)
	app.OnRecordAfterUpdateSuccess(c.Tools).BindFunc(forget)
	app.OnRecordAfterDeleteSuccess(c.Tools).BindFunc(forget)
	// a save that failed after its write (a hook's error rolls it back) changes
	// nothing committed; forgetting costs one load
	app.OnRecordAfterUpdateError(c.Tools).BindFunc(func(e *core.RecordErrorEvent) error {
		k.forget(e.Record.Id)
		return e.Next()
	})
	app.OnCollectionAfterUpdateSuccess(c.Tools).BindFunc(func(e *core.CollectionEvent) error {
		k.forgetAll()
		return e.Next()
	})
	return k
}

func (k *Cache) forget(id string) {
	k.mu.Lock()
	delete(k.tools, id)
	k.gen++
	k.mu.Unlock()
}

func (k *Cache) forgetAll() {
	k.mu.Lock()
	k.tools = map[string]*core.Record{}
	k.gen++
	k.mu.Unlock()
}

// Get returns the tool id, from the cache or loaded (sql.ErrNoRows if there
// is none).
func (k *Cache) Get(app core.App, id string) (*core.Record, error) {
	k.mu.RLock()
	rec, ok := k.tools[id]
	gen := k.gen
	k.mu.RUnlock()
	if ok {
		return rec, nil
	}
	rec, err := app.FindRecordById(c.Tools, id)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.gen == gen {
		if len(k.tools) >= maxTools {
			k.tools = map[string]*core.Record{}
		}
		k.tools[id] = rec
	}
	k.mu.Unlock()
	return rec, nil
}

// Visible returns tool id if auth (a users record) may see it by the tools
// view rule, collections.ToolsViewRule: an ACTIVE tool, one's own, or any for
// an admin; sql.ErrNoRows if not (the records API's 404). Where the
// collection's rule is not that one (changed in the dashboard), or for a nil
// cache, it returns fallback's answer: the rule evaluated by the caller.
func (k *Cache) Visible(app core.App, auth *core.Record, id string, fallback func() (*core.Record, error)) (*core.Record, error) {
	if k == nil || auth == nil || auth.Collection().Name != c.Users {
		return fallback()
	}
	col, err := app.FindCachedCollectionByNameOrId(c.Tools)
	if err != nil {
		return nil, err
	}
	if col.ViewRule == nil || *col.ViewRule != c.ToolsViewRule {
		return fallback()
	}
	tool, err := k.Get(app, id)
	if err != nil {
		return nil, err
	}
	if !visible(tool, auth) {
		return nil, sql.ErrNoRows
	}
	return tool, nil
}

// visible is collections.ToolsViewRule for a signed-in user.
func visible(tool, auth *core.Record) bool {
	return auth.Id != "" && (tool.GetString(c.ToolStatus) == c.StatusActive ||
		tool.GetString(c.ToolCreator) == auth.Id || auth.GetString(c.UserRole) == c.RoleAdmin)
}
