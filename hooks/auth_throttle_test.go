package hooks

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

const (
	pbPasswordURL = "/api/collections/users/auth-with-password"
	pbRefreshURL  = "/api/collections/users/auth-refresh"
	drfTokenURL   = "/api/token/"
)

// send makes one request from addr (host:port) and returns the recorder.
func (s *server) send(method, url string, body any, auth, addr string) *httptest.ResponseRecorder {
	var req *http.Request
	if body != nil {
		req = httptest.NewRequest(method, url, jsonBody(body))
	} else {
		req = httptest.NewRequest(method, url, http.NoBody)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.RemoteAddr = addr
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

// pbLogin is PocketBase's auth-with-password from addr.
func (s *server) pbLogin(email, password, addr string) *httptest.ResponseRecorder {
	return s.send(http.MethodPost, pbPasswordURL, map[string]any{"identity": email, "password": password}, "", addr)
}

// drfLogin is POST /api/token/ from addr.
func (s *server) drfLogin(email, password, addr string) *httptest.ResponseRecorder {
	return s.send(http.MethodPost, drfTokenURL, map[string]any{"email": email, "password": password}, "", addr)
}

// wantThrottled checks a 429 with Retry-After (at most maxWait) in the
// surface's shape: PocketBase's {"status","message","data"} or DRF's {"detail"}.
func wantThrottled(t testing.TB, what string, rec *httptest.ResponseRecorder, drf bool, maxWait time.Duration) {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("%s: %d %s, want 429", what, rec.Code, rec.Body)
	}
	secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || secs <= 0 || time.Duration(secs)*time.Second > maxWait {
		t.Errorf("%s: Retry-After %q, want 1..%v", what, rec.Header().Get("Retry-After"), maxWait)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: %s", what, rec.Body)
	}
	if drf {
		if want := fmt.Sprintf("Request was throttled. Expected available in %d seconds.", secs); body["detail"] != want || len(body) != 1 {
			t.Errorf("%s: body %s, want DRF's detail %q", what, rec.Body, want)
		}
	} else if body["status"] != float64(429) || body["message"] == nil || body["data"] == nil {
		t.Errorf("%s: body %s, want PocketBase's error shape", what, rec.Body)
	}
}

func wantStatus(t testing.TB, what string, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("%s: %d %s, want %d", what, rec.Code, rec.Body, status)
	}
}

// Issue 11 item 3: auth-with-password was not throttled (40 wrong passwords,
// then the right one: 200). Both logins now count into, and obey, one throttle.
func TestLoginThrottleSharedByBothLogins(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const a, b, cAddr, clean = "198.51.100.1:1000", "198.51.100.2:1000", "198.51.100.3:1000", "198.51.100.9:1000"

	// the reproduction: 40 wrong passwords on the native route
	for i := range 40 {
		rec := s.pbLogin(fx.client.email, "wrong-"+strconv.Itoa(i), a)
		if i < loginPairMax {
			wantStatus(t, "native failure", rec, http.StatusBadRequest)
		} else {
			wantThrottled(t, "native attempt after the lock", rec, false, loginPairWindow)
		}
	}
	wantThrottled(t, "native right password, locked address", s.pbLogin(fx.client.email, fixturePassword, a), false, loginPairWindow)
	// the lock holds on the other surface, and ignores the email's case
	wantThrottled(t, "DRF login, locked by native failures", s.drfLogin(strings.ToUpper(fx.client.email), fixturePassword, a), true, loginPairWindow)

	// failures on /api/token/ lock the native route too
	for range loginPairMax {
		wantStatus(t, "DRF failure", s.drfLogin(fx.client2.email, "wrong", b), http.StatusUnauthorized)
	}
	wantThrottled(t, "native login, locked by DRF failures", s.pbLogin(fx.client2.email, fixturePassword, b), false, loginPairWindow)

	// failures mixed across the surfaces add up
	for i := range loginPairMax - 1 {
		if i%2 == 0 {
			wantStatus(t, "mixed native failure", s.pbLogin(fx.creator.email, "wrong", cAddr), http.StatusBadRequest)
		} else {
			wantStatus(t, "mixed DRF failure", s.drfLogin(fx.creator.email, "wrong", cAddr), http.StatusUnauthorized)
		}
	}
	wantStatus(t, "last native failure", s.pbLogin(fx.creator.email, "wrong", cAddr), http.StatusBadRequest)
	wantThrottled(t, "mixed lock", s.drfLogin(fx.creator.email, fixturePassword, cAddr), true, loginPairWindow)

	// the owners get in from elsewhere, on both surfaces
	wantStatus(t, "native owner", s.pbLogin(fx.client.email, fixturePassword, clean), http.StatusOK)
	wantStatus(t, "DRF owner", s.drfLogin(fx.client2.email, fixturePassword, clean), http.StatusOK)
	wantStatus(t, "DRF owner", s.drfLogin(fx.creator.email, fixturePassword, clean), http.StatusOK)
}

// The throttle is a security control: it works with PocketBase's rate limits
// switched on as well as off (the default).
func TestLoginThrottleIgnoresRateLimitSetting(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.app.Settings().RateLimits.Enabled = true
	// generous enough for the test's requests: the point is the setting's switch
	s.app.Settings().RateLimits.Rules = []core.RateLimitRule{{Label: "*:auth", MaxRequests: 1000, Duration: 3}}
	if err := s.app.Save(s.app.Settings()); err != nil {
		t.Fatal(err)
	}
	const addr = "198.51.100.20:1000"
	for range loginPairMax {
		wantStatus(t, "failure", s.pbLogin(fx.client.email, "wrong", addr), http.StatusBadRequest)
	}
	wantThrottled(t, "locked with rate limits on", s.pbLogin(fx.client.email, fixturePassword, addr), false, loginPairWindow)
}

// Issue 11 item 5: five wrong passwords from each of six addresses locked the
// account for an hour. Locks are now per address and per (address, account):
// the attackers stay locked, the owner gets in from a seventh address.
func TestLoginLockoutIsPerAddress(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for i := range 6 {
		addr := fmt.Sprintf("203.0.113.%d:4000", i+1)
		for range loginPairMax {
			wantStatus(t, "failure", s.pbLogin(fx.client.email, "wrong", addr), http.StatusBadRequest)
		}
		wantThrottled(t, "attacker "+addr, s.drfLogin(fx.client.email, fixturePassword, addr), true, loginPairWindow)
	}
	wantStatus(t, "owner, DRF, seventh address", s.drfLogin(fx.client.email, fixturePassword, "203.0.113.7:4000"), http.StatusOK)
	wantStatus(t, "owner, native, eighth address", s.pbLogin(fx.client.email, fixturePassword, "203.0.113.8:4000"), http.StatusOK)
	// and the attackers are still locked
	wantThrottled(t, "attacker after the owner's login", s.pbLogin(fx.client.email, fixturePassword, "203.0.113.1:4000"), false, loginPairWindow)
}

// Distributed guessing past the account-wide allowance is slowed by seconds,
// never locked: the owner waits out a short Retry-After and gets in.
func TestLoginAccountSlowdown(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	th := s.tb.logins
	now := time.Now()
	th.now = func() time.Time { return now }

	n := loginAccountFree + 6*loginAccountStep
	for i := range n {
		addr := fmt.Sprintf("10.1.%d.%d:5000", i/250, i%250)
		wantStatus(t, "distributed failure", s.drfLogin(fx.client.email, "wrong", addr), http.StatusUnauthorized)
		now = now.Add(accountDelay(i + 1)) // the attackers pace themselves
	}
	now = now.Add(-time.Second) // a second before the next slot
	// the owner at an address it signed in from before is not slowed
	th.succeed(newLoginKeys("192.0.2.100", fx.client.email))
	wantStatus(t, "owner at a known address during the attack", s.pbLogin(fx.client.email, fixturePassword, "192.0.2.100:6000"), http.StatusOK)
	wantThrottled(t, "meanwhile a guess from a fresh address", s.drfLogin(fx.client.email, "wrong", "10.9.9.8:5000"), true, loginAccountMaxDelay)
	const owner = "192.0.2.200:6000"
	wantThrottled(t, "owner during the attack", s.pbLogin(fx.client.email, fixturePassword, owner), false, loginAccountMaxDelay)
	wantThrottled(t, "another guess during the attack", s.drfLogin(fx.client.email, "wrong", "10.9.9.9:5000"), true, loginAccountMaxDelay)
	now = now.Add(time.Second)
	wantStatus(t, "owner after the delay", s.pbLogin(fx.client.email, fixturePassword, owner), http.StatusOK)
	// other accounts are not slowed
	wantStatus(t, "other account", s.drfLogin(fx.client2.email, fixturePassword, "10.1.0.1:5000"), http.StatusOK)

	// the delay doubles and is capped: guessing is bounded
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{loginAccountFree - 1, 0}, {loginAccountFree, time.Second}, {loginAccountFree + loginAccountStep, 2 * time.Second}, {loginAccountFree + 1000, loginAccountMaxDelay}} {
		if got := accountDelay(c.n); got != c.want {
			t.Errorf("accountDelay(%d) = %v, want %v", c.n, got, c.want)
		}
	}
	// concurrent attempts cannot share one slot
	th.now = func() time.Time { return now.Add(30 * time.Minute) }
	k := newLoginKeys("10.2.0.1", fx.client.email)
	if th.admit(k) != 0 {
		t.Fatal("first attempt after the delay refused")
	}
	if th.admit(newLoginKeys("10.2.0.2", fx.client.email)) == 0 {
		t.Error("a second attempt took the same slot")
	}
	// failures are forgotten an hour after the last
	th.now = func() time.Time { return now.Add(2 * time.Hour) }
	if th.admit(newLoginKeys("10.2.0.3", fx.client.email)) != 0 {
		t.Error("slowed two hours after the last failure")
	}
}

// Item 5: a flood of distinct addresses used to wipe the whole throttle map
// (every lockout reset). Counters and locks are LRUs now, and locks have their
// own: failures of fresh addresses cannot evict them.
func TestLoginLockSurvivesFlood(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const attacker = "198.51.100.66:1000"
	for range loginPairMax {
		wantStatus(t, "failure", s.drfLogin(fx.client.email, "wrong", attacker), http.StatusUnauthorized)
	}
	wantThrottled(t, "locked", s.drfLogin(fx.client.email, fixturePassword, attacker), true, loginPairWindow)

	th := s.tb.logins
	for i := range loginThrottleCap + 5000 {
		th.fail(newLoginKeys(fmt.Sprintf("fd00::%x", i), fmt.Sprintf("nobody%d@example.com", i)))
	}
	wantThrottled(t, "locked after the flood", s.drfLogin(fx.client.email, fixturePassword, attacker), true, loginPairWindow)
	wantThrottled(t, "native, locked after the flood", s.pbLogin(fx.client.email, fixturePassword, attacker), false, loginPairWindow)
	wantStatus(t, "owner", s.pbLogin(fx.client.email, fixturePassword, "198.51.100.67:1000"), http.StatusOK)
	if n := th.counts.Len(); n > loginThrottleCap {
		t.Errorf("%d counters kept, cap %d", n, loginThrottleCap)
	}
}

// The address is PocketBase's RealIP: with a trusted proxy header configured,
// clients behind the proxy are told apart.
func TestLoginThrottleBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.app.Settings().TrustedProxy.Headers = []string{"X-Forwarded-For"}
	if err := s.app.Save(s.app.Settings()); err != nil {
		t.Fatal(err)
	}
	const proxy = "10.0.0.1:443"
	login := func(password, client string, native bool) *httptest.ResponseRecorder {
		url, body := drfTokenURL, map[string]any{"email": fx.client.email, "password": password}
		if native {
			url, body = pbPasswordURL, map[string]any{"identity": fx.client.email, "password": password}
		}
		req := httptest.NewRequest(http.MethodPost, url, jsonBody(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", client)
		req.RemoteAddr = proxy
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		return rec
	}
	for range loginPairMax {
		wantStatus(t, "failure", login("wrong", "192.0.2.10", true), http.StatusBadRequest)
	}
	wantThrottled(t, "attacker behind the proxy", login(fixturePassword, "192.0.2.10", false), true, loginPairWindow)
	wantStatus(t, "owner behind the same proxy", login(fixturePassword, "192.0.2.11", true), http.StatusOK)
}

// auth-refresh is a way to a token too: invalid tokens count against the
// address, and a locked address refreshes nothing.
func TestAuthRefreshThrottled(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const addr = "198.51.100.77:1000"
	for i := range loginIPMax {
		wantStatus(t, fmt.Sprintf("invalid token %d", i), s.send(http.MethodPost, pbRefreshURL, nil, "Bearer not-a-token", addr), http.StatusUnauthorized)
	}
	wantThrottled(t, "valid token, locked address", s.send(http.MethodPost, pbRefreshURL, nil, fx.client.auth, addr), false, loginIPWindow)
	wantThrottled(t, "DRF refresh, locked address", s.send(http.MethodPost, "/api/token/refresh/",
		map[string]any{"refresh": mintRefresh(t, s.app, fx.client.id, time.Now(), time.Hour)}, "", addr), true, loginIPWindow)
	wantStatus(t, "valid token elsewhere", s.send(http.MethodPost, pbRefreshURL, nil, fx.client.auth, "198.51.100.78:1000"), http.StatusOK)

	// a pair locked by wrong passwords gets no refreshed token either
	const b = "198.51.100.79:1000"
	for range loginPairMax {
		wantStatus(t, "failure", s.pbLogin(fx.client2.email, "wrong", b), http.StatusBadRequest)
	}
	wantThrottled(t, "refresh from a locked pair", s.send(http.MethodPost, pbRefreshURL, nil, fx.client2.auth, b), false, loginPairWindow)
	wantThrottled(t, "DRF refresh from a locked pair", s.send(http.MethodPost, "/api/token/refresh/",
		map[string]any{"refresh": mintRefresh(t, s.app, fx.client2.id, time.Now(), time.Hour)}, "", b), true, loginPairWindow)
}
