package main

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// The restore drill of issue 15, on the real binary: serve with a replica,
// write uses of a built-in tool (two transactions each: the charge, then the
// settlement) from concurrent clients, SIGKILL, restore into an empty
// directory: SQLite's integrity check and `ledger verify` pass and every use
// acknowledged more than drillBound before the kill is there. Then serve the
// crashed directory again (replication resumes from the WAL), write batch A,
// note the time, write batch B, stop gracefully: the latest restore has both
// batches and the crash's uses that were not replicated before the kill (a
// graceful stop loses nothing acknowledged), a restore at the noted time has
// exactly batch A. `make soak` repeats the crash under CPU load.

const drillInterval = 500 * time.Millisecond

// drillBound is what a SIGKILL may lose: Litestream copies the WAL every half
// interval and uploads every half interval, and a copy waits while Litestream
// checkpoints, whose write lock waits for PocketBase's writers for up to its
// busy timeout (litestream.DefaultBusyTimeout, 1 s).
const drillBound = drillInterval + time.Second

func TestRestoreDrillFile(t *testing.T) {
	replicaDrill(t, "file://"+filepath.ToSlash(t.TempDir()), nil, 2*time.Second)
}

func TestRestoreDrillS3(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("drill"); err != nil {
		t.Fatal(err)
	}
	s3 := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(s3.Close)
	// AWS_CA_BUNDLE (set on some machines) makes the AWS SDK refuse
	// Litestream's HTTP client; the fake S3 server is plain HTTP anyway
	env := []string{"AWS_CA_BUNDLE=", "AWS_ACCESS_KEY_ID=drill", "AWS_SECRET_ACCESS_KEY=drill-secret", "AWS_REGION=us-east-1", "AWS_ENDPOINT_URL_S3=" + s3.URL}
	replicaDrill(t, "s3://drill/toolbase", env, time.Second)
}

// drillDir is a fresh data directory with the demo data, a rich client1 and
// a superuser, for the drills.
func drillDir(t *testing.T, bin string) string {
	t.Helper()
	dir := t.TempDir()
	mustRun(t, bin, "seed", "--demo", "--dir", dir)
	mustRun(t, bin, "points", "add", "client1@example.com", "1000000", "--reason", "drill", "--dir", dir)
	mustRun(t, bin, "superuser", "upsert", "drill@example.com", "drill-superuser-pass", "--dir", dir)
	return dir
}

// drillClient turns srv's rate limits off and returns client1's token and the
// JSON Formatter's id: a built-in, whose charge and settlement are two
// transactions.
func drillClient(t *testing.T, srv *server) (token, tool string) {
	t.Helper()
	rateLimitsOff(t, srv.base)
	token = login(t, srv.base, "client1@example.com", "client-demo-pass")
	return token, demoToolID(t, srv.base, token, "JSON Formatter")
}

func replicaDrill(t *testing.T, replicaURL string, env []string, load time.Duration) {
	bin := toolbaseBinary(t)
	dir := drillDir(t, bin)
	env = append(env, "TOOLBASE_REPLICA_URL="+replicaURL, "TOOLBASE_REPLICA_SYNC_INTERVAL="+drillInterval.String())

	// 1. a crash under load
	srv := startServer(t, bin, dir, env...)
	// a built-in: the charge and the settlement are two transactions
	token, tool := drillClient(t, srv)
	acks := hammer(t, srv.base, token, tool, "crash", load)
	kill := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	if len(acks) == 0 {
		t.Fatal("no use acknowledged")
	}
	restored := t.TempDir()
	mustRunEnv(t, env, bin, "restore", "--replica", replicaURL, "--dir", restored)
	integrityOK(t, restored)
	mustVerifyDir(t, bin, restored)
	have := usageIDs(t, restored, "crash")
	var missing, early int
	var lostWindow time.Duration
	for id, at := range acks {
		if have[id] {
			continue
		}
		missing++
		if kill.Sub(at) > lostWindow {
			lostWindow = kill.Sub(at)
		}
		if kill.Sub(at) > drillBound {
			early++
		}
	}
	t.Logf("%s: %d uses acknowledged in %s, %d restored after SIGKILL; %d missing, the oldest %s before the kill",
		replicaURL, len(acks), load, len(have), missing, lostWindow.Round(time.Millisecond))
	if early > 0 {
		t.Errorf("%d uses acknowledged more than %s before the kill are not in the restore", early, drillBound)
	}
	// a non-empty directory is refused
	if out, code := runEnv(t, env, bin, "restore", "--replica", replicaURL, "--dir", restored); code == 0 || !strings.Contains(out, "not empty") {
		t.Errorf("restore into a directory holding data: exit %d\n%s", code, out)
	}

	// 2. replication resumes on the crashed directory; two batches; a graceful stop
	srv = startServer(t, bin, dir, env...)
	token = login(t, srv.base, "client1@example.com", "client-demo-pass")
	batchA := hammer(t, srv.base, token, tool, "A", load/2)
	time.Sleep(2 * drillInterval) // batch A reaches the replica
	between := time.Now().UTC()
	time.Sleep(2 * drillInterval)
	batchB := hammer(t, srv.base, token, tool, "B", load/2)
	srv.stop(t) // SIGTERM

	latest := t.TempDir()
	mustRunEnv(t, env, bin, "restore", "--replica", replicaURL, "--dir", latest)
	integrityOK(t, latest)
	mustVerifyDir(t, bin, latest)
	for name, batch := range map[string]map[string]time.Time{"crash": acks, "A": batchA, "B": batchB} {
		got := usageIDs(t, latest, name)
		for id := range batch {
			if !got[id] {
				t.Errorf("graceful stop: acknowledged use %s of batch %s is not in the replica", id, name)
			}
		}
	}

	past := t.TempDir()
	mustRunEnv(t, env, bin, "restore", "--replica", replicaURL, "--dir", past, "--timestamp", between.Format(time.RFC3339Nano))
	integrityOK(t, past)
	mustVerifyDir(t, bin, past)
	if got := usageIDs(t, past, "A"); len(got) != len(batchA) {
		t.Errorf("restore at %s: %d uses of batch A, want %d", between.Format(time.RFC3339Nano), len(got), len(batchA))
	}
	if got := usageIDs(t, past, "B"); len(got) != 0 {
		t.Errorf("restore at %s: %d uses of batch B, want none", between.Format(time.RFC3339Nano), len(got))
	}
	t.Logf("batch A %d uses, batch B %d: latest restore has both, restore at the moment between has exactly A", len(batchA), len(batchB))
}

// rateLimitsOff flips the one switch as a superuser: the drill's clients all
// come from 127.0.0.1.
func rateLimitsOff(t *testing.T, base string) {
	t.Helper()
	res, err := http.Post(base+"/api/collections/_superusers/auth-with-password", "application/json",
		strings.NewReader(`{"identity":"drill@example.com","password":"drill-superuser-pass"}`))
	if err != nil {
		t.Fatal(err)
	}
	var auth struct{ Token string }
	json.NewDecoder(res.Body).Decode(&auth)
	res.Body.Close()
	req, _ := http.NewRequest(http.MethodPatch, base+"/api/settings", strings.NewReader(`{"rateLimits":{"enabled":false}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth.Token)
	res, err = http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("turning rate limits off: %v %v", err, res)
	}
	res.Body.Close()
}

// hammer sends uses tagged batch from 8 concurrent clients for d and returns
// the acknowledged ones: usage id → when the answer arrived.
func hammer(t *testing.T, base, token, tool, batch string, d time.Duration) map[string]time.Time {
	t.Helper()
	acks := map[string]time.Time{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(d)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodPost, base+"/api/tools/tools/"+tool+"/use/",
					strings.NewReader(`{"input_data":{"batch":"`+batch+`"}}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := client.Do(req)
				if err != nil {
					return
				}
				var out struct {
					UsageID string `json:"usage_id"`
				}
				err = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if res.StatusCode == http.StatusOK && err == nil {
					mu.Lock()
					acks[out.UsageID] = time.Now()
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return acks
}

// usageIDs reads the ids of a batch's uses from a data directory.
func usageIDs(t *testing.T, dir, batch string) map[string]bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM tool_usage WHERE json_extract(input_data, '$.batch') = ?`, batch)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids[id] = true
	}
	return ids
}

func mustVerifyDir(t *testing.T, bin, dir string) {
	t.Helper()
	if out := mustRun(t, bin, "ledger", "verify", "--dir", dir); !strings.Contains(out, "ledger verify: OK") {
		t.Fatalf("ledger verify in %s:\n%s", dir, out)
	}
}

func mustRunEnv(t *testing.T, env []string, bin string, args ...string) string {
	t.Helper()
	out, code := runEnv(t, env, bin, args...)
	if code != 0 {
		t.Fatalf("toolbase %v: exit %d\n%s", args, code, out)
	}
	return out
}

// runEnv is run with env added (restore needs the replica's credentials).
func runEnv(t *testing.T, env []string, bin string, args ...string) (string, int) {
	t.Helper()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return run(t, bin, args...)
}

// TestReplicaResumeStopEarly: SIGKILL under load, then serve the same
// directory again with a long sync interval and stop it gracefully before
// Litestream's first tick. Litestream opens the database on its first sync,
// and its Close does not sync a database it never opened: the uses of the
// second run, and those of the first that had not been replicated before the
// kill, were missing while the log said "flushed". Replication now syncs
// once when it starts, before the server takes requests.
func TestReplicaResumeStopEarly(t *testing.T) {
	bin := toolbaseBinary(t)
	replicaURL := "file://" + filepath.ToSlash(t.TempDir())
	dir := drillDir(t, bin)
	env := []string{"TOOLBASE_REPLICA_URL=" + replicaURL, "TOOLBASE_REPLICA_SYNC_INTERVAL=" + drillInterval.String()}
	srv := startServer(t, bin, dir, env...)
	token, tool := drillClient(t, srv)
	first := hammer(t, srv.base, token, tool, "crash", time.Second)
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()

	slow := []string{"TOOLBASE_REPLICA_URL=" + replicaURL, "TOOLBASE_REPLICA_SYNC_INTERVAL=10s"} // the first tick 5 s after the start
	srv = startServer(t, bin, dir, slow...)
	token = login(t, srv.base, "client1@example.com", "client-demo-pass")
	second := hammer(t, srv.base, token, tool, "A", time.Second)
	srv.stop(t)

	latest := t.TempDir()
	mustRunEnv(t, env, bin, "restore", "--replica", replicaURL, "--dir", latest)
	defer func() {
		if t.Failed() {
			filepath.WalkDir(replicaURL[len("file://"):], func(p string, d os.DirEntry, err error) error {
				if d != nil && !d.IsDir() {
					fi, _ := d.Info()
					t.Logf("replica file %s %d bytes", p, fi.Size())
				}
				return nil
			})
		}
	}()
	integrityOK(t, latest)
	mustVerifyDir(t, bin, latest)
	for name, batch := range map[string]map[string]time.Time{"crash": first, "A": second} {
		got := usageIDs(t, latest, name)
		missing := 0
		for id := range batch {
			if !got[id] {
				missing++
			}
		}
		t.Logf("batch %s: %d acknowledged, %d restored", name, len(batch), len(got))
		if missing > 0 {
			t.Errorf("batch %s: %d acknowledged uses are not in the replica after a graceful stop", name, missing)
		}
	}
}

// integrityOK runs SQLite's full integrity check on dir's data.db.
func integrityOK(t *testing.T, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`PRAGMA integrity_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		msgs = append(msgs, s)
	}
	if len(msgs) != 1 || msgs[0] != "ok" {
		t.Errorf("integrity_check of %s: %v", dir, msgs)
	}
}
