package hooks

import (
	"path/filepath"
	"strconv"

	"github.com/pocketbase/dbx"
	_ "modernc.org/sqlite" // the driver PocketBase's default connection uses
)

// SQLite's page caches live outside Go's heap, one per connection, so the
// server's memory is their number times their size. PocketBase's defaults
// (up to 120 read connections of 32 MB) let a busy server grow past 150 MB on
// a database of a few hundred thousand rows; on the machines toolbase targets
// a handful of read connections serves as many requests (`make bench`: the
// same throughput, less contention) and the OS caches the file anyway.
const (
	// DataMaxOpenConns bounds data.db's read connections.
	DataMaxOpenConns = 8
	// DataMaxIdleConns is how many of them stay open between requests: all
	// of them. Fewer made a busy server close and reopen connections all the
	// time (each open runs the pragmas below, and loses the statements
	// prepared on it): a tenth of a use's CPU in `make bench`'s profile.
	DataMaxIdleConns = DataMaxOpenConns
	// cacheKiB is each connection's page cache: 4 MB, since all eight read
	// connections now stay open with theirs (`make bench`: the statistics as
	// fast as with 8 MB, peak RSS 116 MB instead of 134-156 MB)
	cacheKiB = 4000
)

// DBConnect returns how to open a database: as PocketBase's DefaultDBConnect
// does (the same pragmas, in the same order), with a page cache of cacheKiB.
//
// replicating (Litestream streams data.db, see hooks/replica) changes two
// things:
//   - a transaction takes the write lock at BEGIN (the driver's
//     _txlock=immediate), so that a transaction that reads before it writes
//     cannot fail with SQLITE_BUSY when Litestream's connection committed in
//     between. PocketBase begins transactions only on its single writer
//     connection, so nothing else waits longer for it.
//   - data.db's connections never checkpoint (wal_autocheckpoint(0)):
//     Litestream must be the only checkpointer. SQLite's automatic
//     checkpoint (at 1000 WAL pages, by whichever connection commits) is
//     harmless while Litestream holds its read lock, but not before Litestream
//     has taken it (at start, after a crash): a full checkpoint there lets
//     the next commit restart the WAL over frames Litestream never read, and
//     the replica silently misses those transactions while later ones are
//     applied on top (a restore that fails the integrity check). auxiliary.db
//     is not replicated and keeps SQLite's automatic checkpoints.
//
// durable (Config.DurableCommits) opens data.db with synchronous=FULL: every
// commit is on disk (the WAL fsynced) before it returns, so before any use is
// answered; with NORMAL a crash of the machine (not of the process) may lose
// the last commits. Uses share their commits (ledger.Group), so one fsync
// serves a whole group. auxiliary.db (logs) stays NORMAL.
func DBConnect(replicating, durable bool) func(dbPath string) (*dbx.DB, error) {
	pragmas := func(sync string) string {
		p := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
			"&_pragma=synchronous(" + sync + ")&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)" +
			"&_pragma=cache_size(-" + strconv.Itoa(cacheKiB) + ")&_defensive=1"
		if replicating {
			p += "&_txlock=immediate"
		}
		return p
	}
	aux, data := pragmas("NORMAL"), pragmas("NORMAL")
	if durable {
		data = pragmas("FULL")
	}
	if replicating {
		data += "&_pragma=wal_autocheckpoint(0)"
	}
	return func(dbPath string) (*dbx.DB, error) {
		if filepath.Base(dbPath) == "data.db" {
			return dbx.Open("sqlite", dbPath+data)
		}
		return dbx.Open("sqlite", dbPath+aux)
	}
}
