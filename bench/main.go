// Command bench measures toolbase under load: it starts the real binary on a
// temporary data directory on 127.0.0.1, seeds it through the HTTP API, drives
// each scenario with concurrent keep-alive connections, and prints a table of
// throughput, latency, errors and the server's peak memory, with each
// scenario's ratio to PocketBase's own ceiling (a one-field record create).
//
// It then drives POST use open loop (vegeta: uses arriving at a fixed rate,
// whatever the answers, so that queueing shows), searches the highest rate
// whose p99 stays under 50 ms, runs POST use on a server replicating and on
// one with TOOLBASE_DURABLE_COMMITS=1, and prints issue 17's targets, PASS or
// FAIL each. -baseline another binary measures it first, in the same sitting,
// and prints before and after.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	bin := flag.String("bin", "./toolbase", "the toolbase binary")
	duration := flag.Duration("duration", 10*time.Second, "measured time per scenario")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured time before each scenario")
	conns := flag.Int("conns", 16, "concurrent connections")
	clients := flag.Int("clients", 50, "client accounts sending requests")
	only := flag.String("only", "", "comma-separated scenario names to run (default all)")
	flag.BoolVar(&replication, "replication", true, "also run POST use on a server replicating to a file:// replica (TOOLBASE_REPLICA_URL)")
	flag.BoolVar(&durable, "durable", true, "also run POST use on a server with TOOLBASE_DURABLE_COMMITS=1 (synchronous=FULL)")
	flag.BoolVar(&loggedUses, "logged", true, "also run POST use on a server with TOOLBASE_LOG_USES=1 (every use in the request log)")
	flag.BoolVar(&openLoop, "openloop", true, "also drive POST use open loop (vegeta: a fixed arrival rate) and search the highest rate with p99 < 50 ms")
	flag.DurationVar(&openDuration, "openduration", 20*time.Second, "duration of the open-loop run at -openrate")
	flag.IntVar(&openRate, "openrate", 1000, "uses per second of the open-loop run")
	baseline := flag.String("baseline", "", "another toolbase binary (e.g. main's) to measure first, in the same sitting: prints before and after")
	flag.Parse()

	cfg := runConfig{duration: *duration, warmup: *warmup, conns: *conns, clients: *clients, only: *only}
	var before *suite
	if *baseline != "" {
		fmt.Fprintf(os.Stderr, "== before: %s\n", *baseline)
		b, err := run(*baseline, cfg)
		if err != nil {
			log.Fatal(err)
		}
		before = &b
		report(os.Stdout, "before: "+*baseline, b, cfg)
		fmt.Fprintf(os.Stderr, "== after: %s\n", *bin)
	}
	after, err := run(*bin, cfg)
	if err != nil {
		log.Fatal(err)
	}
	report(os.Stdout, *bin, after, cfg)
	if before != nil {
		compare(os.Stdout, *before, after)
	}
	targets(os.Stdout, after)
}

// runConfig is the closed-loop load of every scenario.
type runConfig struct {
	duration, warmup time.Duration
	conns, clients   int
	only             string
}

// suite is everything one binary measured.
type suite struct {
	results []result
	// ceiling is the mean rate of the ceiling's runs (before the other
	// scenarios, and again right before the uses)
	ceiling float64
	open    *openResult  // -openrate for -openduration
	search  []openResult // the rates tried for p99 < 50 ms, in order
	best    *openResult  // the highest of them under 50 ms
}

// durable, loggedUses, openLoop: the extra runs (see the flags).
var (
	durable, loggedUses, openLoop bool
	openDuration                  time.Duration
	openRate                      int
)

// scenario is one kind of request, sent round-robin by every client.
type scenario struct {
	name    string
	ceiling bool // PocketBase's own create: the reference the ratios divide by
	request func(s *server, client int) (*http.Request, error)
	// ok tells a successful answer; default: any 2xx
	ok func(status int) bool
	// stats scenarios need the usage history of seedStats
	stats bool
}

// statsRows is the usage history the stats scenarios aggregate.
const statsRows = 100_000

func run(bin string, cfg runConfig) (suite, error) {
	duration, warmup, conns, clients, only := cfg.duration, cfg.warmup, cfg.conns, cfg.clients, cfg.only
	var out suite
	s, err := start(bin)
	if err != nil {
		return out, err
	}
	defer s.stop()
	if err := s.seed(clients); err != nil {
		return out, fmt.Errorf("seeding: %w", err)
	}

	ceiling := scenario{name: "create record (PocketBase ceiling)", ceiling: true, request: func(s *server, i int) (*http.Request, error) {
		return s.req(http.MethodPost, "/api/collections/bench_items/records", s.clients[i], `{"n":1}`)
	}}
	again := ceiling
	again.name = "create record (ceiling, again before the uses)"
	scenarios := []scenario{
		ceiling,
		// statistics over the 100,000 usage rows of seedStats (the last 30 days by
		// default), measured before POST use adds its own rows dated today
		{name: "GET tool stats (creator)", stats: true, request: func(s *server, i int) (*http.Request, error) {
			return s.req(http.MethodGet, "/api/tools/tools/"+s.statsTools[0]+"/stats/", s.creator, "")
		}},
		{name: "GET usage stats (client)", stats: true, request: func(s *server, i int) (*http.Request, error) {
			return s.req(http.MethodGet, "/api/tools/usage/stats/", s.clients[i], "")
		}},
		{name: "GET usage stats (creator)", stats: true, request: func(s *server, i int) (*http.Request, error) {
			return s.req(http.MethodGet, "/api/tools/usage/stats/", s.creator, "")
		}},
		{name: "GET usage stats (admin)", stats: true, request: func(s *server, i int) (*http.Request, error) {
			return s.req(http.MethodGet, "/api/tools/usage/stats/", s.admin2, "")
		}},
		{name: "GET usage stats (admin, 1 year by week)", stats: true, request: func(s *server, i int) (*http.Request, error) {
			to := time.Now().UTC()
			return s.req(http.MethodGet, "/api/tools/usage/stats/?interval=week&from="+to.AddDate(-1, 0, 1).Format("2006-01-02")+"&to="+to.Format("2006-01-02"), s.admin2, "")
		}},
		again,
		useScenario,
		{name: "use with API key", request: func(s *server, i int) (*http.Request, error) {
			return s.req(http.MethodPost, "/api/tools/tools/"+s.tool+"/use/", "Api-Key "+s.keys[i], `{"input_data":{"text":"bench"}}`)
		}},
		{name: "use with a remote tool", request: func(s *server, i int) (*http.Request, error) {
			return s.req(http.MethodPost, "/api/tools/tools/"+s.remoteTool+"/use/", s.clients[i], `{"input_data":{"text":"bench"}}`)
		}},
		{name: "GET tool list", request: func(s *server, i int) (*http.Request, error) {
			return s.req(http.MethodGet, "/api/tools/tools/", s.clients[i], "")
		}},
	}
	if only != "" {
		want := strings.Split(only, ",")
		scenarios = slices.DeleteFunc(scenarios, func(sc scenario) bool {
			return !sc.ceiling && !slices.ContainsFunc(want, func(w string) bool { return strings.Contains(sc.name, w) })
		})
	}

	if slices.ContainsFunc(scenarios, func(sc scenario) bool { return sc.stats }) {
		if err := s.seedStats(bin, statsRows); err != nil {
			return out, fmt.Errorf("seeding the stats scenarios: %w", err)
		}
	}

	var ceilings []float64
	for _, sc := range scenarios {
		fmt.Fprintf(os.Stderr, "%s  %s…\n", time.Now().Format("15:04:05"), sc.name)
		load(s, sc, warmup, conns)
		r := load(s, sc, duration, conns)
		out.results = append(out.results, r)
		if sc.ceiling {
			ceilings = append(ceilings, r.perSecond())
		}
	}
	for _, c := range ceilings {
		out.ceiling += c / float64(len(ceilings))
	}
	hasUse := slices.ContainsFunc(scenarios, func(sc scenario) bool { return sc.name == useScenario.name })
	if hasUse && openLoop {
		fmt.Fprintf(os.Stderr, "%s  POST use, open loop at %d/s for %s…\n", time.Now().Format("15:04:05"), openRate, openDuration)
		attack(s, openRate, 2*time.Second) // warm-up
		r := attack(s, openRate, openDuration)
		out.open = &r
		// the highest rate with p99 < 50 ms: up by a quarter while it holds,
		// then once halfway back from the first rate that did not
		rate, lastOK, firstBad := 500, 0, 0
		for range 12 {
			fmt.Fprintf(os.Stderr, "%s  POST use, open loop at %d/s for 5s…\n", time.Now().Format("15:04:05"), rate)
			attack(s, rate, time.Second)
			r := attack(s, rate, 5*time.Second)
			out.search = append(out.search, r)
			if r.ok(50 * time.Millisecond) {
				lastOK = rate
				b := r
				out.best = &b
			} else if firstBad == 0 || rate < firstBad {
				firstBad = rate
			}
			switch {
			case lastOK == 0 && firstBad > 0:
				rate = rate / 2 // not even the first rate: lower
			case firstBad == 0:
				rate = rate * 5 / 4
			case lastOK > 0 && firstBad-lastOK > lastOK/10:
				rate = (lastOK + firstBad) / 2
			default:
				rate = 0
			}
			if rate == 0 || rate < 100 {
				break
			}
		}
	}
	if hasUse && replication {
		replica, err := os.MkdirTemp("", "toolbase_bench_replica_*")
		if err != nil {
			return out, err
		}
		defer os.RemoveAll(replica)
		if err := out.variant(bin, replicatedName, cfg, "TOOLBASE_REPLICA_URL=file://"+replica); err != nil {
			return out, err
		}
	}
	if hasUse && durable {
		if err := out.variant(bin, durableName, cfg, "TOOLBASE_DURABLE_COMMITS=1"); err != nil {
			return out, err
		}
	}
	if hasUse && loggedUses {
		if err := out.variant(bin, loggedName, cfg, "TOOLBASE_LOG_USES=1"); err != nil {
			return out, err
		}
	}
	return out, nil
}

// useScenario is POST use by a bearer token: the scenario the targets are about.
var useScenario = scenario{name: "POST use", request: func(s *server, i int) (*http.Request, error) {
	return s.req(http.MethodPost, "/api/tools/tools/"+s.tool+"/use/", s.clients[i], `{"input_data":{"text":"bench"}}`)
}}

// replication: run POST use again on a server replicating (issue 15).
var replication bool

// The variants of POST use, each on a server of its own, seeded alike.
const (
	replicatedName = "POST use, replicating (file://, 1 s)"
	durableName    = "POST use, durable (TOOLBASE_DURABLE_COMMITS=1)"
	loggedName     = "POST use, request-logged (TOOLBASE_LOG_USES=1)"
)

// isVariant reports whether a result is one of the variants' (their servers
// are fresh, so their RSS is not the main server's).
func isVariant(name string) bool {
	return name == replicatedName || name == durableName || name == loggedName
}

// variant runs the use scenario as name on a second server, started with env
// and seeded alike, and adds its result.
func (out *suite) variant(bin, name string, cfg runConfig, env ...string) error {
	s, err := start(bin, env...)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer s.stop()
	if err := s.seed(cfg.clients); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return fmt.Errorf("%s: seeding: %w\nserver log:\n%s", name, err, log)
	}
	use := useScenario
	use.name = name
	fmt.Fprintf(os.Stderr, "%s  %s…\n", time.Now().Format("15:04:05"), use.name)
	load(s, use, cfg.warmup, cfg.conns)
	out.results = append(out.results, load(s, use, cfg.duration, cfg.conns))
	return nil
}

type result struct {
	scenario
	requests, errors int64
	elapsed          time.Duration
	latencies        []time.Duration
	peakRSS          int64 // bytes
	firstError       string
}

func (r result) perSecond() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r result) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(q*float64(len(r.latencies))))]
}

// load drives sc with conns workers for d and measures it.
func load(s *server, sc scenario, d time.Duration, conns int) result {
	res := result{scenario: sc}
	var mu sync.Mutex
	var next atomic.Int64
	deadline := time.Now().Add(d)
	stopRSS := s.watchRSS(&res.peakRSS)
	started := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			var errs int64
			var firstErr string
			for time.Now().Before(deadline) {
				client := int(next.Add(1)) % len(s.clients)
				req, err := sc.request(s, client)
				if err != nil {
					log.Fatal(err)
				}
				t0 := time.Now()
				status, body, err := s.do(req)
				local = append(local, time.Since(t0))
				good := err == nil && status/100 == 2
				if sc.ok != nil {
					good = err == nil && sc.ok(status)
				}
				if !good {
					errs++
					if firstErr == "" {
						firstErr = fmt.Sprintf("%d %s %v", status, body, err)
					}
				}
			}
			mu.Lock()
			res.latencies = append(res.latencies, local...)
			res.errors += errs
			if res.firstError == "" {
				res.firstError = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(started)
	stopRSS()
	res.requests = int64(len(res.latencies))
	slices.Sort(res.latencies)
	return res
}

func report(w io.Writer, title string, st suite, cfg runConfig) {
	fmt.Fprintf(w, "\ntoolbase bench (%s): %d connections, %d clients, %s per scenario, server and load generator on one machine (127.0.0.1)\n\n",
		title, cfg.conns, cfg.clients, cfg.duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\treq/s\tp50 ms\tp99 ms\terrors\tpeak RSS MB\t÷ ceiling\t")
	for _, r := range st.results {
		ratio := "-"
		if st.ceiling > 0 {
			ratio = fmt.Sprintf("%.2f", r.perSecond()/st.ceiling)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%d\t%.1f\t%s\t\n", r.name, r.perSecond(),
			ms(r.quantile(0.50)), ms(r.quantile(0.99)), r.errors, float64(r.peakRSS)/(1<<20), ratio)
	}
	tw.Flush()
	fmt.Fprintf(w, "(÷ ceiling divides by the mean of the ceiling's runs, %.0f/s)\n", st.ceiling)
	if use, ok := st.find("POST use"); ok {
		if r, ok := st.find(replicatedName); ok {
			fmt.Fprintf(w, "replication's cost on POST use: %.2f × the throughput without it\n", r.perSecond()/use.perSecond())
		}
	}
	if st.open != nil {
		fmt.Fprintf(w, "\nPOST use, open loop (vegeta, requests sent at a fixed rate whatever the answers):\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "rate /s\tduration\tanswered /s\tp50 ms\tp99 ms\tmax ms\terrors\t")
		for _, r := range append([]openResult{*st.open}, st.search...) {
			fmt.Fprintf(tw, "%d\t%s\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t\n", r.rate, r.duration, r.throughput(), ms(r.quantile(0.5)), ms(r.quantile(0.99)), ms(r.quantile(1)), r.errors)
		}
		tw.Flush()
	}
	for _, r := range st.results {
		if r.firstError != "" {
			fmt.Fprintf(w, "\nfirst error of %q: %s\n", r.name, r.firstError)
		}
	}
	if st.open != nil && st.open.firstError != "" {
		fmt.Fprintf(w, "\nfirst error of the open loop: %s\n", st.open.firstError)
	}
}

func (st suite) find(name string) (result, bool) {
	for _, r := range st.results {
		if r.name == name {
			return r, true
		}
	}
	return result{}, false
}

// compare prints each scenario's figures before and after, measured in one
// sitting (a baseline binary, then this one).
func compare(w io.Writer, before, after suite) {
	fmt.Fprintf(w, "\nbefore → after (same machine, back to back; the closed-loop figures vary ±15 %% between runs):\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tbefore req/s\tafter req/s\tafter ÷ before\tbefore p99 ms\tafter p99 ms\tbefore ÷ ceiling\tafter ÷ ceiling\t")
	for _, a := range after.results {
		b, ok := before.find(a.name)
		if !ok {
			fmt.Fprintf(tw, "%s\t-\t%.0f\t-\t-\t%.2f\t-\t%.2f\t\n", a.name, a.perSecond(), ms(a.quantile(0.99)), a.perSecond()/after.ceiling)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", a.name, b.perSecond(), a.perSecond(), a.perSecond()/b.perSecond(),
			ms(b.quantile(0.99)), ms(a.quantile(0.99)), b.perSecond()/before.ceiling, a.perSecond()/after.ceiling)
	}
	tw.Flush()
	if before.open != nil && after.open != nil {
		fmt.Fprintf(w, "open loop at %d/s: p99 %.2f → %.2f ms, errors %d → %d\n", after.open.rate,
			ms(before.open.quantile(0.99)), ms(after.open.quantile(0.99)), before.open.errors, after.open.errors)
	}
	if before.best != nil || after.best != nil {
		fmt.Fprintf(w, "highest open-loop rate with p99 < 50 ms: %s → %s\n", before.best.rateText(), after.best.rateText())
	}
}

// targets prints issue 17's targets with their figures, PASS or FAIL each,
// and reports whether all that were measured passed.
func targets(w io.Writer, st suite) bool {
	all := true
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "\ntargets (issue 17):\n\n")
	line := func(target, got string, pass bool) {
		verdict := "PASS"
		if !pass {
			verdict, all = "FAIL", false
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", target, got, verdict)
	}
	use, hasUse := st.find("POST use")
	if hasUse && st.ceiling > 0 {
		r := use.perSecond() / st.ceiling
		line("POST use ≥ 1.00 × the PocketBase create ceiling", fmt.Sprintf("%.2f × (%.0f/s ÷ %.0f/s)", r, use.perSecond(), st.ceiling), r >= 1)
	}
	if key, ok := st.find("use with API key"); ok && st.ceiling > 0 {
		r := key.perSecond() / st.ceiling
		line("use with API key ≥ 1.00 × the ceiling", fmt.Sprintf("%.2f × (%.0f/s)", r, key.perSecond()), r >= 1)
	}
	if hasUse {
		p99 := ms(use.quantile(0.99))
		line("POST use p99 ≤ 25 ms at 16 connections", fmt.Sprintf("%.2f ms", p99), p99 <= 25)
	}
	var peak int64
	for _, r := range st.results {
		if !isVariant(r.name) {
			peak = max(peak, r.peakRSS)
		}
	}
	if st.open != nil {
		peak = max(peak, st.open.peakRSS)
	}
	line("peak RSS < 150 MB", fmt.Sprintf("%.1f MB", float64(peak)/(1<<20)), peak < 150<<20)
	if st.open != nil {
		p99 := ms(st.open.quantile(0.99))
		line(fmt.Sprintf("open loop %d uses/s for %s: p99 ≤ 30 ms, no errors", st.open.rate, st.open.duration),
			fmt.Sprintf("p99 %.2f ms, %d errors, %.0f answered/s", p99, st.open.errors, st.open.throughput()), p99 <= 30 && st.open.errors == 0)
		fmt.Fprintf(tw, "  highest open-loop rate with p99 < 50 ms\t%s\t(reported)\n", st.best.rateText())
	}
	if l, ok := st.find(loggedName); ok && st.ceiling > 0 {
		fmt.Fprintf(tw, "  POST use with every use request-logged ÷ the ceiling\t%.2f × (%.0f/s)\t(reported)\n", l.perSecond()/st.ceiling, l.perSecond())
	}
	if d, ok := st.find(durableName); ok && hasUse {
		r := d.perSecond() / use.perSecond()
		line("POST use durable (synchronous=FULL) ≥ 0.80 × default", fmt.Sprintf("%.2f × (%.0f/s)", r, d.perSecond()), r >= 0.8)
	}
	tw.Flush()
	if all {
		fmt.Fprintln(w, "\nevery target measured passed")
	} else {
		fmt.Fprintln(w, "\nnot every target passed (figures on a shared machine vary: see the spread across runs)")
	}
	return all
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// server is a running toolbase with the seeded accounts.
type server struct {
	cmd     *exec.Cmd
	dir     string
	base    string
	http    *http.Client
	admin   string   // superuser token
	clients []string // "Bearer <token>" of each client
	keys    []string // an API key of each client
	tool    string
	// remoteTool calls echo, a tool endpoint on 127.0.0.1 in this process
	remoteTool string
	echo       *httptest.Server

	clientIDs  []string
	creatorID  string
	creator    string   // "Bearer <token>" of the tools' creator
	admin2     string   // "Bearer <token>" of a user with the ADMIN role
	statsTools []string // the creator's tools used by seedStats, most used first
}

func start(bin string, env ...string) (*server, error) {
	dir, err := os.MkdirTemp("", "toolbase_bench_*")
	if err != nil {
		return nil, err
	}
	if out, err := exec.Command(bin, "superuser", "upsert", "bench@example.com", "bench-superuser-pass", "--dir", dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("superuser upsert: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s := &server{
		dir:  dir,
		base: "http://" + addr,
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxIdleConns: 256}},
	}
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "serve", "--http", addr, "--dir", dir)
	s.cmd.Env = append(os.Environ(), "TOOLBASE_PPROF_ADDR="+os.Getenv("BENCH_PPROF_ADDR"),
		// the remote-tool scenario's endpoint is a local echo server
		"TOOLBASE_ALLOW_PRIVATE_ENDPOINTS=1", "TOOLBASE_ALLOW_HTTP_ENDPOINTS=1")
	s.cmd.Env = append(s.cmd.Env, env...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := s.http.Get(s.base + "/api/health"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("server did not become healthy in 30s (log: %s)", logFile.Name())
}

func (s *server) stop() {
	if s.echo != nil {
		s.echo.Close()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
		}
	}
	os.RemoveAll(s.dir)
}

// watchRSS samples the server's resident memory until the returned func is
// called, keeping the peak in *peak.
func (s *server) watchRSS(peak *int64) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if rss := residentBytes(s.cmd.Process.Pid); rss > *peak {
				*peak = rss
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// residentBytes reads VmRSS of a process from /proc (Linux).
func residentBytes(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func (s *server) req(method, path, auth, body string) (*http.Request, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, r)
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return req, nil
}

func (s *server) do(req *http.Request) (int, string, error) {
	res, err := s.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, string(body), err
}

// call sends a JSON request and decodes a 2xx JSON answer into out.
func (s *server) call(method, path, auth string, in, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	status, body, err := s.do(req)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, status, body)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal([]byte(body), out)
}

// seed creates, through the HTTP API as a superuser, a creator with one ACTIVE
// tool costing 1 point, clients with enough points for any run, their tokens
// and an API key each, and the bench-only collection of the ceiling scenario.
func (s *server) seed(clients int) error {
	var auth struct{ Token string }
	if err := s.call(http.MethodPost, "/api/collections/_superusers/auth-with-password", "",
		map[string]string{"identity": "bench@example.com", "password": "bench-superuser-pass"}, &auth); err != nil {
		return err
	}
	s.admin = auth.Token
	// every request comes from 127.0.0.1: rate limits (on by default) off
	if err := s.call(http.MethodPatch, "/api/settings", s.admin, map[string]any{"rateLimits": map[string]any{"enabled": false}}, nil); err != nil {
		return err
	}
	if err := s.call(http.MethodPost, "/api/collections", s.admin, map[string]any{
		"name": "bench_items", "type": "base", "createRule": `@request.auth.id != ""`,
		"fields": []map[string]any{{"name": "n", "type": "number"}},
	}, nil); err != nil {
		return err
	}
	var creator struct{ ID string }
	if err := s.call(http.MethodPost, "/api/collections/users/records", s.admin, user("creator", "TOOL_CREATOR", 0), &creator); err != nil {
		return err
	}
	s.creatorID = creator.ID
	var tool struct{ ID string }
	if err := s.call(http.MethodPost, "/api/collections/tools/records", s.admin, map[string]any{
		"name": "Bench tool", "creator": creator.ID, "status": "ACTIVE", "points_cost": 1,
	}, &tool); err != nil {
		return err
	}
	s.tool = tool.ID
	s.echo = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var call struct {
			InputData json.RawMessage `json:"input_data"`
		}
		json.NewDecoder(r.Body).Decode(&call)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"echo":%s}`, call.InputData)
	}))
	var remote struct{ ID string }
	if err := s.call(http.MethodPost, "/api/collections/tools/records", s.admin, map[string]any{
		"name": "Bench remote tool", "creator": creator.ID, "status": "ACTIVE", "points_cost": 1, "api_endpoint": s.echo.URL,
	}, &remote); err != nil {
		return err
	}
	s.remoteTool = remote.ID
	for i := range clients {
		name := fmt.Sprintf("client%d", i)
		var client struct{ ID string }
		if err := s.call(http.MethodPost, "/api/collections/users/records", s.admin, user(name, "CLIENT", 1_000_000_000), &client); err != nil {
			return err
		}
		s.clientIDs = append(s.clientIDs, client.ID)
		var login struct{ Token string }
		if err := s.call(http.MethodPost, "/api/collections/users/auth-with-password", "",
			map[string]string{"identity": name + "@bench.example", "password": "bench-client-pass"}, &login); err != nil {
			return err
		}
		s.clients = append(s.clients, "Bearer "+login.Token)
		var key struct {
			APIKey string `json:"api_key"`
		}
		if err := s.call(http.MethodPost, "/api/tools/api-keys/", "Bearer "+login.Token, map[string]any{
			"key_name": "bench", "daily_limit": 1_000_000_000, "monthly_limit": 1_000_000_000,
		}, &key); err != nil {
			return err
		}
		s.keys = append(s.keys, key.APIKey)
	}
	return nil
}

// seedStats gives the stats scenarios a history: four more tools of the
// creator, an ADMIN user, and rows paid uses of those tools by the clients,
// spread evenly over the past year. The uses go through the hidden command
// `toolbase stats bench-seed`, which records each one with UseTool (the real
// path: guarded debit, ledger rows, counters) dated in the past, 1000 per
// transaction: through HTTP, 100,000 uses would take minutes and all be dated
// today, which is no history to aggregate.
func (s *server) seedStats(bin string, rows int) error {
	for i := range 4 {
		var tool struct{ ID string }
		if err := s.call(http.MethodPost, "/api/collections/tools/records", s.admin, map[string]any{
			"name": fmt.Sprintf("Stats tool %d", i+1), "creator": s.creatorID, "status": "ACTIVE", "points_cost": i + 1,
		}, &tool); err != nil {
			return err
		}
		s.statsTools = append(s.statsTools, tool.ID)
	}
	if err := s.call(http.MethodPost, "/api/collections/users/records", s.admin, user("admin", "ADMIN", 0), nil); err != nil {
		return err
	}
	for _, acc := range []struct {
		name string
		dst  *string
	}{{"creator", &s.creator}, {"admin", &s.admin2}} {
		var login struct{ Token string }
		if err := s.call(http.MethodPost, "/api/collections/users/auth-with-password", "",
			map[string]string{"identity": acc.name + "@bench.example", "password": "bench-client-pass"}, &login); err != nil {
			return err
		}
		*acc.dst = "Bearer " + login.Token
	}
	fmt.Fprintf(os.Stderr, "seeding %d usage rows over the past year for the stats scenarios…\n", rows)
	out, err := exec.Command(bin, "stats", "bench-seed", "--dir", s.dir, "--dev=false", "--synthetic-data-ok",
		"--tools", strings.Join(s.statsTools, ","), "--users", strings.Join(s.clientIDs, ","),
		"--rows", strconv.Itoa(rows), "--days", "365").CombinedOutput()
	if err != nil {
		return fmt.Errorf("stats bench-seed: %v: %s", err, out)
	}
	fmt.Fprint(os.Stderr, string(out))
	return nil
}

// user is the records-API body of a bench account; a superuser's balance is
// recorded as an ADJUSTMENT ledger row.
func user(name, role string, points int64) map[string]any {
	return map[string]any{
		"email": name + "@bench.example", "password": "bench-client-pass", "passwordConfirm": "bench-client-pass",
		"username": name, "role": role, "points_balance": points,
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// openResult is an open-loop run: uses sent at a fixed rate, whatever the
// answers (vegeta's attacker, which adds workers when all are waiting), so
// that queueing shows in the latencies as clients with their own schedules
// see it.
type openResult struct {
	rate       int
	duration   time.Duration
	latencies  []time.Duration // of every request, sorted
	answered   int64           // 2xx
	errors     int64
	elapsed    time.Duration
	peakRSS    int64
	firstError string
}

func (r openResult) throughput() float64 { return float64(r.answered) / r.elapsed.Seconds() }

func (r openResult) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(q*float64(len(r.latencies))))]
}

// ok reports no errors and a p99 under limit.
func (r openResult) ok(limit time.Duration) bool {
	return r.errors == 0 && len(r.latencies) > 0 && r.quantile(0.99) < limit
}

func (r *openResult) rateText() string {
	if r == nil {
		return "none of the rates tried"
	}
	return fmt.Sprintf("%d/s (p99 %.2f ms)", r.rate, ms(r.quantile(0.99)))
}

// attack sends POST use at rate per second for d, round-robin over the clients.
func attack(s *server, rate int, d time.Duration) openResult {
	var next atomic.Int64
	url := s.base + "/api/tools/tools/" + s.tool + "/use/"
	body := []byte(`{"input_data":{"text":"bench"}}`)
	targeter := func(t *vegeta.Target) error {
		i := int(next.Add(1)) % len(s.clients)
		t.Method, t.URL, t.Body = http.MethodPost, url, body
		t.Header = http.Header{"Content-Type": {"application/json"}, "Authorization": {s.clients[i]}}
		return nil
	}
	atk := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true),
		vegeta.Connections(512), vegeta.Workers(64), vegeta.MaxWorkers(4096))
	res := openResult{rate: rate, duration: d}
	stopRSS := s.watchRSS(&res.peakRSS)
	started := time.Now()
	for r := range atk.Attack(vegeta.Targeter(targeter), vegeta.Rate{Freq: rate, Per: time.Second}, d, "POST use") {
		res.latencies = append(res.latencies, r.Latency)
		if r.Error == "" && r.Code/100 == 2 {
			res.answered++
			continue
		}
		res.errors++
		if res.firstError == "" {
			res.firstError = fmt.Sprintf("%d %s %s", r.Code, r.Error, r.Body)
		}
	}
	res.elapsed = time.Since(started)
	stopRSS()
	slices.Sort(res.latencies)
	return res
}
