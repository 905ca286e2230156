package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// End-to-end tests of the web app (pb_public/app/): the real binary serves a
// seeded data directory on 127.0.0.1, Debian's Chromium drives the app as a
// client and as a creator would, and an admin acts through the API. Without
// Chromium they fail, saying how to install it. On a failure each browser
// saves a screenshot and its console log (the path is in the failure).

// chromiumPath finds the browser: $TOOLBASE_CHROMIUM, or chromium on $PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TOOLBASE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("the web app's browser tests need Chromium, which is not installed: run `apt-get install -y chromium` " +
		"(Debian's package; .ci/run does it), or set TOOLBASE_CHROMIUM to a Chromium binary")
	return ""
}

// webServer is a toolbase server for the browser tests.
type webServer struct {
	base, dir string
	bin       string
	output    *syncBuffer
}

// startWebServer seeds the demo data into a fresh data directory and serves
// it. Statistics are computed on every request (no 5 s cache) and payouts
// start at 1 point, so the tests see what they just did.
func startWebServer(t *testing.T) *webServer {
	t.Helper()
	bin := toolbaseBinary(t)
	dir := t.TempDir()
	if out, code := run(t, bin, "superuser", "upsert", "root@test.example", "superuser-pass-1", "--dir", dir); code != 0 {
		t.Fatalf("superuser upsert: exit %d\n%s", code, out)
	}
	if out, code := run(t, bin, "seed", "--demo", "--dir", dir); code != 0 {
		t.Fatalf("seed --demo: exit %d\n%s", code, out)
	}
	// statistics computed on every request, payouts from 1 point
	srv := startServer(t, bin, dir, "TOOLBASE_STATS_CACHE_SECONDS=0", "TOOLBASE_MIN_PAYOUT=1")
	return &webServer{base: srv.base, dir: dir, bin: bin, output: srv.output}
}

// api calls the server's API with a bearer token and decodes the answer into out.
func (s *webServer) api(t *testing.T, method, path, token string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, res.StatusCode, raw, err)
		}
	}
	return res.StatusCode
}

func (s *webServer) token(t *testing.T, email, password string) string {
	t.Helper()
	var tok struct{ Access string }
	if status := s.api(t, http.MethodPost, "/api/token/", "", map[string]string{"email": email, "password": password}, &tok); status != 200 {
		t.Fatalf("token for %s: %d", email, status)
	}
	return tok.Access
}

// browser is one Chromium process for a test; sessions are isolated browser
// contexts in it (their own storage, like separate people).
type browser struct {
	ctx context.Context
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 800),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting Chromium (%s): %v", path, err)
	}
	return &browser{ctx: ctx}
}

// session is one person's browser context and tab, with its console log.
type session struct {
	t       *testing.T
	name    string
	ctx     context.Context
	base    string
	mu      sync.Mutex
	console []string
}

func (b *browser) session(t *testing.T, name, base string, width, height int64) *session {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	s := &session{t: t, name: name, ctx: ctx, base: base}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			s.mu.Lock()
			s.console = append(s.console, fmt.Sprintf("%s %s %s:%d %s", m.Time.Format("15:04:05.000"), m.Type, m.URL, m.Line+1, m.Text))
			s.mu.Unlock()
		}
	}()
	return s
}

// artifacts is where failing sessions leave their screenshot and console log.
func artifacts(t *testing.T) string {
	dir := os.Getenv("TOOLBASE_WEBTEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "toolbase-webtest")
	}
	dir = filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	os.MkdirAll(dir, 0o755)
	return dir
}

// fail saves the session's screenshot and console log, then fails the test.
func (s *session) fail(step string, err error) {
	s.t.Helper()
	dir := artifacts(s.t)
	base := filepath.Join(dir, s.name+"-"+strings.NewReplacer(" ", "_", "/", "_").Replace(step))
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	if shot, serr := chromedp.Run(ctx, chromedp.FullScreenshot(90)); serr == nil {
		os.WriteFile(base+".jpg", shot, 0o644)
	}
	url, _ := chromedp.Run(ctx, chromedp.Location())
	s.mu.Lock()
	log := strings.Join(s.console, "\n")
	s.mu.Unlock()
	os.WriteFile(base+".console.log", []byte(log), 0o644)
	s.t.Fatalf("%s: %s: %v\n  at %s\n  screenshot and console log: %s.{jpg,console.log}\n  console:\n%s", s.name, step, err, url, base, log)
}

// do runs a step's actions within a bounded time.
func (s *session) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		s.fail(step, err)
	}
}

// eval evaluates a JavaScript expression and returns its value.
func eval[T any](s *session, step, expr string) T {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		s.fail(step, err)
	}
	return v
}

// until waits (at most 10 s) for a JavaScript condition to hold.
func (s *session) until(step, cond string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(25*time.Millisecond))); err != nil {
		s.fail(step, fmt.Errorf("waiting for %s: %w", cond, err))
	}
}

// tid selects the element with a data-testid.
func tid(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// js quotes a Go string as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// typeInto replaces an input's content by typing text into it.
func typeInto(id, text string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(tid(id)),
		setValue(id, ""),
		chromedp.SendKeys(tid(id), text),
	}
}

// setValue sets a field's value as a script would (for selects, and to clear a field).
func setValue(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const el = document.querySelector('[data-testid="` + id + `"]'); el.value = ` + js(value) + `; el.dispatchEvent(new Event('change', {bubbles: true})); })()`)
}

func steps(groups ...[]chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
	var all []chromedp.Action[chromedp.Void]
	for _, g := range groups {
		all = append(all, g...)
	}
	return all
}

func one(a ...chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] { return a }

const xssName = `Zap <img src=x onerror="window.__xss=1">`

// The scenarios, in one story: a creator makes a tool (named like an
// XSS attack), tries it as a draft and submits it; an admin approves it
// through the API; a client registers on a phone-sized screen, is granted
// points, signs in with the keyboard, finds the tool, uses it and sees its
// balance drop live, reviews it, creates an API key whose secret shows once,
// opens a ticket; the creator sees the use in its chart and revenue, live,
// and requests a payout.
func TestWebApp(t *testing.T) {
	chromiumPath(t) // fail at once without a browser
	started := time.Now()
	srv := startWebServer(t)
	br := newBrowser(t)
	admin := srv.token(t, "admin@example.com", "admin-demo-pass")
	t.Logf("server and browser ready in %s", time.Since(started).Round(time.Millisecond))

	// --- the creator, on a desktop screen: a new tool, tried, submitted
	creator := br.session(t, "creator", srv.base, 1280, 800)
	creator.do("sign in",
		chromedp.Navigate(srv.base+"/"),
		chromedp.WaitVisible(tid("login-email")),
		chromedp.SendKeys(tid("login-email"), "creator1@example.com"),
		chromedp.SendKeys(tid("login-password"), "creator-demo-pass"),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitVisible(tid("nav-creator")))
	creator.do("new tool", steps(
		one(chromedp.Click(tid("nav-creator")), chromedp.Click(tid("creator-tool-new"))),
		typeInto("tool-form-name", xssName),
		typeInto("tool-form-description", "Answers with what it was given. <script>window.__xss=2</script>"),
		typeInto("tool-form-cost", "7"),
		one(chromedp.Click(tid("tool-form-submit")), chromedp.WaitVisible(tid("tool-submit-review"))),
	)...)
	toolID := eval[string](creator, "tool id", `location.hash.split('/')[3]`)
	if len(toolID) != 15 {
		creator.fail("tool id", fmt.Errorf("no tool id in the address (%q)", toolID))
	}
	// a creator tries its own draft, free
	creator.do("try the draft", steps(
		one(chromedp.Navigate(srv.base+"/#/tools/"+toolID)),
		typeInto("tool-use-input", `{"text": "draft check"}`),
		one(chromedp.Click(tid("tool-use-submit")), chromedp.Click(tid("tool-use-confirm")), chromedp.WaitVisible(tid("tool-use-output"))),
	)...)
	if out := eval[string](creator, "draft output", `document.querySelector('[data-testid="tool-use-output"]').textContent`); !strings.Contains(out, "accepted") {
		creator.fail("draft output", fmt.Errorf("output %q", out))
	}
	creator.do("submit for review",
		chromedp.Navigate(srv.base+"/#/creator/tools/"+toolID),
		chromedp.Click(tid("tool-submit-review")))
	creator.until("pending", `document.body.textContent.includes('Waiting for review')`)

	// --- the admin approves it through the API
	if status := srv.api(t, http.MethodPatch, "/api/tools/tools/"+toolID+"/", admin, map[string]string{"status": "ACTIVE"}, nil); status != 200 {
		t.Fatalf("approve: %d", status)
	}

	// the creator watches its console (realtime brings the client's use)
	creator.do("console", chromedp.Navigate(srv.base+"/#/creator"), chromedp.WaitVisible(tid("stats-chart")))
	earnedBefore := eval[string](creator, "revenue before", `document.querySelector('[data-testid="revenue-earned"]').textContent`)
	// the creator's own try counts as a use (free)
	usesBefore := eval[string](creator, "uses before", `document.querySelector('[data-testid="stats-uses"]').textContent`)
	if usesBefore != "1" {
		creator.fail("uses before", fmt.Errorf("%s uses before the client's, want 1 (the creator's try)", usesBefore))
	}

	// an admin publishes a site page whose HTML tries to run script
	page := map[string]any{"slug": "terms", "title": "Terms of use", "published": true,
		"body": `<h1>Terms</h1><p>Be <b>kind</b>.</p><script>window.__xss=3</script><img src=x onerror="window.__xss=4"><a href="javascript:window.__xss=5">x</a>`}
	if status := srv.api(t, http.MethodPost, "/api/content/", admin, page, nil); status != 201 {
		t.Fatalf("create page: %d", status)
	}

	// --- the client, on a 360 px phone: reads the terms, asks for a password reset, registers
	client := br.session(t, "client", srv.base, 360, 740)
	client.do("site page", chromedp.Navigate(srv.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#site-pages a[href="#/pages/terms"]`)),
		chromedp.Click(chromedp.CSS(`#site-pages a[href="#/pages/terms"]`)))
	client.until("site page shown, inert", `document.querySelector('.prose') && document.querySelector('.prose').textContent.includes('Be kind.')`)
	if n := eval[int](client, "site page inert", `(window.__xss || 0) + document.querySelectorAll('.prose img, .prose script, .prose a[href^="javascript"]').length`); n != 0 {
		client.fail("site page inert", fmt.Errorf("the page's HTML was not neutralised (%d)", n))
	}
	client.do("password reset", steps(
		one(chromedp.Navigate(srv.base+"/#/reset")),
		typeInto("reset-email", "nobody@example.com"),
		one(chromedp.Click(tid("reset-submit"))),
	)...)
	client.until("reset requested", `document.body.textContent.includes('an email with a link')`)
	const email, password = "zoe@example.com", "zoe-passes-42"
	client.do("register", steps(
		one(chromedp.Navigate(srv.base+"/#/register")),
		typeInto("register-email", email),
		typeInto("register-username", "zoe"),
		typeInto("register-password", password),
		typeInto("register-password-confirm", password),
		one(chromedp.Click(tid("register-submit")), chromedp.WaitVisible(tid("points-balance"))),
	)...)
	client.until("0 points", `document.querySelector('[data-testid="points-balance"]').textContent === '0'`)
	// the page fits a 360 px screen
	if w := eval[int](client, "width", `document.documentElement.scrollWidth`); w > 360 {
		client.fail("width", fmt.Errorf("the catalog is %d px wide on a 360 px screen", w))
	}
	// an admin grants points: the header follows live, without a reload
	var me struct{ ID string }
	srv.api(t, http.MethodGet, "/api/users/users/me/", srv.token(t, email, password), nil, &me)
	if status := srv.api(t, http.MethodPost, "/api/users/users/"+me.ID+"/add_points/", admin, map[string]any{"points": 100, "reason": "welcome"}, nil); status != 200 {
		t.Fatalf("add_points: %d", status)
	}
	client.until("granted points shown live", `document.querySelector('[data-testid="points-balance"]').textContent === '100'`)

	// signs out, and in again with the keyboard only
	client.do("sign out", chromedp.Click(tid("logout")), chromedp.WaitVisible(tid("login-email")))
	client.do("sign in with the keyboard",
		chromedp.Focus(tid("login-email")),
		chromedp.KeyEvent(email),
		chromedp.KeyEvent("\t"))
	if got := eval[string](client, "focus", `document.activeElement.dataset.testid + ' ' + getComputedStyle(document.activeElement).outlineStyle`); got != "login-password solid" {
		client.fail("focus", fmt.Errorf("after Tab the focus is %q, want the password field with a visible outline", got))
	}
	client.do("sign in with the keyboard", chromedp.KeyEvent(password), chromedp.KeyEvent("\r"), chromedp.WaitVisible(tid("catalog-search")))

	// finds the tool by search: its name is text, the payload inert
	client.do("search", chromedp.SendKeys(tid("catalog-search"), "zap"))
	client.until("search result", `[...document.querySelectorAll('[data-testid="tool-card"]')].length === 1 && document.querySelector('[data-testid="tool-card"]').textContent.includes(`+js(xssName)+`)`)
	if n := eval[int](client, "xss", `(window.__xss || 0) + document.querySelectorAll('#main img').length`); n != 0 {
		client.fail("xss", fmt.Errorf("the tool's name ran as HTML (%d)", n))
	}
	// the CSP refuses inline script, even inserted by script
	if ran := eval[bool](client, "csp", `(() => { const s = document.createElement('script'); s.textContent = 'window.__inline = true'; document.body.append(s); return window.__inline === true; })()`); ran {
		client.fail("csp", fmt.Errorf("an inline script ran"))
	}

	// uses it: the balance drops in the header, live
	client.do("use", steps(
		one(chromedp.Click(tid("tool-card")), chromedp.WaitVisible(tid("tool-use-input"))),
		typeInto("tool-use-input", `not json`),
		one(chromedp.Click(tid("tool-use-submit"))),
	)...)
	client.until("input refused before sending", `document.querySelector('[aria-invalid="true"][data-testid="tool-use-input"]') !== null && document.body.textContent.includes('not valid JSON')`)
	client.do("use", steps(
		typeInto("tool-use-input", `{"text": "hello"}`),
		one(chromedp.Click(tid("tool-use-submit")), chromedp.WaitVisible(tid("tool-use-confirm"))),
	)...)
	if txt := eval[string](client, "cost shown", `document.querySelector('.confirm').textContent`); !strings.Contains(txt, "costs 7 points") {
		client.fail("cost shown", fmt.Errorf("confirmation says %q", txt))
	}
	client.do("use", chromedp.Click(tid("tool-use-confirm")), chromedp.WaitVisible(tid("tool-use-output")))
	client.until("balance drops live", `document.querySelector('[data-testid="points-balance"]').textContent === '93'`)

	// reviews it
	client.do("review", steps(
		one(chromedp.WaitVisible(tid("review-rating")), setValue("review-rating", "5")),
		typeInto("review-comment", "Fast <b>and</b> honest"),
		one(chromedp.Click(tid("review-submit"))),
	)...)
	client.until("review listed", `document.querySelector('.reviews') && document.querySelector('.reviews').textContent.includes('Fast <b>and</b> honest')`)

	// usage and ledger
	client.do("usage", chromedp.Click(tid("nav-usage")), chromedp.WaitVisible(tid("usage-row")))
	client.do("refund", steps(
		one(chromedp.Click(tid("refund-open"))),
		typeInto("refund-reason", "It answered the wrong thing."),
		one(chromedp.Click(tid("refund-submit"))),
	)...)
	client.until("refund requested", `document.querySelector('[data-testid="usage-row"]').textContent.includes('Refund requested')`)
	client.do("ledger", chromedp.Click(tid("nav-ledger")), chromedp.WaitVisible(tid("ledger-row")))
	if n := eval[int](client, "ledger rows", `document.querySelectorAll('[data-testid="ledger-row"]').length`); n != 2 {
		client.fail("ledger rows", fmt.Errorf("%d ledger rows, want 2 (the grant and the use)", n))
	}

	// an API key: the secret once, never after a reload
	client.do("api key", steps(
		one(chromedp.Click(tid("nav-keys"))),
		typeInto("apikey-name", "phone script"),
		one(chromedp.Click(tid("apikey-create")), chromedp.WaitVisible(tid("apikey-secret")), chromedp.WaitVisible(tid("apikey-row"))),
	)...)
	secret := eval[string](client, "secret", `document.querySelector('[data-testid="apikey-secret"]').textContent`)
	if !strings.HasPrefix(secret, "tk_") || len(secret) != 46 {
		client.fail("secret", fmt.Errorf("secret %q", secret))
	}
	client.do("reload", chromedp.Reload(), chromedp.WaitVisible(tid("apikey-row")))
	if shown := eval[bool](client, "secret gone", `document.querySelector('[data-testid="apikey-secret"]') !== null || document.documentElement.outerHTML.includes(`+js(secret)+`) || JSON.stringify(localStorage).includes(`+js(secret)+`)`); shown {
		client.fail("secret gone", fmt.Errorf("the secret is still in the page or its storage after a reload"))
	}

	// a ticket
	client.do("ticket", steps(
		one(chromedp.Click(tid("nav-support"))),
		typeInto("ticket-subject", "Where do points come from?"),
		typeInto("ticket-message", "I would like more points."),
		one(chromedp.Click(tid("ticket-submit"))),
	)...)
	client.until("ticket thread", `location.hash.startsWith('#/support/') && document.body.textContent.includes('I would like more points.')`)

	// --- the creator sees the use in its chart and revenue (live), and asks for a payout
	creator.until("the use in the stats", `document.querySelector('[data-testid="stats-uses"]').textContent === '2'`)
	creator.until("the use in the chart", `[...document.querySelectorAll('.chart-box table tbody tr')].at(-1).cells[1].textContent === '2'`)
	var earned int
	fmt.Sscan(earnedBefore, &earned)
	creator.until("the earning in the revenue", `document.querySelector('[data-testid="revenue-earned"]').textContent === '`+fmt.Sprint(earned+6)+`'`)
	creator.do("payout too large", steps(
		typeInto("payout-amount", "100000"),
		one(chromedp.Click(tid("payout-submit"))),
	)...)
	creator.until("error next to the amount", `document.querySelector('[data-error-for="amount"]').textContent.length > 0`)
	creator.do("payout", steps(
		typeInto("payout-amount", "5"),
		one(chromedp.Click(tid("payout-submit")), chromedp.WaitVisible(tid("payout-row"))),
	)...)
	creator.until("payout requested", `document.querySelector('[data-testid="payout-row"]').textContent.includes('REQUESTED')`)
	creator.do("pause", chromedp.Navigate(srv.base+"/#/creator/tools/"+toolID), chromedp.Click(tid("tool-pause")), chromedp.WaitVisible(tid("tool-resume")))

	// no page threw, and the CSP refused nothing but the test's own inline
	// script and the site page's onerror (Chromium reports the handler of an
	// image in the inert DOMParser document that site.js reads the page's HTML
	// into; scripting is off there, so it would not run even without the CSP)
	expected := func(line string) bool {
		return strings.Contains(line, "inline script") || strings.Contains(line, "/app/pages/site.js") && strings.Contains(line, "inline event handler")
	}
	for _, s := range []*session{creator, client} {
		s.mu.Lock()
		lines := append([]string(nil), s.console...)
		s.mu.Unlock()
		for _, line := range lines {
			if strings.Contains(line, " exception ") {
				s.fail("console", fmt.Errorf("uncaught exception: %s", line))
			}
			if strings.Contains(line, "Content Security Policy") && !(s == client && expected(line)) {
				s.fail("console", fmt.Errorf("CSP violation: %s", line))
			}
		}
	}
	t.Logf("the scenarios took %s", time.Since(started).Round(time.Millisecond))
}

// The first load of the catalog, with an empty browser cache: under 250 KB
// gzipped (HTML, JS, CSS, vendored libraries) and interactive (cards shown,
// search wired) in under a second.
func TestWebAppFirstLoad(t *testing.T) {
	chromiumPath(t)
	srv := startWebServer(t)
	br := newBrowser(t)
	s := br.session(t, "client1", srv.base, 1280, 800)
	s.signIn("client1@example.com", "client-demo-pass")
	if _, err := chromedp.Call(s.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(s.ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	// the best of three cold loads: the suite's other tests share the 2 cores,
	// and one load can be preempted by them
	best := math.Inf(1)
	for range 3 {
		wall := time.Now()
		s.do("first load", chromedp.Navigate("about:blank"), chromedp.Navigate(srv.base+"/#/catalog"), chromedp.WaitVisible(tid("tool-card")))
		s.until("interactive", `performance.getEntriesByName('catalog-interactive').length > 0`)
		ms := eval[float64](s, "timing", `performance.getEntriesByName('catalog-interactive')[0].startTime`)
		t.Logf("catalog interactive %.0f ms after navigation start (wall clock to the cards: %s)", ms, time.Since(wall).Round(time.Millisecond))
		best = min(best, ms)
	}
	if best >= 1000 {
		t.Errorf("catalog interactive after %.0f ms at best of three, want under 1000", best)
	}

	// the app's own files loaded (API calls excluded), gzipped as a server would send them
	urls := eval[[]string](s, "resources", `[location.href.split('#')[0], ...performance.getEntriesByType('resource').map(e => e.name).filter(u => !u.includes('/api/'))]`)
	var raw, zipped int
	for _, u := range urls {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		raw += len(body)
		zipped += buf.Len()
	}
	t.Logf("first load: %d files, %.1f KB, %.1f KB gzipped", len(urls), float64(raw)/1024, float64(zipped)/1024)
	if zipped >= 250*1024 {
		t.Errorf("first load is %.1f KB gzipped, want under 250 KB:\n%s", float64(zipped)/1024, strings.Join(urls, "\n"))
	}
	for _, want := range []string{"/app/main.js", "/vendor/pocketbase/pocketbase.es.mjs", "/app/app.css"} {
		found := false
		for _, u := range urls {
			found = found || strings.HasSuffix(u, want)
		}
		if !found {
			t.Errorf("%s not among the loaded files:\n%s", want, strings.Join(urls, "\n"))
		}
	}
}

// TestWebAppScreenshots refreshes docs/screenshots/ (`make screenshots`): each
// page of the app at phone (360 px) and desktop (1280 px) width, over the demo
// data plus a few uses, a review, a key, a ticket and a payout request. It runs
// only when TOOLBASE_SCREENSHOTS names the output directory.
func TestWebAppScreenshots(t *testing.T) {
	out := os.Getenv("TOOLBASE_SCREENSHOTS")
	if out == "" {
		t.Skip("writes docs/screenshots/ only when TOOLBASE_SCREENSHOTS is set: run `make screenshots`")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	chromiumPath(t)
	srv := startWebServer(t)
	client := srv.token(t, "client1@example.com", "client-demo-pass")
	creator := srv.token(t, "creator1@example.com", "creator-demo-pass")
	var tools []struct{ ID, Name string }
	srv.api(t, http.MethodGet, "/api/tools/tools/search/", client, nil, &tools)
	summarizer := "" // the tool whose page is shown (a built-in)
	for i, tool := range tools {
		for j := 0; j <= i%3; j++ {
			srv.api(t, http.MethodPost, "/api/tools/tools/"+tool.ID+"/use/", client, map[string]any{"input_data": map[string]string{"text": "hello"}}, nil)
		}
		if tool.Name == "Word Counter" {
			summarizer = tool.ID
		}
	}
	srv.api(t, http.MethodPost, "/api/tools/tools/"+summarizer+"/submit_feedback/", client, map[string]any{"rating": 4, "comment": "Short and to the point."}, nil)
	srv.api(t, http.MethodPost, "/api/tools/api-keys/", client, map[string]any{"key_name": "nightly batch"}, nil)
	var ticket struct{ ID string }
	srv.api(t, http.MethodPost, "/api/support/tickets/", client, map[string]any{"subject": "More points", "message": "How do I get more points?"}, &ticket)
	srv.api(t, http.MethodPost, "/api/payouts/", creator, map[string]any{"amount": 3}, nil)
	// for the admin console: a tool to review, a refund request, an answered
	// ticket with an internal note, a published page, a grant (audited)
	admin := srv.token(t, "admin@example.com", "admin-demo-pass")
	srv.api(t, http.MethodPost, "/api/tools/tools/", creator, map[string]any{"name": "Haiku Checker", "description": "Counts the syllables of a haiku, line by line.",
		"points_cost": 4, "category": "CREATIVE", "status": "PENDING", "api_documentation": "https://example.com/haiku"}, nil)
	var used []struct{ ID string }
	srv.api(t, http.MethodGet, "/api/tools/usage/my_usage/", client, nil, &used)
	srv.api(t, http.MethodPost, "/api/refunds/", client, map[string]any{"usage": used[0].ID, "reason": "The answer was not what I expected."}, nil)
	srv.api(t, http.MethodPost, "/api/support/tickets/"+ticket.ID+"/messages/", admin, map[string]any{"body": "Checked: client1 has 1000 points from the demo seed.", "internal": true}, nil)
	srv.api(t, http.MethodPost, "/api/support/tickets/"+ticket.ID+"/messages/", admin, map[string]any{"body": "An admin grants points; ask here and we will look at it."}, nil)
	srv.api(t, http.MethodPost, "/api/content/", admin, map[string]any{"slug": "about", "title": "About toolbase", "published": true,
		"body": "<h2>A marketplace of paid tools</h2><p>Clients spend <strong>prepaid points</strong> on tools; creators publish them and are paid from their use.</p><ul><li>Fair prices</li><li>Honest ledgers</li></ul>"}, nil)
	var client1 struct{ ID string }
	srv.api(t, http.MethodGet, "/api/users/users/me/", client, nil, &client1)
	srv.api(t, http.MethodPost, "/api/users/users/"+client1.ID+"/add_points/", admin, map[string]any{"points": 50, "reason": "beta tester"}, nil)

	br := newBrowser(t)
	shots := []struct {
		name, who, path, wait string
	}{
		{"signin", "", "/#/signin", "login-email"},
		{"register", "", "/#/register", "register-email"},
		{"catalog", "client", "/#/catalog", "tool-card"},
		{"tool", "client", "/#/tools/" + summarizer, "review-submit"},
		{"usage", "client", "/#/usage", "usage-row"},
		{"ledger", "client", "/#/ledger", "ledger-row"},
		{"keys", "client", "/#/keys", "apikey-row"},
		{"support", "client", "/#/support/" + ticket.ID, "ticket-reply"},
		{"creator", "creator", "/#/creator", "stats-chart"},
		{"creator-tool", "creator", "/#/creator/tools/" + summarizer, "stats-chart"},
		{"tool-form", "creator", "/#/creator/new", "tool-form-name"},
		{"admin-overview", "admin", "/#/admin", "admin-stats-chart"},
		{"admin-moderation", "admin", "/#/admin/moderation", "moderation-row"},
		{"admin-users", "admin", "/#/admin/users", "user-row"},
		{"admin-user", "admin", "/#/admin/users/" + client1.ID, "admin-ledger-row"},
		{"admin-payouts", "admin", "/#/admin/payouts", "payout-row"},
		{"admin-refunds", "admin", "/#/admin/refunds", "refund-row"},
		{"admin-support", "admin", "/#/admin/support/" + ticket.ID, "ticket-note"},
		{"admin-pages", "admin", "/#/admin/pages/about", "page-body"},
		{"admin-audit", "admin", "/#/admin/audit", "audit-row"},
	}
	logins := map[string][2]string{
		"client":  {"client1@example.com", "client-demo-pass"},
		"creator": {"creator1@example.com", "creator-demo-pass"},
		"admin":   {"admin@example.com", "admin-demo-pass"},
	}
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"phone", 360, 740}, {"desktop", 1280, 800}} {
		sessions := map[string]*session{}
		for _, shot := range shots {
			s := sessions[shot.who]
			if s == nil {
				s = br.session(t, size.name+"-"+shot.who, srv.base, size.width, size.height)
				sessions[shot.who] = s
				if login, ok := logins[shot.who]; ok {
					s.signIn(login[0], login[1])
				}
			}
			s.do(shot.name, chromedp.Navigate(srv.base+shot.path), chromedp.WaitVisible(tid(shot.wait)), chromedp.Sleep(300*time.Millisecond))
			// a screenshot shows no focus ring on the heading the router focused
			eval[bool](s, shot.name, `(document.activeElement && document.activeElement.blur(), true)`)
			img, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(85))
			if err != nil {
				s.fail(shot.name, err)
			}
			path := filepath.Join(out, shot.name+"-"+size.name+".jpg")
			if err := os.WriteFile(path, img, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s (%d KB)", path, len(img)/1024)
		}
	}
}

// A page left while it still loads never draws over the page that replaced
// it, nor renames the tab: a support ticket's answer is held back by the
// browser until the client has moved on (to the admin console, refused).
func TestWebAppLeftPageStaysGone(t *testing.T) {
	chromiumPath(t)
	srv := startWebServer(t)
	br := newBrowser(t)
	var ticket struct{ ID string }
	if status := srv.api(t, http.MethodPost, "/api/support/tickets/", srv.token(t, "client1@example.com", "client-demo-pass"),
		map[string]string{"subject": "Held back", "message": "An answer the browser holds."}, &ticket); status != 201 {
		t.Fatalf("ticket: %d", status)
	}
	s := br.session(t, "client1", srv.base, 1280, 800)
	s.signIn("client1@example.com", "client-demo-pass")

	held := make(chan fetch.RequestID, 64)
	if err := chromedp.Listen(s.ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			held <- e.RequestID
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(s.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/support/tickets/" + ticket.ID + "/*"}}}); err != nil {
		t.Fatal(err)
	}
	s.do("open the ticket", chromedp.Navigate(srv.base+"/#/support/"+ticket.ID))
	var first fetch.RequestID
	select {
	case first = <-held:
	case <-time.After(10 * time.Second):
		s.fail("open the ticket", fmt.Errorf("the ticket page asked nothing of the API"))
	}
	s.do("leave for the console", chromedp.Navigate(srv.base+"/#/admin"))
	s.until("refused", `document.title.startsWith('For admins')`)

	// let the ticket page's answer through, and its later calls as they come
	if _, err := chromedp.Call(s.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: first}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for id := range held {
			_, _ = chromedp.Call(s.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
		}
	}()
	s.until("ticket answered", `performance.getEntriesByType('resource').some((r) => r.name.includes('/api/support/tickets/'))`)
	s.do("its rendering", chromedp.Sleep(500*time.Millisecond))
	if title := eval[string](s, "title", `document.title`); !strings.HasPrefix(title, "For admins") {
		s.fail("title", fmt.Errorf("the left page renamed the tab: %q", title))
	}
	if h1 := eval[string](s, "heading", `[...document.querySelectorAll('#main h1')].map((e) => e.textContent).join('|')`); h1 != "For admins" {
		s.fail("heading", fmt.Errorf("the page shows %q, want the console's refusal alone", h1))
	}
}
