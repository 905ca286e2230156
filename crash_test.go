package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestCrashKeepsLedgerConsistent kills the server hard (SIGKILL) while uses
// are in flight, restarts it, and checks that every acknowledged use survived
// and that `ledger verify` passes: no usage without its ledger rows, no
// balance off its ledger.
func TestCrashKeepsLedgerConsistent(t *testing.T) {
	t.Parallel()
	bin := toolbaseBinary(t)
	dir := t.TempDir()
	mustRun(t, bin, "seed", "--demo", "--dir", dir)
	mustRun(t, bin, "points", "add", "client1@example.com", "100000", "--reason", "crash test", "--dir", dir)

	srv := startServer(t, bin, dir)
	token := login(t, srv.base, "client1@example.com", "client-demo-pass")
	tool := demoToolID(t, srv.base, token, "JSON Formatter")

	acked := int64(len(killUnderUses(t, srv, tool, 8, 700*time.Millisecond, func(int) string { return token })))
	if acked == 0 {
		t.Fatal("no use was acknowledged before the kill")
	}

	// restart: the server must come up on the crashed data and answer
	restarted := startServer(t, bin, dir)
	restarted.stop(t)

	out := mustRun(t, bin, "ledger", "verify", "--dir", dir)
	// "ledger verify: OK (N users, M ledger rows, K usages)": every acknowledged use is there
	var users, rows, usages int64
	i := strings.Index(out, "ledger verify: OK")
	if i < 0 {
		t.Fatalf("ledger verify after the crash:\n%s", out)
	}
	if _, err := fmt.Sscanf(out[i:], "ledger verify: OK (%d users, %d ledger rows, %d usages)", &users, &rows, &usages); err != nil {
		t.Fatalf("reading %q: %v", out, err)
	}
	if usages < acked {
		t.Fatalf("%d uses acknowledged but %d recorded", acked, usages)
	}
	t.Logf("%d uses acknowledged, %d recorded, ledger consistent after SIGKILL", acked, usages)
}

// mustRun runs the binary and fails the test unless it exits 0.
func mustRun(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, code := run(t, bin, args...)
	if code != 0 {
		t.Fatalf("toolbase %v: exit %d\n%s", args, code, out)
	}
	return out
}

// TestCrashSettlesPendingRemoteUses kills the server hard while calls to a
// slow tool endpoint are in flight (each use charged and PENDING), restarts it,
// and checks that every pending use was failed and refunded exactly once.
func TestCrashSettlesPendingRemoteUses(t *testing.T) {
	t.Parallel()
	bin := toolbaseBinary(t)
	dir := t.TempDir()
	mustRun(t, bin, "seed", "--demo", "--dir", dir)
	env := []string{"TOOLBASE_ALLOW_PRIVATE_ENDPOINTS=1", "TOOLBASE_ALLOW_HTTP_ENDPOINTS=1"}

	var calls atomic.Int64
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)

	srv := startServer(t, bin, dir, env...)
	creator := login(t, srv.base, "creator1@example.com", "creator-demo-pass")
	client := login(t, srv.base, "client1@example.com", "client-demo-pass")
	tool := demoToolID(t, srv.base, client, "Word Counter")
	patch := `{"api_endpoint":"` + slow.URL + `","timeout_seconds":60}`
	req, _ := http.NewRequest(http.MethodPatch, srv.base+"/api/collections/tools/records/"+tool, strings.NewReader(patch))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", creator)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("setting the endpoint: %v %v", res, err)
	}

	const inFlight = 6
	for range inFlight {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, srv.base+"/api/tools/tools/"+tool+"/use/", strings.NewReader(`{"input_data":{}}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+client)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for calls.Load() < inFlight {
		if time.Now().After(deadline) {
			t.Fatalf("only %d calls reached the tool", calls.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()

	restarted := startServer(t, bin, dir, env...)
	admin := login(t, restarted.base, "admin@example.com", "admin-demo-pass")
	for state, want := range map[string]int{"PENDING": 0, "FAILED": inFlight, "SUCCEEDED": 0} {
		if got := countUsage(t, restarted.base, admin, state); got != want {
			t.Errorf("%d %s uses after the restart, want %d", got, state, want)
		}
	}
	restarted.stop(t)
	out := mustRun(t, bin, "ledger", "verify", "--dir", dir)
	if !strings.Contains(out, "ledger verify: OK") {
		t.Fatalf("ledger verify:\n%s", out)
	}
	// the client got every point back: 1000 granted by the seed
	if out := mustRun(t, bin, "points", "add", "client1@example.com", "1", "--reason", "refund check", "--dir", dir); !strings.Contains(out, "now has 1001 points") {
		t.Errorf("the client was not refunded: %s", out)
	}
}

// countUsage counts the uses in state, through the records API.
func countUsage(t *testing.T, base, token, state string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/collections/tool_usage/records?perPage=1&filter="+url.QueryEscape("state='"+state+"'"), nil)
	req.Header.Set("Authorization", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ TotalItems int }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.TotalItems
}

type server struct {
	cmd    *exec.Cmd
	base   string
	output *syncBuffer // what it printed
}

// startServer serves dir on a free 127.0.0.1 port, with env added to the
// environment, and waits (at most 30 s) until it is healthy.
func startServer(t *testing.T, bin, dir string, env ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--http", addr, "--dir", dir, noDev)
	cmd.Env = append(os.Environ(), env...)
	s := &server{cmd: cmd, base: "http://" + addr, output: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = s.output, s.output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", s.output.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.base + "/api/health"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not become healthy within 30s")
	return nil
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		t.Fatal("server did not stop within 10s")
	}
}

func login(t *testing.T, base, email, password string) string {
	t.Helper()
	res, err := http.Post(base+"/api/collections/users/auth-with-password", "application/json",
		strings.NewReader(`{"identity":"`+email+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Token == "" {
		t.Fatalf("login of %s: %d %v", email, res.StatusCode, err)
	}
	return body.Token
}

func demoToolID(t *testing.T, base, token, name string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/collections/tools/records?filter="+
		strings.ReplaceAll("(name='"+name+"')", " ", "%20"), nil)
	req.Header.Set("Authorization", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ Items []struct{ ID string } }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || len(body.Items) != 1 {
		t.Fatalf("finding tool %q: %v %+v", name, err, body)
	}
	return body.Items[0].ID
}

// TestCrashDuringGroupCommits kills the server hard (SIGKILL) while uses
// share their commits, 20 times over on one data directory, each server
// starting on the data the previous one left (every other one with
// TOOLBASE_DURABLE_COMMITS=1). Two clients use a tool at once, one of them
// with points for few uses, so groups mix uses that go through and uses
// refused for lack of points. Afterwards every acknowledged use is in the
// ledger, and `ledger verify` passes: no use is half there (a usage without
// its ledger rows or counters, a balance off its ledger).
func TestCrashDuringGroupCommits(t *testing.T) {
	t.Parallel()
	const rounds = 20
	bin := toolbaseBinary(t)
	dir := t.TempDir()
	mustRun(t, bin, "seed", "--demo", "--dir", dir)
	mustRun(t, bin, "points", "add", "client1@example.com", "1000000", "--reason", "crash test", "--dir", dir)

	acked := map[string]bool{}
	var tokens []string
	var tool string
	began := time.Now()
	for round := range rounds {
		var env []string
		if round%2 == 1 {
			env = append(env, "TOOLBASE_DURABLE_COMMITS=1")
		}
		srv := startServer(t, bin, dir, env...)
		if round == 0 {
			// tokens outlive restarts: they are checked against the users' records
			tokens = []string{login(t, srv.base, "client1@example.com", "client-demo-pass"), login(t, srv.base, "client3@example.com", "client-demo-pass")}
			tool = demoToolID(t, srv.base, tokens[0], "JSON Formatter")
		}
		// kill at a different point of the group commits each round; 1 in 4 is the poor client
		for _, id := range killUnderUses(t, srv, tool, 16, time.Duration(150+round*53%250)*time.Millisecond,
			func(i int) string { return tokens[i%4/3] }) {
			acked[id] = true
		}
	}
	// the last crash too: a server must come up on the data
	startServer(t, bin, dir).stop(t)
	if len(acked) == 0 {
		t.Fatal("no use was acknowledged")
	}

	out := mustRun(t, bin, "ledger", "verify", "--dir", dir)
	if !strings.Contains(out, "ledger verify: OK") {
		t.Fatalf("ledger verify after %d crashes:\n%s", rounds, out)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT id FROM tool_usage")
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]bool{}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		recorded[id] = true
	}
	rows.Close()
	lost := 0
	for id := range acked {
		if !recorded[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged uses lost", lost, len(acked))
	}
	t.Logf("%d crashes in %s: %d uses acknowledged, %d recorded, all acknowledged ones there, ledger consistent",
		rounds, time.Since(began).Round(100*time.Millisecond), len(acked), len(recorded))
}

// killUnderUses sends uses of tool to srv from workers goroutines (worker i
// with token(i)), SIGKILLs the server after d, and returns the usage ids of
// the uses answered 200 before it died.
func killUnderUses(t *testing.T, srv *server, tool string, workers int, d time.Duration, token func(worker int) string) []string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodPost, srv.base+"/api/tools/tools/"+tool+"/use/", strings.NewReader(`{"input_data":{"n":1}}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token(i))
				res, err := client.Do(req)
				if err != nil {
					continue // the server is gone
				}
				var body struct {
					UsageID string `json:"usage_id"`
				}
				err = json.NewDecoder(res.Body).Decode(&body)
				res.Body.Close()
				if res.StatusCode == 200 && err == nil && body.UsageID != "" {
					mu.Lock()
					acked = append(acked, body.UsageID)
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(d)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	close(stop)
	wg.Wait()
	return acked
}
