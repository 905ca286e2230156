package replica_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	c "toolbase/collections"
	"toolbase/hooks/internal/opstest"
	"toolbase/hooks/ledger"
	"toolbase/hooks/replica"
)

// PocketBase's checkpoints and Litestream's read lock don't block each
// other's writes: while replicating, a backup (VACUUM INTO, then
// wal_checkpoint(TRUNCATE)) and the nightly job run with writes going on, no
// write waits long, and the replica still restores with every write.
func TestCheckpointsDoNotBlockWrites(t *testing.T) {
	app := opstest.NewApp(t)
	u, _ := opstest.User(t, app, "alice", c.RoleClient, 1)
	dir := t.TempDir()
	r := replica.BindConfig(app, replica.Config{URL: "file://" + dir, SyncInterval: 100 * time.Millisecond})
	opstest.Serve(t, app) // OnServe starts replication
	t.Cleanup(func() { r.Stop(context.Background()) })

	grant := func() time.Duration {
		start := time.Now()
		if _, err := ledger.Post(app, ledger.Entry{User: u.Id, Account: c.AccountPoints, Kind: c.KindGrant, Amount: 1}); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	done := make(chan struct{})
	var slowest time.Duration
	var writes int
	go func() {
		defer close(done)
		for deadline := time.Now().Add(1500 * time.Millisecond); time.Now().Before(deadline); {
			slowest = max(slowest, grant())
			writes++
			time.Sleep(2 * time.Millisecond)
		}
	}()
	time.Sleep(200 * time.Millisecond)
	if err := app.CreateBackup(context.Background(), "during_replication.zip"); err != nil {
		t.Fatal(err)
	}
	for _, job := range app.Cron().Jobs() {
		if job.Id() == "__pbDBOptimize__" {
			job.Run()
		}
	}
	<-done
	t.Logf("%d writes during a backup and the nightly job, the slowest %s", writes, slowest.Round(time.Millisecond))
	if slowest > time.Second {
		t.Errorf("a write waited %s while a backup checkpointed", slowest)
	}

	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "restored")
	if err := replica.Restore(context.Background(), replica.RestoreOptions{Replica: "file://" + dir, Dir: out}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "data.db")); err != nil {
		t.Fatal(err)
	}
	want := 1 + writes
	var got int
	restoredApp := opstest.OpenDir(t, out)
	if err := restoredApp.DB().NewQuery("SELECT points_balance FROM users WHERE id = {:id}").Bind(map[string]any{"id": u.Id}).Row(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("restored balance %d, want %d", got, want)
	}
}

func TestReplicaURLs(t *testing.T) {
	for _, bad := range []string{"file://relative/dir", "file:relative", "s3://", "ftp://x/y", "/abs/dir"} {
		if _, err := replica.NewClient(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"file:///var/lib/toolbase-replica", "s3://bucket/prefix", "s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1"} {
		if _, err := replica.NewClient(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	t.Setenv(replica.EnvInterval, "soon")
	if _, err := replica.ConfigFromEnv(); err == nil {
		t.Error("a bad sync interval accepted")
	}
}
