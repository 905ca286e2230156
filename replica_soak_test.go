package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestRestoreDrillSoak repeats the crash half of the drill with uses that
// write twice (the built-in JSON Formatter: a charge transaction, then a
// settle transaction), under CPU load: TOOLBASE_DRILL_SOAK=N rounds.
func TestRestoreDrillSoak(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TOOLBASE_DRILL_SOAK"))
	if n <= 0 {
		t.Skip("set TOOLBASE_DRILL_SOAK=N to run N rounds")
	}
	var stop atomic.Bool
	defer stop.Store(true)
	if os.Getenv("TOOLBASE_DRILL_STRESS") != "" {
		for range runtime.NumCPU() * 2 {
			go func() {
				x := 0
				for !stop.Load() {
					for i := range 100000 {
						x += i * i
					}
				}
				_ = x
			}()
		}
	}
	bin := toolbaseBinary(t)
	failures := 0
	for round := range n {
		ok := t.Run("round"+strconv.Itoa(round), func(t *testing.T) {
			soakRound(t, bin)
		})
		if !ok {
			failures++
		}
	}
	t.Logf("%d of %d rounds failed", failures, n)
}

func soakRound(t *testing.T, bin string) {
	replicaURL := "file://" + filepath.ToSlash(t.TempDir())
	dir := drillDir(t, bin)
	env := []string{"TOOLBASE_REPLICA_URL=" + replicaURL, "TOOLBASE_REPLICA_SYNC_INTERVAL=" + drillInterval.String()}
	srv := startServer(t, bin, dir, env...)
	token, tool := drillClient(t, srv)
	stopWatch := make(chan struct{})
	timeline := watchReplica(replicaURL[len("file://"):], stopWatch)
	acks := hammer(t, srv.base, token, tool, "crash", 2*time.Second)
	kill := time.Now()
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	close(stopWatch)
	tl := <-timeline
	restored := t.TempDir()
	mustRunEnv(t, env, bin, "restore", "--replica", replicaURL, "--dir", restored)
	integrityOK(t, restored)
	mustVerifyDir(t, bin, restored)
	have := usageIDs(t, restored, "crash")
	var missing, early int
	var oldest time.Duration
	for id, at := range acks {
		if !have[id] {
			missing++
			oldest = max(oldest, kill.Sub(at))
			if kill.Sub(at) > drillBound {
				early++
			}
		}
	}
	t.Logf("oldest missing %s before the kill", oldest)
	for _, e := range tl {
		if kill.Sub(e.at) < 3*time.Second {
			t.Logf("replica: %s appeared %s before the kill", e.name, kill.Sub(e.at).Round(time.Millisecond))
		}
	}
	t.Logf("%d acknowledged, %d restored, %d missing, %d older than %s", len(acks), len(have), missing, early, drillBound)
	if early > 0 {
		t.Errorf("%d uses acknowledged more than %s before the kill are not in the restore", early, drillBound)
	}
	if os.Getenv("TOOLBASE_DRILL_RESUME") == "" {
		return
	}
	// resume on the crashed directory, write, stop gracefully: the latest restore has it all
	srv = startServer(t, bin, dir, env...)
	token = login(t, srv.base, "client1@example.com", "client-demo-pass")
	batch := hammer(t, srv.base, token, tool, "A", time.Second)
	srv.stop(t)
	latest := t.TempDir()
	mustRunEnv(t, env, bin, "restore", "--replica", replicaURL, "--dir", latest)
	integrityOK(t, latest)
	mustVerifyDir(t, bin, latest)
	got := usageIDs(t, latest, "A")
	for id := range batch {
		if !got[id] {
			t.Errorf("after resuming: acknowledged use %s is not in the replica", id)
		}
	}
}

type seen struct {
	name string
	at   time.Time
}

// watchReplica polls a file replica's level-0 directory and reports when each
// LTX file appeared.
func watchReplica(root string, stop chan struct{}) chan []seen {
	out := make(chan []seen, 1)
	go func() {
		known := map[string]bool{}
		var tl []seen
		for {
			select {
			case <-stop:
				out <- tl
				return
			case <-time.After(20 * time.Millisecond):
			}
			entries, _ := os.ReadDir(filepath.Join(root, "ltx", "0"))
			for _, e := range entries {
				if !known[e.Name()] {
					known[e.Name()] = true
					tl = append(tl, seen{e.Name(), time.Now()})
				}
			}
		}
	}()
	return out
}
