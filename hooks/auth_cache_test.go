package hooks

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/security"

	c "toolbase/collections"
)

// cachedWorld is a client with a token and an API key, whose credentials the
// use route has already remembered (one use each).
type cachedWorld struct {
	app        *tests.TestApp
	base       string
	user       *core.Record
	token, key map[string]string
	keyID      string
}

func newCachedWorld(t *testing.T) *cachedWorld {
	t.Helper()
	app, _ := newTestBase(t)
	user, err := createUser(app, "cached", c.RoleClient, 100)
	if err != nil {
		t.Fatal(err)
	}
	k := insertKey(t, app, user.Id, "", nil)
	w := &cachedWorld{app: app, base: serve(t, app), user: user,
		token: map[string]string{"Authorization": authOf(t, user)}, key: apiKeyHeader(k.secret), keyID: k.id}
	w.expect(t, "warming the token", w.token, 200)
	w.expect(t, "warming the key", w.key, 200)
	return w
}

// use sends a use of the fixtures' ACTIVE tool with creds.
func (w *cachedWorld) use(t *testing.T, creds map[string]string) (int, string) {
	t.Helper()
	s, b, _ := call(t, http.MethodPost, w.base+useURL(fx.active), creds, `{"input_data":{}}`)
	return s, b
}

func (w *cachedWorld) expect(t *testing.T, what string, creds map[string]string, status int) string {
	t.Helper()
	s, b := w.use(t, creds)
	if s != status {
		t.Fatalf("%s: %d %s, want %d", what, s, b, status)
	}
	return b
}

// save changes the client through the app (its hooks run, as on every API).
func (w *cachedWorld) save(t *testing.T, edit func(u *core.Record)) {
	t.Helper()
	u, err := w.app.FindRecordById(c.Users, w.user.Id)
	if err != nil {
		t.Fatal(err)
	}
	edit(u)
	if err := w.app.Save(u); err != nil {
		t.Fatal(err)
	}
}

// accepted tells whether the use route's authentication accepts creds: a
// use of a tool that does not exist answers 404 past it, 401 at it (so the
// use's transaction, which checks keys again, has no say).
func (w *cachedWorld) accepted(t *testing.T, creds map[string]string) bool {
	t.Helper()
	s, b, _ := call(t, http.MethodPost, w.base+useURL("nosuchtool00000"), creds, `{"input_data":{}}`)
	if s != 404 && s != 401 {
		t.Fatalf("a use of no tool: %d %s", s, b)
	}
	return s == 404
}

// The use route authenticates from caches (auth_cache.go). Every change that
// makes PocketBase (or the key's query) refuse a credential holds at once
// there, with the caches warm.
func TestIdentityCacheFollowsChanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		change     func(t *testing.T, w *cachedWorld)
		token, key bool // accepted afterwards
	}{
		{"new password", func(t *testing.T, w *cachedWorld) {
			w.save(t, func(u *core.Record) { u.SetPassword("another-password-123") })
		}, false, true},
		{"new email", func(t *testing.T, w *cachedWorld) {
			w.save(t, func(u *core.Record) { u.SetEmail("moved@test.example") })
		}, false, true},
		{"deactivated", func(t *testing.T, w *cachedWorld) {
			w.save(t, func(u *core.Record) { u.Set(c.UserDeactivated, true) })
		}, false, false},
		{"deactivated in a transaction", func(t *testing.T, w *cachedWorld) {
			if err := w.app.RunInTransaction(func(tx core.App) error {
				u, err := tx.FindRecordById(c.Users, w.user.Id)
				if err != nil {
					return err
				}
				u.Set(c.UserDeactivated, true)
				return tx.Save(u)
			}); err != nil {
				t.Fatal(err)
			}
		}, false, false},
		{"users' token secret rotated", func(t *testing.T, w *cachedWorld) {
			col, err := w.app.FindCollectionByNameOrId(c.Users)
			if err != nil {
				t.Fatal(err)
			}
			col.AuthToken.Secret = security.RandomString(50)
			if err := w.app.Save(col); err != nil {
				t.Fatal(err)
			}
		}, false, true},
		{"key regenerated", func(t *testing.T, w *cachedWorld) {
			if s, b, _ := call(t, http.MethodPost, w.base+keyURL(w.keyID)+"regenerate/", w.token, ""); s != 200 {
				t.Fatalf("regenerate: %d %s", s, b)
			}
		}, true, false},
		{"key deactivated", func(t *testing.T, w *cachedWorld) {
			if s, b, _ := call(t, http.MethodPatch, w.base+keyURL(w.keyID), w.token, `{"is_active":false}`); s != 200 {
				t.Fatalf("deactivate: %d %s", s, b)
			}
		}, true, false},
		{"key deleted", func(t *testing.T, w *cachedWorld) {
			if s, b, _ := call(t, http.MethodDelete, w.base+keyURL(w.keyID), w.token, ""); s != 204 {
				t.Fatalf("delete: %d %s", s, b)
			}
		}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newCachedWorld(t)
			for _, creds := range []map[string]string{w.token, w.key} {
				if !w.accepted(t, creds) {
					t.Fatal("warm credentials refused before the change")
				}
			}
			tc.change(t, w)
			if got := w.accepted(t, w.token); got != tc.token {
				t.Errorf("the token after the change: accepted %v, want %v", got, tc.token)
			}
			if got := w.accepted(t, w.key); got != tc.key {
				t.Errorf("the key after the change: accepted %v, want %v", got, tc.key)
			}
		})
	}
}

// A key's grace period and expiry end on the cached path as on the query's.
func TestIdentityCacheKeyTimes(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	app, _ := newTestBase(t, func(cfg *Config) { cfg.Now = clock.now })
	base := serve(t, app)
	start := time.Now()
	clock.set(start)
	expiring := insertKey(t, app, fx.client.id, "", func(r *core.Record) { r.Set(c.APIKeyExpiresAt, start.Add(time.Hour)) })
	graced := insertKey(t, app, fx.client.id, "", nil)
	w := &cachedWorld{app: app, base: base}
	for _, k := range []testKey{expiring, graced} {
		if !w.accepted(t, apiKeyHeader(k.secret)) {
			t.Fatal("a fresh key refused")
		}
	}
	s, b, _ := call(t, http.MethodPost, base+keyURL(graced.id)+"regenerate/", bearer(fx.client), `{"grace_seconds":60}`)
	if s != 200 {
		t.Fatalf("regenerate: %d %s", s, b)
	}
	if !w.accepted(t, apiKeyHeader(graced.secret)) {
		t.Fatal("the replaced secret refused within its grace period")
	}
	clock.set(start.Add(2 * time.Hour))
	if w.accepted(t, apiKeyHeader(graced.secret)) || w.accepted(t, apiKeyHeader(expiring.secret)) {
		t.Error("a secret past its grace period or a key past its expiry was accepted")
	}
}

// A key scoped to a tool keeps its scope on the cached path: its tool's uses
// go through, another tool's are refused, warm or cold.
func TestIdentityCacheScopedKey(t *testing.T) {
	t.Parallel()
	app, _ := newTestBase(t)
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, fx.active, nil)
	for i := range 2 {
		if s, b, _ := call(t, http.MethodPost, base+useURL(fx.active), apiKeyHeader(k.secret), `{"input_data":{}}`); s != 200 {
			t.Errorf("use %d of the key's tool: %d %s", i, s, b)
		}
		if s, b, _ := call(t, http.MethodPost, base+useURL(fx.other), apiKeyHeader(k.secret), `{"input_data":{}}`); s != 403 || !strings.Contains(b, msgKeyOutOfScope) {
			t.Errorf("use %d of another tool: %d %s", i, s, b)
		}
	}
}

// A role given is a role held at the next use: an admin uses tools free.
func TestIdentityCacheRoleChange(t *testing.T) {
	t.Parallel()
	w := newCachedWorld(t)
	w.save(t, func(u *core.Record) { u.Set(c.UserRole, c.RoleAdmin) })
	for _, creds := range []map[string]string{w.token, w.key} {
		if b := w.expect(t, "a use as admin", creds, 200); !strings.Contains(b, `"points_spent":0`) {
			t.Errorf("an admin was charged: %s", b)
		}
	}
}

// The caches serve the identity: a write that bypasses the app's hooks is not
// seen until a record's time to live (another process's write), and the
// balance events published to realtime clients do not make them forget it;
// money never depends on it, the use's transaction checks the key itself.
func TestIdentityCacheServes(t *testing.T) {
	t.Parallel()
	w := newCachedWorld(t)
	events := subscribeBalances(t, w.base, w.token["Authorization"], c.Users+"/"+w.user.Id)
	w.expect(t, "a use announced", w.token, 200)
	events.waitFor(t, w.user.Id, c.UserPointsBalance, float64(balance(t, w.app, w.user.Id)), 5*time.Second)
	if _, err := w.app.DB().Update(c.Users, dbx.Params{c.UserRole: c.RoleAdmin}, dbx.HashExp{c.FieldID: w.user.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if b := w.expect(t, "a use after a role written without hooks", w.token, 200); !strings.Contains(b, fmt.Sprintf(`"points_spent":%d`, activeCost)) {
		t.Errorf("the identity was loaded again, not served from the cache: %s", b)
	}
	if _, err := w.app.DB().Update(c.ToolAPIKeys, dbx.Params{c.APIKeyIsActive: false}, dbx.HashExp{c.FieldID: w.keyID}).Execute(); err != nil {
		t.Fatal(err)
	}
	if s, b := w.use(t, w.key); s != 401 || !strings.Contains(b, msgInvalidKey) {
		t.Errorf("a key deactivated without hooks: %d %s, want the use's transaction to refuse it", s, b)
	}
}

// A remembered token ends with its exp; tokens PocketBase refuses stay
// refused (never remembered), and a superuser's is still not for the DRF API.
func TestIdentityCacheTokenEnds(t *testing.T) {
	t.Parallel()
	w := newCachedWorld(t)
	// exp is in whole seconds: two seconds of lifetime leave at least one
	short, err := newAccessToken(w.user, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := security.ParseUnverifiedJWT(short)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := claims.GetExpirationTime()
	if err != nil {
		t.Fatal(err)
	}
	creds := map[string]string{"Authorization": "Bearer " + short}
	w.expect(t, "a token of two seconds", creds, 200)
	time.Sleep(time.Until(exp.Time) + 50*time.Millisecond)
	if b := w.expect(t, "the expired token", creds, 401); !strings.Contains(b, "token_not_valid") {
		t.Errorf("expired token: %s", b)
	}

	forged, err := security.NewJWT(map[string]any{core.TokenClaimType: core.TokenTypeAuth, core.TokenClaimId: w.user.Id,
		core.TokenClaimCollectionId: w.user.Collection().Id}, "not the key", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		w.expect(t, fmt.Sprintf("a forged token (%d)", i), map[string]string{"Authorization": "Bearer " + forged}, 401)
	}
	su := map[string]string{"Authorization": superuserAuth(t, w.app)}
	for i := range 2 {
		w.expect(t, fmt.Sprintf("a superuser's token (%d)", i), su, 403)
	}
}

// Routes that read balances never see the cached identity: after uses
// through the cache, the client's own view shows what the ledger holds.
func TestIdentityCacheBalancesStayFresh(t *testing.T) {
	t.Parallel()
	w := newCachedWorld(t)
	want := balance(t, w.app, w.user.Id)
	for _, path := range []string{"/api/users/users/me/", "/api/users/clients/points_balance/"} {
		s, b, _ := call(t, http.MethodGet, w.base+path, w.token, "")
		if s != 200 || !strings.Contains(b, fmt.Sprintf(`"points_balance":%d`, want)) {
			t.Errorf("%s after two uses: %d %s, want points_balance %d", path, s, b, want)
		}
	}
}
