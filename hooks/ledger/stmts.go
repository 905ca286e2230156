package ledger

import (
	"database/sql"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// The hot writes of a use (a balance move, a ledger row, a tool's counters,
// an API key's quota) run as statements prepared once: the profile of `make
// bench` showed SQLite spending more time compiling the guarded balance UPDATE
// than running it, and all writes queue for the one write connection, so
// every microsecond inside the use transaction costs throughput.
//
// The statements belong to the app's write connection, so they are kept on
// the app (its Store), not on a value of this package: a transaction app
// shares its app's Store and finds them from whatever transaction a caller
// passes, and no statement of one app can be run on another's connection.
// They are a cache: before Prepare ran (commands, tests that don't serve),
// each query is compiled as it runs, with the same effect.

// hotSQL lists the statements Prepare prepares (their text is the key that
// finds them again).
var hotSQL = []string{pointsSQL, revenueSQL, payoutSQL, insertLedgerSQL, countersSQL, useCountersSQL, quotaSQL, insertUsageSQL,
	savepointSQL, rollbackSQL, releaseSQL}

const hotStmtsKey = "toolbase.ledger.hotStmts"

// Prepare prepares the hot statements on app's write connection. It must run
// where no transaction holds that connection: the server's start.
func Prepare(app core.App) error {
	db, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return fmt.Errorf("ledger: prepare: the write connection is %T", app.NonconcurrentDB())
	}
	stmts := make(map[string]*sql.Stmt, len(hotSQL))
	for _, q := range hotSQL {
		stmt, err := db.DB().Prepare(q)
		if err != nil {
			return fmt.Errorf("ledger: preparing %q: %w", q, err)
		}
		stmts[q] = stmt
	}
	app.Store().Set(hotStmtsKey, stmts)
	return nil
}

// txSQL is what a transaction app's builder exposes of database/sql.
type txSQL interface{ Executor() dbx.Executor }

// hot returns the database/sql transaction of tx and the prepared form of
// query (nil before Prepare ran: the query is then compiled each time).
func hot(tx core.App, query string) (*sql.Tx, *sql.Stmt, error) {
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return nil, nil, err
	}
	stmts, _ := tx.Store().Get(hotStmtsKey).(map[string]*sql.Stmt)
	return sqlTx, stmts[query], nil
}

// hotRow runs query in tx, returning at most one row.
func hotRow(tx core.App, query string, args ...any) (*sql.Row, error) {
	sqlTx, stmt, err := hot(tx, query)
	if err != nil {
		return nil, err
	}
	if stmt != nil {
		return sqlTx.Stmt(stmt).QueryRow(args...), nil
	}
	return sqlTx.QueryRow(query, args...), nil
}

// hotExec runs query in tx.
func hotExec(tx core.App, query string, args ...any) (sql.Result, error) {
	sqlTx, stmt, err := hot(tx, query)
	if err != nil {
		return nil, err
	}
	if stmt != nil {
		return sqlTx.Stmt(stmt).Exec(args...)
	}
	return sqlTx.Exec(query, args...)
}
