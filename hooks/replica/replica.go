// Package replica streams data.db to a replica continuously with Litestream
// (github.com/benbjohnson/litestream v0.5, embedded as a library), and
// restores a data directory from it (`toolbase restore`).
//
// With TOOLBASE_REPLICA_URL set, `toolbase serve` opens a Litestream store on
// data.db: every committed transaction reaches the replica within about
// TOOLBASE_REPLICA_SYNC_INTERVAL (half of it to copy the WAL into Litestream's
// local LTX files, half to upload them). Litestream owns data.db's
// checkpoints: toolbase's connections never checkpoint it while replicating
// (hooks.DBConnect), Litestream takes its read lock when replication starts,
// before the server takes requests (it holds a read transaction, and checkpoints
// PASSIVE every minute or 1000 pages, TRUNCATE past ~500 MB): PocketBase's
// nightly wal_checkpoint(TRUNCATE) of data.db is replaced by one of the
// auxiliary database only, and replication pauses (flushed, its read lock
// released) while PocketBase takes a backup, whose own TRUNCATE checkpoint
// would otherwise wait on that read lock and stall every writer for the
// busy timeout. A graceful stop (SIGTERM, SIGINT) flushes the replica.
package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	_ "github.com/benbjohnson/litestream/s3" // registers s3:// replica URLs
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"toolbase/hooks/metrics"
)

// The environment variables of replication.
const (
	EnvURL      = "TOOLBASE_REPLICA_URL"
	EnvInterval = "TOOLBASE_REPLICA_SYNC_INTERVAL"
)

// runningMarker is a file in the data directory while replication runs:
// found at start, it says the last run did not stop cleanly.
const runningMarker = ".replica-running"

// DefaultSyncInterval bounds what a crash of the machine can lose.
const DefaultSyncInterval = time.Second

// Config is replication's configuration.
type Config struct {
	URL          string
	SyncInterval time.Duration
}

// ConfigFromEnv reads TOOLBASE_REPLICA_URL and TOOLBASE_REPLICA_SYNC_INTERVAL.
func ConfigFromEnv() (Config, error) {
	cfg := Config{URL: strings.TrimSpace(os.Getenv(EnvURL)), SyncInterval: DefaultSyncInterval}
	if v := strings.TrimSpace(os.Getenv(EnvInterval)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Millisecond || d > time.Hour {
			return cfg, fmt.Errorf("%s=%q: want a Go duration between 10ms and 1h (e.g. 1s)", EnvInterval, v)
		}
		cfg.SyncInterval = d
	}
	if cfg.URL != "" {
		if _, err := NewClient(cfg.URL); err != nil {
			return cfg, fmt.Errorf("%s: %w", EnvURL, err)
		}
	}
	return cfg, nil
}

// NewClient returns the Litestream replica client of a replica URL:
// file:///absolute/dir, or s3://bucket/prefix (credentials from
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, region from AWS_REGION, an
// S3-compatible endpoint from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, or any
// of them as Litestream's URL parameters: ?endpoint=…&region=…).
func NewClient(raw string) (litestream.ReplicaClient, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("replica URL %q: %w", raw, err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" || !filepath.IsAbs(u.Path) {
			return nil, fmt.Errorf("replica URL %q: want file:///absolute/dir", raw)
		}
		return file.NewReplicaClient(filepath.Clean(u.Path)), nil
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("replica URL %q: want s3://bucket/prefix", raw)
		}
		q := u.Query()
		if q.Get("endpoint") == "" {
			for _, env := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
				if v := os.Getenv(env); v != "" {
					q.Set("endpoint", v)
					break
				}
			}
		}
		if q.Get("region") == "" {
			for _, env := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
				if v := os.Getenv(env); v != "" {
					q.Set("region", v)
					break
				}
			}
		}
		u.RawQuery = q.Encode()
		return litestream.NewReplicaClientFromURL(u.String())
	}
	return nil, fmt.Errorf("replica URL %q: want file:///absolute/dir or s3://bucket/prefix", raw)
}

// Replicator runs Litestream on one app's data.db.
type Replicator struct {
	app    core.App
	cfg    Config
	logger *slog.Logger

	mu    sync.Mutex
	store *litestream.Store
	db    *litestream.DB
	stop  context.CancelFunc // the status watcher
	state string             // "", "syncing", "behind"
}

// Bind replicates app's data.db under `serve` when TOOLBASE_REPLICA_URL is set.
func Bind(app core.App) error {
	cfg, err := ConfigFromEnv()
	if err != nil || cfg.URL == "" {
		return err
	}
	BindConfig(app, cfg)
	return nil
}

// BindConfig replicates app's data.db under `serve` as cfg says.
func BindConfig(app core.App, cfg Config) *Replicator {
	r := &Replicator{app: app, cfg: cfg}
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Id: "toolbaseReplica",
		Func: func(se *core.ServeEvent) error {
			if err := r.Start(); err != nil {
				return err
			}
			// Litestream owns data.db's checkpoints: PocketBase's nightly job
			// keeps only the auxiliary database's TRUNCATE and the optimize
			se.App.Cron().Add("__pbDBOptimize__", "0 0 * * *", func() { r.nightly() })
			return se.Next()
		},
		Priority: -100, // before the server listens
	})
	// a backup's wal_checkpoint(TRUNCATE) would wait on Litestream's read lock
	// with the writers blocked: pause replication around it
	app.OnBackupCreate().BindFunc(func(e *core.BackupEvent) error {
		if !r.running() {
			return e.Next()
		}
		if err := r.Stop(context.Background()); err != nil {
			r.log().Error("replication: flushing before a backup", "error", err.Error())
		}
		err := e.Next()
		if startErr := r.Start(); startErr != nil {
			r.log().Error("replication: restarting after a backup", "error", startErr.Error())
		}
		return err
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		// after the HTTP server's graceful shutdown (priority -9999): every
		// acknowledged write is in data.db; flush it to the replica
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			r.log().Error("replication: final sync failed", "error", err.Error())
			fmt.Fprintln(os.Stderr, "replication: final sync failed:", err)
		}
		return e.Next()
	})
	return r
}

func (r *Replicator) log() *slog.Logger { return r.app.Logger() }

func (r *Replicator) running() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.store != nil
}

// Start opens the Litestream store on data.db and starts replicating.
func (r *Replicator) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.store != nil {
		return nil
	}
	client, err := NewClient(r.cfg.URL)
	if err != nil {
		return err
	}
	logger := slog.New(&countingHandler{next: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})})
	db := litestream.NewDB(filepath.Join(r.app.DataDir(), "data.db"))
	half := max(r.cfg.SyncInterval/2, 5*time.Millisecond)
	db.MonitorInterval = half
	db.ShutdownSyncTimeout = 10 * time.Second
	replica := litestream.NewReplicaWithClient(db, client)
	replica.SyncInterval = half
	db.Replica = replica
	if fc, ok := client.(*file.ReplicaClient); ok {
		fc.Replica = replica
	}
	store := litestream.NewStore([]*litestream.DB{db}, litestream.DefaultCompactionLevels)
	store.Logger = logger
	db.SetLogger(logger.With("db", "data.db"))
	marker := filepath.Join(r.app.DataDir(), runningMarker)
	if _, err := os.Stat(marker); err == nil {
		// the last run did not stop cleanly (a crash, SIGKILL): Litestream
		// resumes from its local state, the WAL's frames it had not read yet
		// included (nothing checkpointed them: see hooks.DBConnect)
		r.log().Warn("replication: the last run did not stop cleanly; resuming from the WAL")
		fmt.Fprintln(os.Stderr, "replication: the last run did not stop cleanly; resuming from the WAL")
	}
	if err := os.WriteFile(marker, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return err
	}
	if err := store.Open(context.Background()); err != nil {
		return fmt.Errorf("replication to %s: %w", redact(r.cfg.URL), err)
	}
	// Litestream opens data.db on its first sync, which would otherwise wait
	// for its first tick: sync now, before the server takes requests, so that
	// its read lock (which stops any checkpoint past what it has read) is
	// held from the start, and a stop right after this start flushes too
	// (Litestream's Close does not sync a database it never opened)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	err = db.Sync(ctx)
	cancel()
	if err != nil {
		store.Close(context.Background())
		return fmt.Errorf("replication to %s: first sync of data.db: %w", redact(r.cfg.URL), err)
	}
	r.store, r.db = store, db
	ctx, cancel = context.WithCancel(context.Background())
	r.stop = cancel
	go r.watch(ctx, db, replica)
	metrics.ReplicationEnabled(true)
	r.log().Info("replication on", "replica", redact(r.cfg.URL), "syncInterval", r.cfg.SyncInterval.String())
	fmt.Fprintf(os.Stderr, "replication: streaming data.db to %s every %s\n", redact(r.cfg.URL), r.cfg.SyncInterval)
	return nil
}

// Stop flushes everything committed to the replica and closes the store.
func (r *Replicator) Stop(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.store == nil {
		return nil
	}
	r.stop()
	err := r.store.Close(ctx)
	if err == nil {
		metrics.ReplicaSynced(time.Now())
		os.Remove(filepath.Join(r.app.DataDir(), runningMarker))
	} else {
		metrics.ReplicaError()
	}
	r.store, r.db = nil, nil
	metrics.ReplicationEnabled(false)
	r.log().Info("replication stopped", "replica", redact(r.cfg.URL), "flushed", err == nil)
	if err == nil {
		fmt.Fprintln(os.Stderr, "replication: flushed to", redact(r.cfg.URL))
	}
	return err
}

// Sync waits until everything committed so far is on the replica.
func (r *Replicator) Sync(ctx context.Context) error {
	r.mu.Lock()
	db := r.db
	r.mu.Unlock()
	if db == nil {
		return errors.New("replication is not running")
	}
	return db.SyncAndWait(ctx)
}

// watch follows the replica's position: synced when it has every local
// transaction; an error in the log when it falls behind, and when it recovers.
func (r *Replicator) watch(ctx context.Context, db *litestream.DB, replica *litestream.Replica) {
	tick := time.NewTicker(max(r.cfg.SyncInterval/2, 10*time.Millisecond))
	defer tick.Stop()
	behindAfter := max(10*r.cfg.SyncInterval, 10*time.Second)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		local, err := db.Pos()
		if err != nil {
			continue
		}
		if replica.Pos().TXID >= local.TXID {
			metrics.ReplicaSynced(time.Now())
			if r.state == "behind" {
				r.log().Info("replication caught up", "txid", local.TXID.String())
				fmt.Fprintln(os.Stderr, "replication: caught up")
			}
			r.state = "syncing"
			continue
		}
		if lag := metrics.ReplicationLag(); lag > behindAfter.Seconds() && r.state != "behind" {
			r.state = "behind"
			msg := fmt.Sprintf("replication: the replica is %.0fs behind (local txid %s, replica %s); see the errors above", lag, local.TXID, replica.Pos().TXID)
			r.log().Error(msg)
			fmt.Fprintln(os.Stderr, msg)
		}
	}
}

// nightly is PocketBase's nightly database job without data.db's TRUNCATE
// checkpoint, which Litestream owns.
func (r *Replicator) nightly() {
	if _, err := r.app.AuxNonconcurrentDB().NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute(); err != nil {
		r.log().Warn("nightly wal_checkpoint of the auxiliary DB", "error", err.Error())
	}
	if _, err := r.app.NonconcurrentDB().NewQuery("PRAGMA optimize").Execute(); err != nil {
		r.log().Warn("nightly PRAGMA optimize", "error", err.Error())
	}
}

// redact hides a URL's credentials and parameters in logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

// countingHandler counts Litestream's error records as replication errors.
type countingHandler struct{ next slog.Handler }

func (h *countingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || h.next.Enabled(ctx, l)
}

func (h *countingHandler) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelError {
		metrics.ReplicaError()
	}
	if h.next.Enabled(ctx, rec.Level) {
		return h.next.Handle(ctx, rec)
	}
	return nil
}

func (h *countingHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return &countingHandler{next: h.next.WithAttrs(a)}
}

func (h *countingHandler) WithGroup(g string) slog.Handler {
	return &countingHandler{next: h.next.WithGroup(g)}
}
