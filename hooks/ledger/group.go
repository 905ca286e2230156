package ledger

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Group commit. Every write of the app queues for SQLite's one write
// connection, and a use's transaction is cheap next to its commit (the WAL
// frames it writes, and with synchronous=FULL their fsync). So concurrent uses
// share one transaction and one commit: one goroutine, the writer, takes every
// use queued, runs each in its own savepoint (a use refused for lack of points
// or quota rolls back alone and the others go on), commits once, and only
// then answers each use's caller and runs what it scheduled for after its
// commit (metrics, live balance events, the usage's realtime event). A failed
// commit fails every use of the group with its error, and none of them is
// announced anywhere: nothing was charged.
//
// A use in a group writes only through the ledger's own SQL (hot statements,
// dbx queries of the transaction), never through PocketBase's record saves:
// those schedule their after-success hooks on the whole group's transaction,
// where a use rolled back to its savepoint could not take them back. What a
// use schedules goes through afterCommit, which keeps it with the use.

// ErrGroupClosed refuses a use queued after the writer stopped (the app is
// shutting down).
var ErrGroupClosed = errors.New("ledger: the group writer has stopped")

// maxGroup bounds how many uses share one commit: a bigger group answers its
// first use later, for little less work per use.
const maxGroup = 64

// Group is the group commit of one app's uses. The zero value is unusable;
// a nil *Group runs each use in a transaction of its own.
type Group struct {
	app  core.App
	jobs chan *job // unbuffered: a job is either taken by the writer or refused

	startOnce sync.Once
	stopOnce  sync.Once
	stop      chan struct{}
	stopped   chan struct{}

	groups, uses atomic.Int64 // transactions run, jobs run in them
}

// Stats returns how many group transactions the writer ran and how many uses
// they held: uses/groups is the mean group.
func (g *Group) Stats() (groups, uses int64) { return g.groups.Load(), g.uses.Load() }

// job is one use's work in a group.
type job struct {
	run   func(tx core.App) error
	err   error
	after []func() // run once the group committed, if run succeeded
	done  chan struct{}
}

// NewGroup returns the group commit of app's uses (app itself, not a
// transaction app). Its writer starts with the first use and stops when app
// terminates.
func NewGroup(app core.App) *Group {
	g := &Group{app: app, jobs: make(chan *job), stop: make(chan struct{}), stopped: make(chan struct{})}
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		g.Close()
		return e.Next()
	})
	return g
}

// Close stops the writer once it finished its group; later uses are refused
// with ErrGroupClosed.
func (g *Group) Close() {
	g.stopOnce.Do(func() {
		close(g.stop)
		g.startOnce.Do(func() { close(g.stopped) }) // never started
	})
	<-g.stopped
}

// Do runs fn in the next group's transaction, in a savepoint of its own, and
// returns once that transaction ended: fn's error (its writes rolled back, the
// group's others kept), the commit's error (nothing of the group written), or
// nil once committed. fn must write through tx only, and schedule what
// follows its commit with afterCommit.
func (g *Group) Do(fn func(tx core.App) error) error {
	g.startOnce.Do(func() { go g.writer() })
	j := &job{run: fn, done: make(chan struct{})}
	select {
	case g.jobs <- j:
	case <-g.stop:
		return ErrGroupClosed
	}
	<-j.done
	if j.err != nil {
		return j.err
	}
	for _, f := range j.after {
		f()
	}
	return nil
}

// writer takes the queued jobs, a group at a time, until stopped.
func (g *Group) writer() {
	defer close(g.stopped)
	batch := make([]*job, 0, maxGroup)
	for {
		select {
		case j := <-g.jobs:
			batch = append(batch[:0], j)
		case <-g.stop:
			return
		}
	take:
		for len(batch) < maxGroup {
			select {
			case j := <-g.jobs:
				batch = append(batch, j)
			default:
				break take
			}
		}
		g.commit(batch)
		g.groups.Add(1)
		g.uses.Add(int64(len(batch)))
		clear(batch)
	}
}

const (
	savepointSQL = "SAVEPOINT toolbase_use"
	rollbackSQL  = "ROLLBACK TO toolbase_use"
	releaseSQL   = "RELEASE toolbase_use"
)

// commit runs batch in one transaction and answers each job.
func (g *Group) commit(batch []*job) {
	err := g.app.RunInTransaction(func(tx core.App) error {
		for _, j := range batch {
			if _, err := hotExec(tx, savepointSQL); err != nil {
				return fmt.Errorf("ledger: group savepoint: %w", err)
			}
			j.err = j.runIn(&groupTx{App: tx, parent: g.app, job: j})
			if j.err != nil {
				j.after = nil
				// a failure SQLite answered by rolling back the whole
				// transaction (disk full, I/O) leaves no savepoint: the group fails
				if _, err := hotExec(tx, rollbackSQL); err != nil {
					return fmt.Errorf("ledger: rolling back a use of the group: %w (after %w)", err, j.err)
				}
			}
			if _, err := hotExec(tx, releaseSQL); err != nil {
				return fmt.Errorf("ledger: group release: %w", err)
			}
		}
		return nil
	})
	for _, j := range batch {
		if err != nil {
			j.err = &CommitError{Err: err}
			j.after = nil
		}
		close(j.done)
	}
}

// runIn runs the job's work in tx, a panic counting as its error.
func (j *job) runIn(tx core.App) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ledger: panic in a use: %v", r)
		}
	}()
	return j.run(tx)
}

// CommitError is a group's failed transaction: none of its uses was written.
type CommitError struct{ Err error }

func (e *CommitError) Error() string { return "ledger: group commit failed: " + e.Err.Error() }
func (e *CommitError) Unwrap() error { return e.Err }

// groupTx is the transaction app a job runs with: the group's, with the job
// to keep what it schedules for after the commit. Transactions opened in it
// join it (as PocketBase's nested RunInTransaction does).
type groupTx struct {
	core.App          // the group's transaction app
	parent   core.App // the app itself, for what runs after the commit
	job      *job
}

func (g *groupTx) RunInTransaction(fn func(core.App) error) error { return fn(g) }

// sqlTxOf returns the database/sql transaction of a transaction app.
func sqlTxOf(tx core.App) (*sql.Tx, error) {
	dtx, ok := tx.DB().(*dbx.Tx)
	if !ok {
		return nil, fmt.Errorf("hot statement outside a transaction")
	}
	inner, ok := dtx.Builder.(txSQL)
	if !ok {
		return nil, fmt.Errorf("unexpected transaction builder %T", dtx.Builder)
	}
	sqlTx, ok := inner.Executor().(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("unexpected transaction executor %T", inner.Executor())
	}
	return sqlTx, nil
}
