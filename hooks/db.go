package hooks

import (
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
	// DataMaxIdleConns is how many of them stay open between requests.
	DataMaxIdleConns = 4
	// cacheKiB is each connection's page cache.
	cacheKiB = 8000
)

// DBConnect returns how to open a database: as PocketBase's DefaultDBConnect
// does (the same pragmas, in the same order), with a page cache of cacheKiB.
// lockAtBegin makes a transaction take the write lock at BEGIN (the driver's
// _txlock=immediate), so that a transaction that reads before it writes
// cannot fail with SQLITE_BUSY when another connection committed in between:
// Litestream's does while replicating. PocketBase begins transactions only on
// its single writer connection, so nothing else waits longer for it.
func DBConnect(lockAtBegin bool) func(dbPath string) (*dbx.DB, error) {
	pragmas := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)" +
		"&_pragma=cache_size(-" + strconv.Itoa(cacheKiB) + ")&_defensive=1"
	if lockAtBegin {
		pragmas += "&_txlock=immediate"
	}
	return func(dbPath string) (*dbx.DB, error) {
		return dbx.Open("sqlite", dbPath+pragmas)
	}
}
