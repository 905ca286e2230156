package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
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
	bin := toolbaseBinary(t)
	dir := t.TempDir()
	mustRun(t, bin, "seed", "--demo", "--dir", dir)
	mustRun(t, bin, "points", "add", "client1@example.com", "100000", "--reason", "crash test", "--dir", dir)

	srv := startServer(t, bin, dir)
	token := login(t, srv.base, "client1@example.com", "client-demo-pass")
	tool := demoToolID(t, srv.base, token, "JSON Formatter")

	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for range 8 {
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
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := client.Do(req)
				if err != nil {
					continue // the server is gone
				}
				res.Body.Close()
				if res.StatusCode == 200 {
					acked.Add(1)
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	close(stop)
	wg.Wait()
	if acked.Load() == 0 {
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
	if usages < acked.Load() {
		t.Fatalf("%d uses acknowledged but %d recorded", acked.Load(), usages)
	}
	t.Logf("%d uses acknowledged, %d recorded, ledger consistent after SIGKILL", acked.Load(), usages)
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

type server struct {
	cmd  *exec.Cmd
	base string
}

func startServer(t *testing.T, bin, dir string) *server {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--http", addr, "--dir", dir, noDev)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, base: "http://" + addr}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", log.String())
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
