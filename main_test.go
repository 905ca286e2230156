package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Smoke tests of the real binary: built with `go build`, run as a separate
// process on 127.0.0.1, every wait bounded.

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// toolbaseBinary builds the binary once per test run.
func toolbaseBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "toolbase_bin_*")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "toolbase")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// noDev keeps PocketBase from taking a binary in the temp dir for `go run`
// and logging every SQL statement.
const noDev = "--dev=false"

// run runs the binary to completion (at most a minute) and returns its
// combined output and exit code.
func run(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, append(args, noDev)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit) && ctx.Err() == nil:
		return string(out), exit.ExitCode()
	}
	t.Fatalf("toolbase %s: %v\n%s", strings.Join(args, " "), err, out)
	return "", 0
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeSmoke(t *testing.T) {
	t.Parallel()
	bin := toolbaseBinary(t)
	dir := t.TempDir()
	// with a superuser, serve doesn't launch a browser on the installer page
	if out, code := run(t, bin, "superuser", "upsert", "root@test.example", "superuser-pass-1", "--dir", dir); code != 0 {
		t.Fatalf("superuser upsert: exit %d\n%s", code, out)
	}

	srv := startServer(t, bin, dir)
	base, output := srv.base, srv.output

	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) (int, string) {
		t.Helper()
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v\nserver output:\n%s", path, err, output.String())
		}
		defer res.Body.Close()
		body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return res.StatusCode, string(body)
	}

	if status, body := get("/api/health"); status != http.StatusOK || !strings.Contains(body, `"code":200`) {
		t.Errorf("/api/health: %d %s", status, body)
	}
	if status, body := get("/_/"); status != http.StatusOK || !strings.Contains(strings.ToLower(body), "<html") {
		t.Errorf("/_/ (the dashboard): %d\n%.300s", status, body)
	}
	index, err := os.ReadFile("pb_public/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if status, body := get("/"); status != http.StatusOK || body != string(index) {
		t.Errorf("/ should serve pb_public/index.html: %d\n%.300s", status, body)
	}
	// the API reference page and the description it renders
	docsPage, err := os.ReadFile("pb_public/docs/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if status, body := get("/docs/"); status != http.StatusOK || body != string(docsPage) {
		t.Errorf("/docs/ should serve pb_public/docs/index.html: %d\n%.300s", status, body)
	}
	if status, body := get("/api/docs/openapi.json"); status != http.StatusOK || !strings.Contains(body, `"openapi":"3.1.0"`) {
		t.Errorf("/api/docs/openapi.json: %d\n%.300s", status, body)
	}
	// the records API is up with toolbase's schema and rules
	if status, body := get("/api/collections/tools/records"); status != http.StatusOK || !strings.Contains(body, `"totalItems":0`) {
		t.Errorf("anonymous tools list: %d %s", status, body)
	}
	if status, _ := get("/api/collections/point_transactions/records"); status != http.StatusOK {
		t.Errorf("anonymous ledger list: %d", status)
	}
}

// The commands as an operator runs them: exit 0 when all is well, exit 1 with
// a report naming the user when a balance was changed behind the ledger.
func TestCommandsExitCodes(t *testing.T) {
	t.Parallel()
	bin := toolbaseBinary(t)
	dir := t.TempDir()

	for i := 0; i < 2; i++ {
		if out, code := run(t, bin, "seed", "--demo", "--dir", dir); code != 0 || !strings.Contains(out, "client1@example.com") {
			t.Fatalf("seed --demo (run %d): exit %d\n%s", i+1, code, out)
		}
	}
	if out, code := run(t, bin, "ledger", "verify", "--dir", dir); code != 0 || !strings.Contains(out, "ledger verify: OK (6 users") {
		t.Fatalf("ledger verify after seeding: exit %d\n%s", code, out)
	}
	if out, code := run(t, bin, "points", "add", "client3@example.com", "40", "--reason", "smoke", "--dir", dir); code != 0 || !strings.Contains(out, "now has 140 points") {
		t.Errorf("points add: exit %d\n%s", code, out)
	}
	if out, code := run(t, bin, "points", "deduct", "client3@example.com", "141", "--reason", "smoke", "--dir", dir); code != 1 || !strings.Contains(out, "only 140 available") {
		t.Errorf("points deduct below zero: exit %d, want 1\n%s", code, out)
	}
	if out, code := run(t, bin, "points", "add", "client3@example.com", "many", "--dir", dir); code != 1 {
		t.Errorf("points add with a bad N: exit %d, want 1\n%s", code, out)
	}

	// change a balance behind the ledger's back, with the server stopped
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	_, err := app.DB().NewQuery("UPDATE users SET points_balance = points_balance + 1000 WHERE email = 'client2@example.com'").Execute()
	if cerr := app.ClearBootstrap(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	out, code := run(t, bin, "ledger", "verify", "--dir", dir)
	if code != 1 {
		t.Errorf("ledger verify on a tampered database: exit %d, want 1\n%s", code, out)
	}
	if !strings.Contains(out, "client2@example.com") || strings.Contains(out, "client1@example.com") {
		t.Errorf("the report should name client2@example.com only:\n%s", out)
	}
}
