package hooks

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/spf13/cast"

	c "toolbase/collections"
)

// tokenOf reads the token of a PocketBase auth response.
func tokenOf(t testing.TB, what string, body []byte) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
		t.Fatalf("%s: no token in %s", what, body)
	}
	return out.Token
}

// wantLifetime checks that token expires ttl from now (give or take a few
// seconds) and whether it is refreshable.
func wantLifetime(t testing.TB, what, token string, ttl time.Duration, refreshable bool) {
	t.Helper()
	claims, err := security.ParseUnverifiedJWT(token)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	exp := time.Unix(cast.ToInt64(claims["exp"]), 0)
	if d := time.Until(exp); d > ttl+5*time.Second || d < ttl-10*time.Second {
		t.Errorf("%s: token lives %v, want %v", what, d.Round(time.Second), ttl)
	}
	if got := cast.ToBool(claims[core.TokenClaimRefreshable]); got != refreshable {
		t.Errorf("%s: refreshable %v, want %v", what, got, refreshable)
	}
}

// Issue 11 item 3: auth-with-password's token lived PocketBase's 5 days.
// Every users token PocketBase issues now lives TOOLBASE_ACCESS_TOKEN_TTL,
// and still works on both APIs.
func TestNativeTokenLifetime(t *testing.T) {
	t.Parallel()
	const ttl = 15 * time.Minute
	s := newServer(t, func(cfg *Config) { cfg.AccessTTL = ttl })
	const addr = "192.0.2.50:1000"

	rec := s.pbLogin(fx.client.email, fixturePassword, addr)
	wantStatus(t, "native login", rec, http.StatusOK)
	token := tokenOf(t, "native login", rec.Body.Bytes())
	wantLifetime(t, "native login", token, ttl, true)

	// usable on the DRF API and the records API
	wantStatus(t, "DRF API with the native token", s.send(http.MethodGet, "/api/users/users/me/", nil, "Bearer "+token, addr), http.StatusOK)
	wantStatus(t, "records API with the native token",
		s.send(http.MethodGet, "/api/collections/users/records/"+fx.client.id, nil, "Bearer "+token, addr), http.StatusOK)

	// auth-refresh keeps the session going, one TTL at a time
	rec = s.send(http.MethodPost, pbRefreshURL, nil, "Bearer "+token, addr)
	wantStatus(t, "auth-refresh", rec, http.StatusOK)
	refreshed := tokenOf(t, "auth-refresh", rec.Body.Bytes())
	wantLifetime(t, "auth-refresh", refreshed, ttl, true)
	wantStatus(t, "DRF API with the refreshed token", s.send(http.MethodGet, "/api/users/users/me/", nil, "Bearer "+refreshed, addr), http.StatusOK)

	// a long-lived token (the collection's default duration) refreshes into a short one
	rec = s.send(http.MethodPost, pbRefreshURL, nil, fx.client2.auth, addr)
	wantStatus(t, "auth-refresh of a default token", rec, http.StatusOK)
	wantLifetime(t, "auth-refresh of a default token", tokenOf(t, "auth-refresh", rec.Body.Bytes()), ttl, true)

	// the DRF API's access token is not refreshable: auth-refresh hands it back
	pair := s.login(t, fx.creator.email)
	wantLifetime(t, "DRF access token", pair.Access, ttl, false)
	rec = s.send(http.MethodPost, pbRefreshURL, nil, "Bearer "+pair.Access, addr)
	wantStatus(t, "auth-refresh of a DRF access token", rec, http.StatusOK)
	if got := tokenOf(t, "auth-refresh", rec.Body.Bytes()); got != pair.Access {
		wantLifetime(t, "auth-refresh of a DRF access token", got, ttl, false)
	}

	// impersonation tokens are capped too
	supers, err := s.app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	su := core.NewRecord(supers)
	su.SetEmail("root@test.example")
	su.SetPassword("root-pass-123456")
	if err := s.app.Save(su); err != nil {
		t.Fatal(err)
	}
	rec = s.send(http.MethodPost, "/api/collections/users/impersonate/"+fx.client.id,
		map[string]any{"duration": 365 * 24 * 3600}, authOf(t, su), addr)
	wantStatus(t, "impersonate", rec, http.StatusOK)
	wantLifetime(t, "impersonate", tokenOf(t, "impersonate", rec.Body.Bytes()), ttl, false)
}

// capTokenLifetime leaves a token that already expires within the TTL alone.
func TestCapTokenLifetimeKeepsShortTokens(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	u := findUser(t, app, fx.client.id)
	short, err := u.NewStaticAuthToken(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := capTokenLifetime(u, short, time.Hour); err != nil || got != short {
		t.Errorf("a 1m token was replaced (%v)", err)
	}
	long, err := u.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	got, err := capTokenLifetime(u, long, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	wantLifetime(t, "capped", got, time.Hour, true)
	if rec, err := app.FindAuthRecordByToken(got, core.TokenTypeAuth); err != nil || rec.Id != u.Id {
		t.Errorf("capped token not accepted: %v", err)
	}
}

// auth-with-otp goes through the throttle: wrong codes count, a locked
// address is refused before the code is checked.
func TestOTPLoginThrottled(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	users, err := s.app.FindCollectionByNameOrId(c.Users)
	if err != nil {
		t.Fatal(err)
	}
	users.OTP.Enabled = true
	if err := s.app.Save(users); err != nil {
		t.Fatal(err)
	}
	const addr, clean = "192.0.2.70:1000", "192.0.2.71:1000"
	rec := s.send(http.MethodPost, "/api/collections/users/request-otp", map[string]any{"email": fx.client.email}, "", addr)
	wantStatus(t, "request-otp", rec, http.StatusOK)
	var otp struct {
		OTPId string `json:"otpId"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &otp); err != nil || otp.OTPId == "" {
		t.Fatalf("request-otp: %s", rec.Body)
	}
	for range loginPairMax - 1 {
		wantStatus(t, "wrong code", s.send(http.MethodPost, "/api/collections/users/auth-with-otp",
			map[string]any{"otpId": otp.OTPId, "password": "000000x"}, "", addr), http.StatusBadRequest)
	}
	// a wrong password on the other route counts for the same pair
	wantStatus(t, "wrong password", s.pbLogin(fx.client.email, "wrong", addr), http.StatusBadRequest)
	rec = s.send(http.MethodPost, "/api/collections/users/auth-with-otp", map[string]any{"otpId": otp.OTPId, "password": "000000x"}, "", addr)
	wantThrottled(t, "otp from a locked address", rec, false, loginPairWindow)
	if !strings.Contains(rec.Body.String(), "failed login attempts") {
		t.Errorf("not toolbase's throttle: %s", rec.Body)
	}
	wantStatus(t, "password from elsewhere", s.pbLogin(fx.client.email, fixturePassword, clean), http.StatusOK)
}
