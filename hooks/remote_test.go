package hooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// verifySignature is the rule the README gives creators, written again here
// from the README's words: split the header at commas into t= and v1=, refuse
// a timestamp more than tolerance away from now, compute HMAC-SHA256 of
// "<t>.<raw body>" with the signing secret, and compare it in constant time
// with the hex v1.
func verifySignature(header string, body []byte, secret string, now time.Time, tolerance time.Duration) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			ts = v
		} else if v, ok := strings.CutPrefix(part, "v1="); ok {
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(unix, 0)).Abs() > tolerance {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want, err := hex.DecodeString(sig)
	return err == nil && hmac.Equal(mac.Sum(nil), want)
}

// remoteApp is a test app that may call tools on 127.0.0.1 over http (its
// configuration further changed by configure), and its services.
func remoteApp(t *testing.T, configure ...func(*Config)) (*tests.TestApp, *toolbase) {
	t.Helper()
	return newTestBase(t, append([]func(*Config){func(cfg *Config) {
		cfg.AllowPrivateEndpoints = true
		cfg.AllowHTTPEndpoints = true
	}}, configure...)...)
}

// remoteTool saves an ACTIVE tool of fx.creator2 costing 10 that calls endpoint.
func remoteTool(t *testing.T, app core.App, endpoint string, timeoutSeconds int) *core.Record {
	t.Helper()
	tool, err := createTool(app, fx.creator2.id, c.StatusActive, 10)
	if err != nil {
		t.Fatal(err)
	}
	tool.Set(c.ToolAPIEndpoint, endpoint)
	tool.Set(c.ToolTimeoutSeconds, timeoutSeconds)
	if err := app.Save(tool); err != nil {
		t.Fatal(err)
	}
	return tool
}

// toolServer is a creator's endpoint on 127.0.0.1 that checks the signature
// with the secret it is given, then answers with handle.
func toolServer(t *testing.T, secret *string, handle http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		if !verifySignature(r.Header.Get(SignatureHeader), body, *secret, time.Now(), 5*time.Minute) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		handle(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func echo(w http.ResponseWriter, r *http.Request) {
	var in callPayload
	json.NewDecoder(r.Body).Decode(&in)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"echo":%s,"usage":%q}`, in.InputData, in.UsageID)
}

func useRemote(t *testing.T, tb *toolbase, app *tests.TestApp, tool *core.Record) *ledger.UseResult {
	t.Helper()
	client, _ := app.FindRecordById(c.Users, fx.client.id)
	res, err := tb.UseTool(app, ledger.UseRequest{Tool: tool, User: client, Input: []byte(`{"q":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// assertRefunded checks a failed use: refunded once, counters back, ledger consistent.
func assertRefunded(t *testing.T, app *tests.TestApp, res *ledger.UseResult, reason string) {
	t.Helper()
	u := c.AsUsage(res.Usage)
	if u.State() != c.StateFailed || u.Success() || !strings.Contains(u.ErrorMessage(), reason) {
		t.Errorf("usage %s success=%v error %q, want FAILED with %q", u.State(), u.Success(), u.ErrorMessage(), reason)
	}
	if res.Remaining != fixturePoints || balance(t, app, fx.client.id) != fixturePoints {
		t.Errorf("remaining %d, balance %d: the failed use was not refunded", res.Remaining, balance(t, app, fx.client.id))
	}
	if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxUsage: res.Usage.Id, c.TxKind: c.KindRefund}); n != 2 {
		t.Errorf("%d REFUND rows, want 2 (payer and creator)", n)
	}
	tool, _ := app.FindRecordById(c.Tools, u.Tool())
	if tl := c.AsTool(tool); tl.TotalUses() != 0 || tl.TotalRevenue() != 0 {
		t.Errorf("tool counters %d/%d after a refunded use", tl.TotalUses(), tl.TotalRevenue())
	}
	mustVerify(t, app)
}

func TestRemoteSuccess(t *testing.T) {
	t.Parallel()
	app, _ := remoteApp(t)
	var secret string
	srv, calls := toolServer(t, &secret, echo)
	tool := remoteTool(t, app, srv.URL, 5)
	secret = c.AsTool(tool).SigningSecret()

	base := serve(t, app)
	status, body := post(t, base+useURL(tool.Id), fx.client.auth, "", `{"input_data":{"q":"x"}}`)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	for _, want := range []string{`"success":true`, `"state":"SUCCEEDED"`, `"output_data":{"echo":{"q":"x"},"usage":"`, `"points_spent":10`, `"remaining_points":990`} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s in %s", want, body)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls", calls.Load())
	}
	if got := balance(t, app, fx.client.id); got != fixturePoints-10 {
		t.Errorf("balance %d", got)
	}
	mustVerify(t, app)
}

func TestRemoteFailuresAreRefunded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		timeout int
		handle  http.HandlerFunc
		reason  string
	}{
		{"slower than the timeout", 1, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
			}
		}, "did not answer within 1s"},
		{"500", 5, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, "answered 500"},
		{"invalid JSON", 5, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"half":`) }, "not valid JSON"},
		{"5 MiB answer", 5, func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"big":"`+strings.Repeat("a", 5<<20)+`"}`)
		}, "exceeds 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, tb := remoteApp(t)
			var secret string
			srv, _ := toolServer(t, &secret, tc.handle)
			tool := remoteTool(t, app, srv.URL, tc.timeout)
			secret = c.AsTool(tool).SigningSecret()
			assertRefunded(t, app, useRemote(t, tb, app, tool), tc.reason)
		})
	}
}

func TestRemoteRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	app, tb := remoteApp(t)
	var followed atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Store(true) }))
	defer target.Close()
	var secret string
	srv, _ := toolServer(t, &secret, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	})
	tool := remoteTool(t, app, srv.URL, 5)
	secret = c.AsTool(tool).SigningSecret()
	assertRefunded(t, app, useRemote(t, tb, app, tool), "redirect")
	if followed.Load() {
		t.Error("the redirect was followed")
	}
}

func TestRemoteConnectionRefused(t *testing.T) {
	t.Parallel()
	app, tb := remoteApp(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	tool := remoteTool(t, app, url, 5)
	assertRefunded(t, app, useRemote(t, tb, app, tool), "refused the connection")
}

func TestRemotePrivateAddressRefusedWithoutFlag(t *testing.T) {
	t.Parallel()
	app, tb := newTestBase(t, func(cfg *Config) { cfg.AllowHTTPEndpoints = true })
	var secret string
	srv, calls := toolServer(t, &secret, echo)
	tool := remoteTool(t, app, srv.URL, 5)
	assertRefunded(t, app, useRemote(t, tb, app, tool), "may not call")
	if calls.Load() != 0 {
		t.Error("a loopback endpoint was called")
	}
}

func TestForbiddenAddresses(t *testing.T) {
	t.Parallel()
	for addr, forbidden := range map[string]bool{
		"127.0.0.1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true,
		"169.254.169.254": true, "100.64.0.1": true, "0.0.0.0": true, "::1": true,
		"fe80::1": true, "fd00:ec2::254": true, "::ffff:127.0.0.1": true, "::ffff:10.0.0.1": true,
		"93.184.216.34": false, "2606:2800:220:1:248:1893:25c8:1946": false, "1.1.1.1": false,
	} {
		if got := forbiddenIP(netip.MustParseAddr(addr).Unmap()); got != forbidden {
			t.Errorf("%s forbidden = %v, want %v", addr, got, forbidden)
		}
	}
}

func TestEndpointMustBeHTTPS(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	tool, _ := app.FindRecordById(c.Tools, fx.active)
	tool.Set(c.ToolAPIEndpoint, "http://tools.example.com/run")
	err := app.Save(tool)
	if err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("an http endpoint was accepted: %v", err)
	}
	tool.Set(c.ToolAPIEndpoint, "https://tools.example.com/run")
	if err := app.Save(tool); err != nil {
		t.Fatal(err)
	}
}

func TestSignatureRule(t *testing.T) {
	t.Parallel()
	body := []byte(`{"usage_id":"u1","input_data":{}}`)
	now := time.Now()
	header := Sign("whsec_right", now, body)
	if !verifySignature(header, body, "whsec_right", now, 5*time.Minute) {
		t.Fatal("the documented rule rejects toolbase's signature")
	}
	if verifySignature(header, body, "whsec_wrong", now, 5*time.Minute) {
		t.Error("a wrong secret verified")
	}
	if verifySignature(header, append(body, ' '), "whsec_right", now, 5*time.Minute) {
		t.Error("a changed body verified")
	}
	stale := Sign("whsec_right", now.Add(-10*time.Minute), body)
	if verifySignature(stale, body, "whsec_right", now, 5*time.Minute) {
		t.Error("a stale timestamp verified")
	}
}

func TestRemoteReplayWhilePendingIs409(t *testing.T) {
	t.Parallel()
	app, _ := remoteApp(t)
	release := make(chan struct{})
	var secret string
	srv, calls := toolServer(t, &secret, func(w http.ResponseWriter, r *http.Request) {
		<-release
		echo(w, r)
	})
	tool := remoteTool(t, app, srv.URL, 10)
	secret = c.AsTool(tool).SigningSecret()
	base := serve(t, app)

	first := make(chan string, 1)
	go func() {
		status, body := post(t, base+useURL(tool.Id), fx.client.auth, "k1", `{"input_data":{"q":"x"}}`)
		first <- fmt.Sprint(status, " ", body)
	}()
	waitFor(t, func() bool { return calls.Load() == 1 })
	if status, body := post(t, base+useURL(tool.Id), fx.client.auth, "k1", `{"input_data":{"q":"x"}}`); status != 409 || !strings.Contains(body, `"detail":"Request in progress."`) {
		t.Errorf("replay while pending: %d %s", status, body)
	}
	close(release)
	if got := <-first; !strings.HasPrefix(got, "200 ") {
		t.Fatalf("first use: %s", got)
	}
	status, body := post(t, base+useURL(tool.Id), fx.client.auth, "k1", `{"input_data":{"q":"x"}}`)
	if status != 200 || !strings.HasPrefix(body, "replayed:") || !strings.Contains(body, `"success":true`) {
		t.Errorf("replay after: %d %s", status, body)
	}
	if calls.Load() != 1 || balance(t, app, fx.client.id) != fixturePoints-10 {
		t.Errorf("%d calls, balance %d", calls.Load(), balance(t, app, fx.client.id))
	}
	mustVerify(t, app)
}

func TestRemoteInFlightLimit(t *testing.T) {
	t.Parallel()
	app, _ := remoteApp(t, func(cfg *Config) { cfg.ToolMaxInFlight = 2 })
	release := make(chan struct{})
	var secret string
	srv, calls := toolServer(t, &secret, func(w http.ResponseWriter, r *http.Request) {
		<-release
		echo(w, r)
	})
	tool := remoteTool(t, app, srv.URL, 10)
	secret = c.AsTool(tool).SigningSecret()
	base := serve(t, app)

	var wg sync.WaitGroup
	statuses := make(chan int, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _ := post(t, base+useURL(tool.Id), fx.client.auth, "", `{"input_data":{}}`)
			statuses <- status
		}()
	}
	waitFor(t, func() bool { return calls.Load() == 2 })
	status, body := post(t, base+useURL(tool.Id), fx.client.auth, "", `{"input_data":{}}`)
	if status != 429 {
		t.Errorf("third call in flight: %d %s", status, body)
	}
	if got := balance(t, app, fx.client.id); got != fixturePoints-20 {
		t.Errorf("balance %d: the refused call was charged", got)
	}
	close(release)
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != 200 {
			t.Errorf("a call within the limit: %d", s)
		}
	}
	mustVerify(t, app)
}

func TestReconcilerSettlesPendingOnce(t *testing.T) {
	t.Parallel()
	app, _ := remoteApp(t)
	tool := remoteTool(t, app, "http://127.0.0.1:9/never-called", 1)
	client, _ := app.FindRecordById(c.Users, fx.client.id)
	// the first step only, as if the server died during the call
	res, err := ledger.RecordUse(app, testConfig().ledger(), ledger.UseRequest{Tool: tool, User: client, Input: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := reconcile(app, false); err != nil || n != 0 {
		t.Fatalf("a use within its timeout was settled: %d %v", n, err)
	}
	if _, err := app.DB().NewQuery("UPDATE tool_usage SET created_at = '2000-01-01 00:00:00.000Z' WHERE id = {:id}").
		Bind(dbx.Params{"id": res.Usage.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if n, err := reconcile(app, false); err != nil || n != 1 {
		t.Fatalf("reconcile: %d %v", n, err)
	}
	if n, _ := reconcile(app, true); n != 0 {
		t.Fatalf("a settled use was settled again: %d", n)
	}
	// a step 2 arriving after the reconciler changes nothing
	late, err := ledger.Settle(app, res.Usage.Id, ledger.Outcome{Output: []byte(`{"late":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	usage, _ := app.FindRecordById(c.ToolUsage, res.Usage.Id)
	late.Usage = usage
	late.Remaining = balance(t, app, fx.client.id)
	assertRefunded(t, app, late, "did not complete")
}

func TestSigningSecretRoute(t *testing.T) {
	t.Parallel()
	var rotated string
	scenarios := []tests.ApiScenario{
		{
			Name:            "the owner rotates and sees the new secret once",
			Method:          http.MethodPost,
			URL:             "/api/tools/tools/" + fx.active + "/signing_secret/",
			Headers:         map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"signing_secret":"whsec_`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				tool, _ := app.FindRecordById(c.Tools, fx.active)
				rotated = c.AsTool(tool).SigningSecret()
				if rotated == "" {
					t.Error("no secret stored")
				}
			},
		},
		{
			Name:            "an admin may rotate it",
			Method:          http.MethodPost,
			URL:             "/api/tools/tools/" + fx.active + "/signing_secret/",
			Headers:         map[string]string{"Authorization": fx.admin.auth},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"signing_secret":"whsec_`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:               "a client is 403 on a visible tool",
			Method:             http.MethodPost,
			URL:                "/api/tools/tools/" + fx.active + "/signing_secret/",
			Headers:            map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus:     403,
			ExpectedContent:    []string{`"detail":"You do not have permission to perform this action."`},
			NotExpectedContent: []string{"whsec_"},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:            "another creator's draft is 404",
			Method:          http.MethodPost,
			URL:             "/api/tools/tools/" + fx.draft + "/signing_secret/",
			Headers:         map[string]string{"Authorization": fx.creator2.auth},
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "anonymous is 401",
			Method:          http.MethodPost,
			URL:             "/api/tools/tools/" + fx.active + "/signing_secret/",
			ExpectedStatus:  401,
			ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "GET is 405: the secret is never read back",
			Method:          http.MethodGet,
			URL:             "/api/tools/tools/" + fx.active + "/signing_secret/",
			Headers:         map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus:  405,
			ExpectedContent: []string{`"detail":"Method \"GET\" not allowed."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:               "the records API never shows it, even to a superuser",
			Method:             http.MethodGet,
			URL:                "/api/collections/tools/records/" + fx.active,
			Headers:            map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"id":"` + fx.active + `"`},
			NotExpectedContent: []string{"signing_secret", "whsec_"},
			TestAppFactory:     testAppFactory,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
