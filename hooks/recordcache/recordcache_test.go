package recordcache

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// newWorld returns a test app with a "things" collection of one record
// named "first", and a cache of things kept ttl.
func newWorld(t *testing.T, ttl time.Duration) (*tests.TestApp, *Cache, *core.Record) {
	t.Helper()
	app, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	col := core.NewBaseCollection("things")
	col.Fields.Add(&core.TextField{Name: "name"})
	if err := app.Save(col); err != nil {
		t.Fatal(err)
	}
	rec := core.NewRecord(col)
	rec.Set("name", "first")
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	return app, New(app, "things", 100, ttl), rec
}

// rename changes a thing's name by SQL, without hooks (as another process
// would, or the ledger's counters).
func rename(t *testing.T, app core.App, id, name string) {
	t.Helper()
	if _, err := app.DB().Update("things", dbx.Params{"name": name}, dbx.HashExp{"id": id}).Execute(); err != nil {
		t.Fatal(err)
	}
}

func name(t *testing.T, k *Cache, app core.App, id string) string {
	t.Helper()
	rec, err := k.Get(app, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec.GetString("name")
}

// A record is loaded once and kept; a save or a delete through the app
// forgets it at once, a change of its collection forgets every record.
func TestCacheForgetsOnSaves(t *testing.T) {
	app, k, rec := newWorld(t, time.Hour)
	if got := name(t, k, app, rec.Id); got != "first" {
		t.Fatalf("loaded %q", got)
	}
	rename(t, app, rec.Id, "unhooked")
	if got := name(t, k, app, rec.Id); got != "first" {
		t.Fatalf("the cache loaded again instead of keeping the record: %q", got)
	}

	rec.Set("name", "saved")
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	if got := name(t, k, app, rec.Id); got != "saved" {
		t.Fatalf("after a save: %q", got)
	}

	rename(t, app, rec.Id, "before the collection changed")
	col, err := app.FindCollectionByNameOrId("things")
	if err != nil {
		t.Fatal(err)
	}
	col.Fields.Add(&core.TextField{Name: "note"})
	if err := app.Save(col); err != nil {
		t.Fatal(err)
	}
	if got := name(t, k, app, rec.Id); got != "before the collection changed" {
		t.Fatalf("after a change of the collection: %q", got)
	}

	if err := app.Delete(rec); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(app, rec.Id); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("after a delete: %v", err)
	}
}

// A write without hooks is seen once the record's time to live ran out.
func TestCacheTimeToLive(t *testing.T) {
	app, k, rec := newWorld(t, 50*time.Millisecond)
	name(t, k, app, rec.Id)
	rename(t, app, rec.Id, "unhooked")
	time.Sleep(100 * time.Millisecond)
	if got := name(t, k, app, rec.Id); got != "unhooked" {
		t.Fatalf("after the time to live: %q", got)
	}
}

// A load that a save overtook (the save committed and forgot between the
// load's read and its keeping) is answered but not kept.
func TestCacheLoadRacingASave(t *testing.T) {
	app, k, rec := newWorld(t, time.Hour)
	stale, err := app.FindRecordById("things", rec.Id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.get(rec.Id, func() (*core.Record, error) {
		rec.Set("name", "saved during the load")
		return stale, app.Save(rec)
	})
	if err != nil || got.GetString("name") != "first" {
		t.Fatalf("the racing load answered %v, %v", got, err)
	}
	if got := name(t, k, app, rec.Id); got != "saved during the load" {
		t.Fatalf("the racing load was kept: %q", got)
	}
}
