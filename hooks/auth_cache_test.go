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

// The use route authenticates from caches (auth_cache.go). Every change that
// makes PocketBase refuse a credential, or changes what the caller is, holds
// at once there, with the caches warm.
func TestIdentityCacheFollowsChanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, w *cachedWorld)
		token  int // the token's use afterwards
		key    int // the key's use afterwards
	}{
		{"new password", func(t *testing.T, w *cachedWorld) {
			w.save(t, func(u *core.Record) { u.SetPassword("another-password-123") })
		}, 401, 200},
		{"deactivated", func(t *testing.T, w *cachedWorld) {
			w.save(t, func(u *core.Record) { u.Set(c.UserDeactivated, true) })
		}, 401, 401},
		{"users' token secret rotated", func(t *testing.T, w *cachedWorld) {
			col, err := w.app.FindCollectionByNameOrId(c.Users)
			if err != nil {
				t.Fatal(err)
			}
			col.AuthToken.Secret = security.RandomString(50)
			if err := w.app.Save(col); err != nil {
				t.Fatal(err)
			}
		}, 401, 200},
		{"key regenerated", func(t *testing.T, w *cachedWorld) {
			if s, b, _ := call(t, http.MethodPost, w.base+keyURL(w.keyID)+"regenerate/", w.token, ""); s != 200 {
				t.Fatalf("regenerate: %d %s", s, b)
			}
		}, 200, 401},
		{"key deactivated", func(t *testing.T, w *cachedWorld) {
			if s, b, _ := call(t, http.MethodPatch, w.base+keyURL(w.keyID), w.token, `{"is_active":false}`); s != 200 {
				t.Fatalf("deactivate: %d %s", s, b)
			}
		}, 200, 401},
		{"key deleted", func(t *testing.T, w *cachedWorld) {
			if s, b, _ := call(t, http.MethodDelete, w.base+keyURL(w.keyID), w.token, ""); s != 204 {
				t.Fatalf("delete: %d %s", s, b)
			}
		}, 200, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newCachedWorld(t)
			tc.change(t, w)
			w.expect(t, "the token after the change", w.token, tc.token)
			w.expect(t, "the key after the change", w.key, tc.key)
		})
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
// seen until a record's time to live (another process's write); money never
// depends on it, the use's transaction checks the key itself.
func TestIdentityCacheServes(t *testing.T) {
	t.Parallel()
	w := newCachedWorld(t)
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
	short, err := newAccessToken(w.user, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	creds := map[string]string{"Authorization": "Bearer " + short}
	w.expect(t, "a token of one second", creds, 200)
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(2 * time.Second)))
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
