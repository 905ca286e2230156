package hooks

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/hook"

	c "toolbase/collections"
)

// Issue 11, item 4: an API key must never take over an account. These tests
// are the attacker's: an ADMIN's leaked key (the most powerful kind) tries
// every way to change a credential, mint a token or reach superuser ground.

const hijacked = "hijacked-pass-99"

// credentialState is what a takeover changes.
type credentialState struct{ email, tokenKey, role, passwordHash string }

func credentialsOf(t testing.TB, app core.App, id string) credentialState {
	t.Helper()
	u, err := app.FindRecordById(c.Users, id)
	if err != nil {
		t.Fatal(err)
	}
	return credentialState{u.Email(), u.TokenKey(), u.GetString(c.UserRole), u.GetString("password:hash") + "|" + u.GetString(core.FieldNameVerified) + "|" + u.GetString(core.FieldNameEmailVisibility)}
}

// assertNoTakeover checks that the users' credentials did not move, that the
// hijacked password does not log in and that the owners' tokens still work.
func assertNoTakeover(t *testing.T, app core.App, base string, before map[string]credentialState, users ...fixtureUser) {
	t.Helper()
	for _, u := range users {
		if got := credentialsOf(t, app, u.id); got != before[u.id] {
			t.Errorf("%s: credentials changed: %+v, were %+v", u.email, got, before[u.id])
		}
		if s, _, _ := call(t, http.MethodPost, base+"/api/token/", nil, `{"email":"`+u.email+`","password":"`+hijacked+`"}`); s == 200 {
			t.Errorf("%s: the hijacked password logs in", u.email)
		}
		if s, body, _ := call(t, http.MethodGet, base+"/api/users/users/me/", bearer(u), ""); s != 200 {
			t.Errorf("%s: the owner's token died: %d %s", u.email, s, body)
		}
	}
	if n := count(t, app, c.Users, nil); n != 5 {
		t.Errorf("%d users, want the 5 fixtures", n)
	}
}

func snapshot(t testing.TB, app core.App, users ...fixtureUser) map[string]credentialState {
	out := map[string]credentialState{}
	for _, u := range users {
		out[u.id] = credentialsOf(t, app, u.id)
	}
	return out
}

type keyedCase struct {
	name, method, url, body string
	status                  int
	contains                string
}

func runKeyed(t *testing.T, base string, headers map[string]string, cases []keyedCase) {
	t.Helper()
	for _, tc := range cases {
		status, body, _ := call(t, tc.method, base+tc.url, headers, tc.body)
		if status != tc.status || !strings.Contains(body, tc.contains) {
			t.Errorf("%s: %s %s → %d %s, want %d with %s", tc.name, tc.method, tc.url, status, body, tc.status, tc.contains)
		}
		for _, leak := range []string{`"token":"`, `"access":"`, `"refresh":"`} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: a token was answered: %s", tc.name, body)
			}
		}
	}
}

func pbRefusal(msg string) string  { return `"message":"` + msg + `"` }
func drfRefusal(msg string) string { return `{"detail":"` + msg + `"}` }

func TestKeyCannotTakeOverAccountsOnRecordsAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	admin := apiKeyHeader(insertKey(t, app, fx.admin.id, "", nil).secret)
	before := snapshot(t, app, fx.admin, fx.client, fx.client2)
	own := "/api/collections/users/records/" + fx.admin.id
	other := "/api/collections/users/records/" + fx.client.id
	pw := `{"password":"` + hijacked + `","passwordConfirm":"` + hijacked + `"}`
	accounts, creds := pbRefusal(msgKeyNoAccounts), pbRefusal(msgKeyNoCredentials)
	runKeyed(t, base, admin, []keyedCase{
		{"own password without oldPassword", http.MethodPatch, own, pw, 403, creds},
		{"own password with oldPassword", http.MethodPatch, own, `{"oldPassword":"` + fixturePassword + `","password":"` + hijacked + `","passwordConfirm":"` + hijacked + `"}`, 403, creds},
		{"another user's password", http.MethodPatch, other, pw, 403, accounts},
		{"own email", http.MethodPatch, own, `{"email":"attacker@evil.example"}`, 403, creds},
		{"another user's email", http.MethodPatch, other, `{"email":"attacker@evil.example"}`, 403, accounts},
		{"own verified", http.MethodPatch, own, `{"verified":false}`, 403, creds},
		{"own emailVisibility", http.MethodPatch, own, `{"emailVisibility":true}`, 403, creds},
		{"own tokenKey", http.MethodPatch, own, `{"tokenKey":"attacker-chosen-token-key-0123456789"}`, 403, creds},
		// the users update rule already refuses an admin's own role change (404)
		{"own role", http.MethodPatch, own, `{"role":"CLIENT"}`, 403, creds},
		{"another user's role", http.MethodPatch, other, `{"role":"ADMIN"}`, 403, accounts},
		{"another user's verified", http.MethodPatch, other, `{"verified":false}`, 403, accounts},
		{"another user's profile", http.MethodPatch, other, `{"first_name":"Owned"}`, 403, accounts},
		{"a new admin account", http.MethodPost, "/api/collections/users/records",
			`{"email":"sock@evil.example","password":"` + hijacked + `","passwordConfirm":"` + hijacked + `","role":"ADMIN","username":"sock"}`, 403, accounts},
		{"delete a user", http.MethodDelete, "/api/collections/users/records/" + fx.client2.id, "", 403, accounts},
		{"list superusers", http.MethodGet, "/api/collections/_superusers/records", "", 403, `"status":403`},
		{"create a superuser", http.MethodPost, "/api/collections/_superusers/records",
			`{"email":"root@evil.example","password":"` + hijacked + `","passwordConfirm":"` + hijacked + `"}`, 403, accounts},
		{"patch a superuser", http.MethodPatch, "/api/collections/_superusers/records/anything", pw, 403, accounts},
		{"delete a superuser", http.MethodDelete, "/api/collections/_superusers/records/anything", "", 403, accounts},
	})
	assertNoTakeover(t, app, base, before, fx.admin, fx.client, fx.client2)

	// what a key still does there: read, and edit its owner's own profile
	client := apiKeyHeader(insertKey(t, app, fx.client.id, "", nil).secret)
	if s, body, _ := call(t, http.MethodPatch, base+"/api/collections/users/records/"+fx.client.id, client, `{"first_name":"Scripted"}`); s != 200 || !strings.Contains(body, `"first_name":"Scripted"`) {
		t.Errorf("a key's own profile edit: %d %s", s, body)
	}
	if s, body, _ := call(t, http.MethodGet, base+"/api/collections/users/records/"+fx.client.id, client, ""); s != 200 {
		t.Errorf("a key's own record: %d %s", s, body)
	}
}

func TestKeyCannotObtainOrRefreshTokens(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	admin := apiKeyHeader(insertKey(t, app, fx.admin.id, "", nil).secret)
	before := snapshot(t, app, fx.admin, fx.client)

	// a refresh token the attacker might also hold
	s, body, _ := call(t, http.MethodPost, base+"/api/token/", nil, `{"email":"`+fx.admin.email+`","password":"`+fixturePassword+`"}`)
	if s != 200 {
		t.Fatalf("login without a key: %d %s", s, body)
	}
	refresh := decode(t, body)["refresh"].(string)
	creds := `{"identity":"` + fx.admin.email + `","password":"` + fixturePassword + `"}`
	notHere := pbRefusal(msgKeyNotHere)
	col := "/api/collections/users/"
	runKeyed(t, base, admin, []keyedCase{
		{"DRF login", http.MethodPost, "/api/token/", `{"email":"` + fx.admin.email + `","password":"` + fixturePassword + `"}`, 403, drfRefusal(msgKeyNoTokens)},
		{"DRF refresh", http.MethodPost, "/api/token/refresh/", `{"refresh":"` + refresh + `"}`, 403, drfRefusal(msgKeyNoTokens)},
		{"DRF verify", http.MethodPost, "/api/token/verify/", `{"token":"x"}`, 403, drfRefusal(msgKeyNoTokens)},
		{"DRF register", http.MethodPost, "/api/users/register/", `{"email":"sock@evil.example","username":"sock","password":"` + hijacked + `","password_confirm":"` + hijacked + `"}`, 403, drfRefusal(msgKeyNoAccounts)},
		{"auth-with-password", http.MethodPost, col + "auth-with-password", creds, 403, notHere},
		{"auth-refresh", http.MethodPost, col + "auth-refresh", "", 403, notHere},
		{"request-otp", http.MethodPost, col + "request-otp", `{"email":"` + fx.admin.email + `"}`, 403, notHere},
		{"auth-with-otp", http.MethodPost, col + "auth-with-otp", `{"otpId":"x","password":"123456"}`, 403, notHere},
		{"auth-with-oauth2", http.MethodPost, col + "auth-with-oauth2", `{"provider":"google","code":"x","codeVerifier":"x","redirectURL":"x"}`, 403, notHere},
		{"request-password-reset", http.MethodPost, col + "request-password-reset", `{"email":"` + fx.client.email + `"}`, 403, notHere},
		{"confirm-password-reset", http.MethodPost, col + "confirm-password-reset", `{"token":"x","password":"` + hijacked + `","passwordConfirm":"` + hijacked + `"}`, 403, notHere},
		{"request-verification", http.MethodPost, col + "request-verification", `{"email":"` + fx.client.email + `"}`, 403, notHere},
		{"confirm-verification", http.MethodPost, col + "confirm-verification", `{"token":"x"}`, 403, notHere},
		{"request-email-change", http.MethodPost, col + "request-email-change", `{"newEmail":"attacker@evil.example"}`, 403, notHere},
		{"confirm-email-change", http.MethodPost, col + "confirm-email-change", `{"token":"x","password":"x"}`, 403, notHere},
		{"impersonate", http.MethodPost, col + "impersonate/" + fx.client.id, `{"duration":3600}`, 403, notHere},
		{"file token", http.MethodPost, "/api/files/token", "", 403, notHere},
		{"realtime", http.MethodGet, "/api/realtime", "", 403, notHere},
	})
	assertNoTakeover(t, app, base, before, fx.admin, fx.client)
}

func TestKeyCannotReachSuperuserGround(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	admin := apiKeyHeader(insertKey(t, app, fx.admin.id, "", nil).secret)
	notHere := pbRefusal(msgKeyNotHere)
	runKeyed(t, base, admin, []keyedCase{
		{"settings", http.MethodGet, "/api/settings", "", 403, notHere},
		{"settings update", http.MethodPatch, "/api/settings", `{"batch":{"enabled":true}}`, 403, notHere},
		{"backups", http.MethodGet, "/api/backups", "", 403, notHere},
		{"backup create", http.MethodPost, "/api/backups", `{}`, 403, notHere},
		{"collections", http.MethodGet, "/api/collections", "", 403, notHere},
		{"collection update", http.MethodPatch, "/api/collections/users", `{"manageRule":""}`, 403, notHere},
		{"collections import", http.MethodPut, "/api/collections/import", `{"collections":[]}`, 403, notHere},
		{"logs", http.MethodGet, "/api/logs", "", 403, notHere},
		{"crons", http.MethodGet, "/api/crons", "", 403, notHere},
		{"superuser impersonation", http.MethodPost, "/api/collections/_superusers/impersonate/x", "", 403, notHere},
		{"superuser login", http.MethodPost, "/api/collections/_superusers/auth-with-password", `{"identity":"a","password":"b"}`, 403, notHere},
	})
}

// TestKeyCannotTakeOverAccountsOnDRFAPI: the DRF routes, with DRF's shape.
func TestKeyCannotTakeOverAccountsOnDRFAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	admin := apiKeyHeader(insertKey(t, app, fx.admin.id, "", nil).secret)
	before := snapshot(t, app, fx.admin, fx.client, fx.client2)
	accounts := drfRefusal(msgKeyNoAccounts)
	user := func(id string) string { return "/api/users/users/" + id + "/" }
	runKeyed(t, base, admin, []keyedCase{
		{"another user's email (PATCH)", http.MethodPatch, user(fx.client.id), `{"email":"attacker@evil.example"}`, 403, accounts},
		{"another user's email (PUT)", http.MethodPut, user(fx.client.id), `{"email":"attacker@evil.example","username":"client"}`, 403, accounts},
		{"own email", http.MethodPatch, user(fx.admin.id), `{"email":"attacker@evil.example"}`, 403, accounts},
		{"another user's password", http.MethodPatch, user(fx.client.id), `{"password":"` + hijacked + `"}`, 403, accounts},
		{"another user's profile", http.MethodPatch, user(fx.client.id), `{"first_name":"Owned"}`, 403, accounts},
		{"delete a user", http.MethodDelete, user(fx.client2.id), "", 403, accounts},
		{"promote a user", http.MethodPost, user(fx.client.id) + "change_role/", `{"role":"ADMIN"}`, 403, accounts},
		{"demote a user", http.MethodPost, user(fx.creator.id) + "change_role/", `{"role":"CLIENT"}`, 403, accounts},
		{"create a key", http.MethodPost, keysURL, `{"key_name":"child"}`, 403, drfRefusal(msgKeysNoManage)},
		{"grant points", http.MethodPost, user(fx.client.id) + "add_points/", `{"points":500,"reason":"x"}`, 403, drfRefusal(msgKeyNoMoney)},
		{"deduct points", http.MethodPost, user(fx.client.id) + "deduct_points/", `{"points":5,"reason":"x"}`, 403, drfRefusal(msgKeyNoMoney)},
		{"approve a payout", http.MethodPost, "/api/payouts/nopayout000000/approve/", "", 403, drfRefusal(msgKeyNoMoney)},
		{"pay a payout", http.MethodPost, "/api/payouts/nopayout000000/mark_paid/", `{"reference":"x"}`, 403, drfRefusal(msgKeyNoMoney)},
		{"reject a payout", http.MethodPost, "/api/payouts/nopayout000000/reject/", "", 403, drfRefusal(msgKeyNoMoney)},
		{"approve a refund", http.MethodPost, "/api/refunds/norefund000000/approve/", "", 403, drfRefusal(msgKeyNoMoney)},
		{"reject a refund", http.MethodPost, "/api/refunds/norefund000000/reject/", "", 403, drfRefusal(msgKeyNoMoney)},
	})
	if r, _ := app.FindRecordById(c.Users, fx.client.id); r.GetInt(c.UserPointsBalance) != fixturePoints {
		t.Errorf("an admin key moved the client's points: %d", r.GetInt(c.UserPointsBalance))
	}
	creator := apiKeyHeader(insertKey(t, app, fx.creator.id, "", nil).secret)
	runKeyed(t, base, creator, []keyedCase{
		{"rotate a signing secret", http.MethodPost, "/api/tools/tools/" + fx.active + "/signing_secret/", "", 403, drfRefusal(msgKeyNoSigning)},
	})
	assertNoTakeover(t, app, base, before, fx.admin, fx.client, fx.client2)
	if r, _ := app.FindRecordById(c.Users, fx.creator.id); r.GetString(c.UserRole) != c.RoleToolCreator {
		t.Error("the creator's role changed")
	}

	// what a key still does there: read users, and edit its owner's profile
	// (update_me: email, role and balances are read-only there)
	client := apiKeyHeader(insertKey(t, app, fx.client.id, "", nil).secret)
	if s, body, _ := call(t, http.MethodGet, base+user(fx.client.id), admin, ""); s != 200 {
		t.Errorf("an admin key reading a user: %d %s", s, body)
	}
	s, body, _ := call(t, http.MethodPatch, base+"/api/users/users/update_me/", client, `{"first_name":"Scripted","email":"attacker@evil.example"}`)
	if s != 200 || !strings.Contains(body, `"first_name":"Scripted"`) {
		t.Errorf("update_me with a key: %d %s", s, body)
	}
	if got := credentialsOf(t, app, fx.client.id); got != before[fx.client.id] {
		t.Errorf("update_me with a key changed credentials: %+v", got)
	}
}

// TestKeyBatchCannotTakeOver: with the batch API on, a keyed batch is refused
// whole, nothing of it applied.
func TestKeyBatchCannotTakeOver(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Settings().Batch.Enabled = true
	app.Settings().Batch.MaxRequests = 10
	if err := app.Save(app.Settings()); err != nil {
		t.Fatal(err)
	}
	base := serve(t, app)
	admin := apiKeyHeader(insertKey(t, app, fx.admin.id, "", nil).secret)
	before := snapshot(t, app, fx.admin, fx.client)
	batch := `{"requests":[
		{"method":"PATCH","url":"/api/collections/users/records/` + fx.admin.id + `","body":{"password":"` + hijacked + `","passwordConfirm":"` + hijacked + `"}},
		{"method":"PATCH","url":"/api/collections/users/records/` + fx.client.id + `","body":{"email":"attacker@evil.example","verified":true}},
		{"method":"POST","url":"/api/collections/users/records","body":{"email":"sock@evil.example","password":"` + hijacked + `","passwordConfirm":"` + hijacked + `","role":"ADMIN"}}
	]}`
	runKeyed(t, base, admin, []keyedCase{{"keyed batch", http.MethodPost, "/api/batch", batch, 403, `"status":403`}})
	assertNoTakeover(t, app, base, before, fx.admin, fx.client)

	// the batch API itself works, with a token
	if s, body, _ := call(t, http.MethodPost, base+"/api/batch", bearer(fx.client), `{"requests":[{"method":"PATCH","url":"/api/collections/users/records/`+fx.client.id+`","body":{"first_name":"Batched"}}]}`); s != 200 {
		t.Errorf("a batch with a token: %d %s", s, body)
	}
}

// serveKeyWithoutPolicy serves app with keys authenticated but keyPolicy
// skipped: what the record request hooks alone refuse (defence in depth).
func serveKeyWithoutPolicy(t *testing.T, app *tests.TestApp) string {
	t.Helper()
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.OnServe().Trigger(&core.ServeEvent{App: app, Router: r}, func(*core.ServeEvent) error { return nil }); err != nil {
		t.Fatal(err)
	}
	r.Unbind("toolbaseAPIKeyAuth")
	r.Bind(&hook.Handler[*core.RequestEvent]{
		Id:       "testKeyWithoutPolicy",
		Priority: keyAuthPriority,
		Func: func(e *core.RequestEvent) error {
			if secret, present, _ := presentedKey(e.Request); present {
				key, err := findKey(e.App, secret, time.Now())
				if err != nil || key == nil {
					return apis.NewUnauthorizedError("test: bad key", err)
				}
				owner, err := e.App.FindRecordById(c.Users, key.User)
				if err != nil {
					return err
				}
				e.Auth = owner
				e.Set(apiKeyEventKey, key.ID)
			}
			return e.Next()
		},
	})
	mux, err := r.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestKeyCredentialHooksWithoutPolicy(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.Settings().Batch.Enabled = true
	if err := app.Save(app.Settings()); err != nil {
		t.Fatal(err)
	}
	base := serveKeyWithoutPolicy(t, app)
	admin := apiKeyHeader(insertKey(t, app, fx.admin.id, "", nil).secret)
	before := snapshot(t, app, fx.admin, fx.client)
	pw := `{"password":"` + hijacked + `","passwordConfirm":"` + hijacked + `"}`
	runKeyed(t, base, admin, []keyedCase{
		{"own password", http.MethodPatch, "/api/collections/users/records/" + fx.admin.id, pw, 403, pbRefusal(msgKeyNoCredentials)},
		{"own email", http.MethodPatch, "/api/collections/users/records/" + fx.admin.id, `{"email":"attacker@evil.example"}`, 403, pbRefusal(msgKeyNoCredentials)},
		{"own verified", http.MethodPatch, "/api/collections/users/records/" + fx.admin.id, `{"verified":true}`, 403, pbRefusal(msgKeyNoCredentials)},
		{"own tokenKey", http.MethodPatch, "/api/collections/users/records/" + fx.admin.id, `{"tokenKey":"attacker-chosen-token-key-0123456789"}`, 403, pbRefusal(msgKeyNoCredentials)},
		{"another user's password", http.MethodPatch, "/api/collections/users/records/" + fx.client.id, pw, 403, pbRefusal(msgKeyNoAccounts)},
		{"a new account", http.MethodPost, "/api/collections/users/records", `{"email":"sock@evil.example","password":"` + hijacked + `","passwordConfirm":"` + hijacked + `"}`, 403, pbRefusal(msgKeyNoAccounts)},
		{"delete a user", http.MethodDelete, "/api/collections/users/records/" + fx.client2.id, "", 403, pbRefusal(msgKeyNoAccounts)},
		{"login", http.MethodPost, "/api/collections/users/auth-with-password", `{"identity":"` + fx.admin.email + `","password":"` + fixturePassword + `"}`, 403, pbRefusal(msgKeyNoTokens)},
		{"refresh", http.MethodPost, "/api/collections/users/auth-refresh", "", 403, pbRefusal(msgKeyNoTokens)},
		{"file token", http.MethodPost, "/api/files/token", "", 403, pbRefusal(msgKeyNoTokens)},
		{"password reset", http.MethodPost, "/api/collections/users/request-password-reset", `{"email":"` + fx.client.email + `"}`, 403, pbRefusal(msgKeyNoCredentials)},
		{"batch", http.MethodPost, "/api/batch", `{"requests":[{"method":"PATCH","url":"/api/collections/users/records/` + fx.admin.id + `","body":` + pw + `}]}`, 403, `"status":403`},
	})
	assertNoTakeover(t, app, base, before, fx.admin, fx.client)
}

// TestTokensStillManageAccounts: what a token could do, it still can.
func TestTokensStillManageAccounts(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	for _, tc := range []keyedCase{
		{"admin token: another user's email on the DRF API", http.MethodPatch, "/api/users/users/" + fx.client.id + "/", `{"email":"client.new@test.example"}`, 200, `"email":"client.new@test.example"`},
		{"admin token: change a role", http.MethodPost, "/api/users/users/" + fx.client2.id + "/change_role/", `{"role":"TOOL_CREATOR"}`, 200, `"role":"TOOL_CREATOR"`},
		{"admin token: another user's verified on the records API", http.MethodPatch, "/api/collections/users/records/" + fx.creator.id, `{"verified":true}`, 200, `"verified":true`},
		{"admin token: own password as a manager", http.MethodPatch, "/api/collections/users/records/" + fx.admin.id, `{"password":"admin-new-pass-1","passwordConfirm":"admin-new-pass-1"}`, 200, `"id":"` + fx.admin.id + `"`},
	} {
		s, body, _ := call(t, tc.method, base+tc.url, bearer(fx.admin), tc.body)
		if s != tc.status || !strings.Contains(body, tc.contains) {
			t.Errorf("%s: %d %s", tc.name, s, body)
		}
	}
	if s, body, _ := call(t, http.MethodPost, base+"/api/token/", nil, `{"email":"`+fx.admin.email+`","password":"admin-new-pass-1"}`); s != 200 || !strings.Contains(body, `"access":"`) {
		t.Errorf("login with the password a token set: %d %s", s, body)
	}
	s, body, _ := call(t, http.MethodPost, base+"/api/collections/users/auth-with-password", nil, `{"identity":"`+fx.client2.email+`","password":"`+fixturePassword+`"}`)
	if s != 200 || !strings.Contains(body, `"token":"`) {
		t.Fatalf("auth-with-password without a key: %d %s", s, body)
	}
	token := decode(t, body)["token"].(string)
	if s, body, _ := call(t, http.MethodPost, base+"/api/collections/users/auth-refresh", map[string]string{"Authorization": token}, ""); s != 200 || !strings.Contains(body, `"token":"`) {
		t.Errorf("auth-refresh with a token: %d %s", s, body)
	}
}
