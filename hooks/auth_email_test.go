package hooks

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"

	c "toolbase/collections"
)

// Issue 11 item 6: CLIENT1@example.com could be registered through the records
// API next to client1@example.com, after which the original user's
// /api/token/ login failed. Emails are unique ignoring case on every surface.
func TestEmailUniqueIgnoringCase(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const addr = "192.0.2.60:1000"
	upper := strings.ToUpper(fx.client.email)
	mixed := "Client@Test.Example"

	// records API create, as anyone
	rec := s.send(http.MethodPost, "/api/collections/users/records", map[string]any{
		"email": upper, "password": "s3cret-pass-9", "passwordConfirm": "s3cret-pass-9", "username": "clientdup",
	}, "", addr)
	wantStatus(t, "records API create", rec, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), `"email":{"code":"validation_not_unique"`) {
		t.Errorf("records API create: %s", rec.Body)
	}
	// records API update, by an admin (who may change emails)
	rec = s.send(http.MethodPatch, "/api/collections/users/records/"+fx.client2.id, map[string]any{"email": mixed}, fx.admin.auth, addr)
	wantStatus(t, "records API update", rec, http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), `"email":{"code":"validation_not_unique"`) {
		t.Errorf("records API update: %s", rec.Body)
	}
	// the DRF API's register and admin update, with DRF's message
	status, body := s.do(t, http.MethodPost, "/api/users/register/", map[string]any{
		"email": mixed, "username": "clientdup", "password": "s3cret-pass-9", "password_confirm": "s3cret-pass-9",
	}, "")
	if status != http.StatusBadRequest || !strings.Contains(toJSON(body), `"email":["user with this email already exists."]`) {
		t.Errorf("register: %d %v", status, body)
	}
	status, body = s.do(t, http.MethodPatch, "/api/users/users/"+fx.client2.id+"/", map[string]any{"email": upper}, fx.admin.auth)
	if status != http.StatusBadRequest || !strings.Contains(toJSON(body), `"email":["user with this email already exists."]`) {
		t.Errorf("DRF update: %d %v", status, body)
	}
	// a superuser's save (the dashboard goes through the same save)
	users, err := s.app.FindCollectionByNameOrId(c.Users)
	if err != nil {
		t.Fatal(err)
	}
	dup := core.NewRecord(users)
	dup.SetEmail(mixed)
	dup.SetPassword("s3cret-pass-9")
	dup.Set(c.UserUsername, "clientdup")
	dup.Set(c.UserRole, c.RoleClient)
	if err := s.app.Save(dup); err == nil || !strings.Contains(err.Error(), "email") {
		t.Errorf("superuser save of a case variant: %v", err)
	}
	if n := count(t, s.app, c.Users, nil); n != 5 {
		t.Errorf("%d users, want the 5 fixtures", n)
	}
	// the original user still signs in
	s.login(t, fx.client.email)
}

// Logins match emails ignoring case, on both surfaces.
func TestLoginEmailIgnoresCase(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const addr = "192.0.2.61:1000"
	for _, email := range []string{strings.ToUpper(fx.client.email), "Client@Test.Example"} {
		wantStatus(t, "DRF "+email, s.drfLogin(email, fixturePassword, addr), http.StatusOK)
		wantStatus(t, "native "+email, s.pbLogin(email, fixturePassword, addr), http.StatusOK)
	}
	// a user registered with capitals in the local part signs in with any case
	rec := s.send(http.MethodPost, "/api/collections/users/records", map[string]any{
		"email": "Mixed.Case@Example.com", "password": "s3cret-pass-9", "passwordConfirm": "s3cret-pass-9", "username": "mixedcase",
	}, "", addr)
	wantStatus(t, "records API create", rec, http.StatusOK)
	wantStatus(t, "DRF lowercase", s.drfLogin("mixed.case@example.com", "s3cret-pass-9", addr), http.StatusOK)
	wantStatus(t, "native lowercase", s.pbLogin("MIXED.CASE@EXAMPLE.COM", "s3cret-pass-9", addr), http.StatusOK)
}

// The email index is PocketBase's, with COLLATE NOCASE (which PocketBase's
// identity lookups honour).
func TestUsersEmailIndexNocase(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	users, err := app.FindCollectionByNameOrId(c.Users)
	if err != nil {
		t.Fatal(err)
	}
	index, ok := dbutils.FindSingleColumnUniqueIndex(users.Indexes, c.UserEmail)
	if !ok || !strings.EqualFold(index.Columns[0].Collate, "nocase") || index.Where == "" {
		t.Fatalf("email index: %+v", index)
	}
}

// toJSON encodes a decoded body back, for substring checks.
func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
