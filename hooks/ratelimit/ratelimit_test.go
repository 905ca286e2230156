package ratelimit_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	c "toolbase/collections"
	"toolbase/hooks/internal/opstest"
	"toolbase/hooks/ratelimit"
)

// The documented defaults of the migration 1795825000_rate_limits.
const (
	useBurst      = 60 // toolbase_use: 60 per 10 s per key or user
	registerBurst = 5  // POST /api/users/register/: 5 per 60 s per address
	window        = 3600
)

// A fresh data directory limits POST use per user and per API key, whatever
// the address, answers 429 with Retry-After and the RateLimit headers, and
// the one switch (settings.rateLimits.enabled) turns it off.
func TestUseBurstPerUserAndKey(t *testing.T) {
	app := opstest.NewApp(t)
	creator, _ := opstest.User(t, app, "creator", c.RoleToolCreator, 0)
	_, alice := opstest.User(t, app, "alice", c.RoleClient, 10_000)
	_, bob := opstest.User(t, app, "bob", c.RoleClient, 10_000)
	tool := opstest.Tool(t, app, creator.Id, 1)
	// trust X-Forwarded-For, so that every request below comes from another address
	s := app.Settings()
	s.TrustedProxy.Headers = []string{"X-Forwarded-For"}
	if err := app.Save(s); err != nil {
		t.Fatal(err)
	}
	base := opstest.Serve(t, app)
	key := opstest.APIKey(t, base, alice)

	addr := 0
	from := func() string { addr++; return "198.51.100." + strconv.Itoa(addr%250+1) }

	// the documented default, as the first use's headers say it
	res, body := opstest.Use(t, base, tool, "Authorization", alice, "X-Forwarded-For", from())
	if res.StatusCode != http.StatusOK {
		t.Fatalf("first use: %d %s", res.StatusCode, body)
	}
	policy := strings.Join(res.Header.Values("RateLimit-Policy"), ", ")
	if !strings.Contains(policy, `"toolbase_use@auth";q=60;w=10`) || !strings.Contains(policy, `"/api/";q=300;w=10`) {
		t.Errorf("RateLimit-Policy of a use: %q", policy)
	}
	if rl := res.Header.Get("RateLimit"); !strings.HasPrefix(rl, `"toolbase_use@auth";r=59;t=`) {
		t.Errorf("RateLimit of the first use: %q", rl)
	}
	// the same burst over an hour, so that a slow machine's requests cannot
	// earn tokens back while the test runs (a changed rule starts fresh buckets)
	s = app.Settings()
	for i, rule := range s.RateLimits.Rules {
		if rule.Label == ratelimit.RuleUse {
			s.RateLimits.Rules[i].Duration = window
		}
	}
	if err := app.Save(s); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= useBurst; i++ {
		res, body := opstest.Use(t, base, tool, "Authorization", alice, "X-Forwarded-For", from())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("use %d: %d %s", i, res.StatusCode, body)
		}
	}
	res, body = opstest.Use(t, base, tool, "Authorization", alice, "X-Forwarded-For", from())
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("use %d from yet another address: %d %s", useBurst+1, res.StatusCode, body)
	}
	if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra < 1 || ra > window {
		t.Errorf("Retry-After: %q", res.Header.Get("Retry-After"))
	}
	if rl := res.Header.Get("RateLimit"); !strings.HasPrefix(rl, `"toolbase_use@auth";r=0;t=`) {
		t.Errorf("RateLimit of a refusal: %q", rl)
	}
	if want := `{"detail":"Request was throttled. Expected available in ` + res.Header.Get("Retry-After"); !strings.HasPrefix(body, want) {
		t.Errorf("body %s, want DRF's throttle message", body)
	}

	// the key has its own bucket, so has another user, from the same address
	if res, body := opstest.Use(t, base, tool, "X-API-Key", key, "X-Forwarded-For", "198.51.100.1"); res.StatusCode != http.StatusOK {
		t.Fatalf("alice's key after alice's token is throttled: %d %s", res.StatusCode, body)
	}
	if res, body := opstest.Use(t, base, tool, "Authorization", bob, "X-Forwarded-For", "198.51.100.1"); res.StatusCode != http.StatusOK {
		t.Fatalf("bob from alice's address: %d %s", res.StatusCode, body)
	}
	for i := 2; i <= useBurst; i++ {
		if res, body := opstest.Use(t, base, tool, "X-API-Key", key, "X-Forwarded-For", from()); res.StatusCode != http.StatusOK {
			t.Fatalf("key use %d: %d %s", i, res.StatusCode, body)
		}
	}
	if res, _ := opstest.Use(t, base, tool, "X-API-Key", key, "X-Forwarded-For", from()); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("key use %d: %d, want 429", useBurst+1, res.StatusCode)
	}

	// the switch
	s = app.Settings()
	s.RateLimits.Enabled = false
	if err := app.Save(s); err != nil {
		t.Fatal(err)
	}
	res, body = opstest.Use(t, base, tool, "Authorization", alice)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("use with rate limits off: %d %s", res.StatusCode, body)
	}
	if h := res.Header.Values("RateLimit-Policy"); len(h) > 0 {
		t.Errorf("RateLimit-Policy with rate limits off: %q", h)
	}
}

// PocketBase's limiter (per address) answers on the DRF API with DRF's
// body, Retry-After and the RateLimit headers.
func TestPocketBaseRuleOnDRFRoute(t *testing.T) {
	app := opstest.NewApp(t)
	base := opstest.Serve(t, app)
	for i := 1; i <= registerBurst; i++ {
		res, body := opstest.Do(t, http.MethodPost, base+"/api/users/register/", `{}`)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("register %d: %d %s", i, res.StatusCode, body)
		}
		if p := res.Header.Get("RateLimit-Policy"); p != `"POST /api/users/register/";q=5;w=60` {
			t.Errorf("RateLimit-Policy: %q", p)
		}
	}
	res, body := opstest.Do(t, http.MethodPost, base+"/api/users/register/", `{}`)
	if res.StatusCode != http.StatusTooManyRequests || body != `{"detail":"Request was throttled. Expected available in 60 seconds."}` {
		t.Fatalf("register %d: %d %s", registerBurst+1, res.StatusCode, body)
	}
	if res.Header.Get("Retry-After") != "60" || res.Header.Get("RateLimit") != `"POST /api/users/register/";r=0;t=60` {
		t.Errorf("headers of the refusal: %v", res.Header)
	}
	// the records API keeps PocketBase's error body
	for range 5 {
		opstest.Do(t, http.MethodPost, base+"/api/collections/users/auth-with-password", `{"identity":"x@y.z","password":"nope"}`)
	}
	res, body = opstest.Do(t, http.MethodPost, base+"/api/collections/users/auth-with-password", `{"identity":"x@y.z","password":"nope"}`)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `"status":429`) || res.Header.Get("Retry-After") != "10" {
		t.Fatalf("6th records API login: %d %s %v", res.StatusCode, body, res.Header)
	}
}
