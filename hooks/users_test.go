package hooks

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// scenario is one request of a route × role table.
type scenario struct {
	name    string
	method  string
	url     string
	auth    string // Authorization header, "" for anonymous
	headers map[string]string
	body    any // JSON value, raw string, or nil
	status  int
	want    []string // substrings of the compact JSON answer
	notWant []string
	before  func(t testing.TB, app *tests.TestApp)
	after   func(t testing.TB, app *tests.TestApp, res *http.Response)
	factory func(t testing.TB) *tests.TestApp
}

func runScenarios(t *testing.T, list []scenario) {
	t.Helper()
	for _, s := range list {
		var body io.Reader
		if s.body != nil {
			body = jsonBody(s.body)
		}
		headers := map[string]string{}
		for k, v := range s.headers {
			headers[k] = v
		}
		if s.auth != "" {
			headers["Authorization"] = s.auth
		}
		factory := s.factory
		if factory == nil {
			factory = testAppFactory
		}
		api := tests.ApiScenario{
			Name:               s.name,
			Method:             s.method,
			URL:                s.url,
			Body:               body,
			Headers:            headers,
			ExpectedStatus:     s.status,
			ExpectedContent:    s.want,
			NotExpectedContent: s.notWant,
			TestAppFactory:     factory,
			AfterTestFunc:      s.after,
		}
		if s.before != nil {
			before := s.before
			api.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) { before(t, app) }
		}
		if len(api.ExpectedContent) == 0 && len(api.NotExpectedContent) == 0 && s.status != http.StatusNoContent {
			t.Fatalf("%s: a scenario must say what the body holds", s.name)
		}
		api.Test(t)
	}
}

// Expected bodies of DRF's common answers.
const (
	bodyNotAuthenticated = `{"detail":"Authentication credentials were not provided."}`
	bodyForbidden        = `{"detail":"You do not have permission to perform this action."}`
	bodyNotFound         = `{"detail":"Not found."}`
)

// emailsBut lists the fixture emails other than those of keep, for
// NotExpectedContent: no other user's data in an answer.
func emailsBut(keep ...fixtureUser) []string {
	var out []string
	for _, u := range []fixtureUser{fx.admin, fx.creator, fx.creator2, fx.client, fx.client2} {
		other := true
		for _, k := range keep {
			other = other && k.id != u.id
		}
		if other {
			out = append(out, `"`+u.email+`"`, `"`+u.id+`"`)
		}
	}
	return out
}

// freshUserID is the id of a user without any history, made by withFreshUser.
const freshUserID = "freshuser000001"

func withFreshUser(t testing.TB, app *tests.TestApp) {
	users, err := app.FindCollectionByNameOrId(c.Users)
	if err != nil {
		t.Fatal(err)
	}
	u := core.NewRecord(users)
	u.Id = freshUserID
	u.SetEmail("fresh@test.example")
	u.SetPassword(fixturePassword)
	u.Set(c.UserUsername, "fresh")
	u.Set(c.UserRole, c.RoleClient)
	if err := app.Save(u); err != nil {
		t.Fatal(err)
	}
}

// userField reads a stored field of a user.
func userField(t testing.TB, app core.App, id, field string) any {
	t.Helper()
	return findUser(t, app, id).Get(field)
}

func expectField(t testing.TB, app core.App, id, field string, want any) {
	t.Helper()
	got := userField(t, app, id, field)
	if !sameJSON(got, want) {
		t.Errorf("%s of %s: got %v, want %v", field, id, got, want)
	}
}

// --- register/ -------------------------------------------------------------

func TestRegister(t *testing.T) {
	t.Parallel()
	const url = "/api/users/register/"
	valid := func(overrides map[string]any) map[string]any {
		body := map[string]any{
			"email": "newbie@Example.COM", "username": "newbie", "password": "s3cret-pass", "password_confirm": "s3cret-pass",
			"first_name": "New", "last_name": "Bie", "phone_number": "+49 30 123", "company_name": "Bie GmbH", "bio": "hello",
			"profile": map[string]any{"website": "https://bie.example", "location": "Berlin", "skills": []string{"go", "sql"}, "marketing_emails": true},
		}
		for k, v := range overrides {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		return body
	}
	registered := func(t testing.TB, app *tests.TestApp, res *http.Response) {
		u, err := app.FindAuthRecordByEmail(c.Users, "newbie@example.com")
		if err != nil {
			t.Fatal("not saved:", err)
		}
		if u.GetString(c.UserRole) != c.RoleClient || u.GetInt64(c.UserPointsBalance) != 0 || u.GetInt64(c.UserTotalRevenue) != 0 {
			t.Errorf("role %q points %d", u.GetString(c.UserRole), u.GetInt64(c.UserPointsBalance))
		}
		if !u.ValidatePassword("s3cret-pass") {
			t.Error("password not set")
		}
		if !u.GetBool(c.UserEmailNotifications) {
			t.Error("email_notifications should default to true")
		}
		mustVerify(t, app)
	}
	closed := func(rule *string) func(t testing.TB) *tests.TestApp {
		return func(t testing.TB) *tests.TestApp {
			app := newTestApp(t)
			users, _ := app.FindCollectionByNameOrId(c.Users)
			users.CreateRule = rule
			if err := app.Save(users); err != nil {
				t.Fatal(err)
			}
			return app
		}
	}
	runScenarios(t, []scenario{
		{name: "201 anonymous registers a client", method: "POST", url: url, body: valid(nil), status: 201,
			want: []string{`"email":"newbie@example.com"`, `"username":"newbie"`, `"role":"CLIENT"`, `"points_balance":0`,
				`"phone_number":"+49 30 123"`, `"company_name":"Bie GmbH"`, `"bio":"hello"`, `"api_key":null`, `"avatar":null`,
				`"profile":{"website":"https://bie.example","location":"Berlin","skills":["go","sql"],"email_notifications":true,"marketing_emails":true}`},
			notWant: []string{`"password"`, `s3cret-pass`},
			after:   registered},
		{name: "201 role and balances in the body are ignored", method: "POST", url: url,
			body:   valid(map[string]any{"role": "ADMIN", "points_balance": 1000000, "total_revenue": 5, "total_payouts": 5, "id": "chosenid0000001"}),
			status: 201, want: []string{`"role":"CLIENT"`, `"points_balance":0`, `"total_revenue":0`}, notWant: []string{"chosenid0000001"},
			after: registered},
		{name: "201 minimal body, no profile", method: "POST", url: url,
			body:   map[string]any{"email": "newbie@example.com", "username": "newbie", "password": "s3cret-pass", "password_confirm": "s3cret-pass"},
			status: 201, want: []string{`"profile":{"website":"","location":"","skills":[],"email_notifications":true,"marketing_emails":false}`},
			after: registered},
		{name: "201 form-encoded", method: "POST", url: url,
			body:    "email=newbie%40example.com&username=newbie&password=s3cret-pass&password_confirm=s3cret-pass",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			status:  201, want: []string{`"username":"newbie"`},
			after: registered},
		{name: "400 passwords don't match", method: "POST", url: url, body: valid(map[string]any{"password_confirm": "other-pass-1"}),
			status: 400, want: []string{`{"non_field_errors":["Passwords don't match"]}`}},
		{name: "400 duplicate email, whatever its case", method: "POST", url: url, body: valid(map[string]any{"email": strings.ToUpper(fx.client.email)}),
			status: 400, want: []string{`{"email":["user with this email already exists."]}`}},
		{name: "400 duplicate username, whatever its case", method: "POST", url: url, body: valid(map[string]any{"username": "Client"}),
			status: 400, want: []string{`{"username":["A user with that username already exists."]}`}},
		{name: "400 short password", method: "POST", url: url, body: valid(map[string]any{"password": "short1", "password_confirm": "short1"}),
			status: 400, want: []string{`{"password":["This password is too short. It must contain at least 8 characters."]}`}},
		{name: "400 numeric password", method: "POST", url: url, body: valid(map[string]any{"password": "12345678901", "password_confirm": "12345678901"}),
			status: 400, want: []string{`{"password":["This password is entirely numeric."]}`}},
		{name: "400 password is the username", method: "POST", url: url, body: valid(map[string]any{"username": "longusername", "password": "LongUserName", "password_confirm": "LongUserName"}),
			status: 400, want: []string{`{"password":["The password is too similar to the username."]}`}},
		{name: "400 password over bcrypt's limit", method: "POST", url: url, body: valid(map[string]any{"password": strings.Repeat("pw", 40), "password_confirm": strings.Repeat("pw", 40)}),
			status: 400, want: []string{`{"password":["Ensure this field has no more than 71 characters."]}`}},
		{name: "400 missing required fields", method: "POST", url: url, body: map[string]any{"first_name": "x"},
			status: 400, want: []string{`"email":["This field is required."]`, `"username":["This field is required."]`,
				`"password":["This field is required."]`, `"password_confirm":["This field is required."]`}},
		{name: "400 wrong types", method: "POST", url: url,
			body:   valid(map[string]any{"email": 5, "username": []string{"a"}, "first_name": map[string]any{}, "bio": true, "profile": map[string]any{"skills": "go", "email_notifications": "maybe", "website": 3}}),
			status: 400, want: []string{`"email":["Enter a valid email address."]`, `"username":["Not a valid string."]`, `"first_name":["Not a valid string."]`,
				`"bio":["Not a valid string."]`, `"skills":["Expected a list of items but got type \"str\"."]`, `"email_notifications":["Must be a valid boolean."]`,
				`"website":["Enter a valid URL."]`}},
		{name: "400 profile is not an object", method: "POST", url: url, body: valid(map[string]any{"profile": []string{"x"}}),
			status: 400, want: []string{`{"profile":["Expected a dictionary of items but got type \"list\"."]}`}},
		{name: "400 invalid email and username", method: "POST", url: url, body: valid(map[string]any{"email": "not-an-email", "username": "has space"}),
			status: 400, want: []string{`"email":["Enter a valid email address."]`, `"username":["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."]`}},
		{name: "400 huge strings", method: "POST", url: url,
			body:   valid(map[string]any{"username": strings.Repeat("u", 151), "bio": strings.Repeat("b", 2001), "phone_number": strings.Repeat("1", 21), "profile": map[string]any{"skills": make([]string, 51)}}),
			status: 400, want: []string{`"username":["Ensure this field has no more than 150 characters."]`, `"bio":["Ensure this field has no more than 2000 characters."]`,
				`"phone_number":["Ensure this field has no more than 20 characters."]`, `"skills":["Ensure this field has no more than 50 elements."]`}},
		{name: "400 malformed JSON", method: "POST", url: url, body: `{"email": "a@b.example", `, status: 400, want: []string{bodyMalformedJSON}},
		{name: "400 not an object", method: "POST", url: url, body: `"register me"`, status: 400,
			want: []string{`{"non_field_errors":["Invalid data. Expected a dictionary, but got str."]}`}},
		{name: "413 body over the limit", method: "POST", url: url, body: valid(map[string]any{"bio": strings.Repeat("b", maxBodyBytes)}),
			status: 413, want: []string{`"detail":"Request body exceeds`}},
		{name: "403 registration closed by the create rule", method: "POST", url: url, body: valid(nil), status: 403,
			want: []string{`{"detail":"Registration is closed."}`}, factory: closed(nil)},
		{name: "403 the create rule refuses this email", method: "POST", url: url, body: valid(nil), status: 403,
			want: []string{`{"detail":"Registration is closed."}`}, factory: closed(types.Pointer(`email ~ "@corp.example"`))},
		{name: "201 the create rule accepts this email", method: "POST", url: url, body: valid(map[string]any{"email": "newbie@corp.example"}), status: 201,
			want: []string{`"email":"newbie@corp.example"`}, factory: closed(types.Pointer(`email ~ "@corp.example"`))},
		{name: "405 GET", method: "GET", url: url, status: 405, want: []string{`{"detail":"Method \"GET\" not allowed."}`}},
	})
}

// --- users/ ----------------------------------------------------------------

func TestUsersList(t *testing.T) {
	t.Parallel()
	const url = "/api/users/users/"
	runScenarios(t, []scenario{
		{name: "401 anonymous", method: "GET", url: url, status: 401, want: []string{bodyNotAuthenticated}},
		{name: "401 bad token", method: "GET", url: url, auth: "Bearer nope", status: 401, want: []string{`"code":"token_not_valid"`}},
		{name: "403 client", method: "GET", url: url, auth: fx.client.auth, status: 403, want: []string{bodyForbidden}},
		{name: "403 creator", method: "GET", url: url, auth: fx.creator.auth, status: 403, want: []string{bodyForbidden}},
		{name: "200 admin, newest first, list representation", method: "GET", url: url, auth: fx.admin.auth, status: 200,
			want: []string{`{"count":5,"next":null,"previous":null,"results":[{"id":"` + fx.client2.id + `","email":"client2@test.example","username":"client2","first_name":"client2","last_name":"","role":"CLIENT","created_at":"`,
				`"email":"` + fx.admin.email + `"`},
			notWant: []string{`"points_balance"`, `"password"`, `"tokenKey"`}},
		{name: "200 admin, paginated", method: "GET", url: url + "?page_size=2&page=2", auth: fx.admin.auth, status: 200,
			want: []string{`"count":5`, `"next":"http://example.com/api/users/users/?page=3&page_size=2"`, `"previous":"http://example.com/api/users/users/?page_size=2"`}},
		{name: "200 admin, filtered by role", method: "GET", url: url + "?role=TOOL_CREATOR", auth: fx.admin.auth, status: 200,
			want: []string{`"count":2`, fx.creator.email, fx.creator2.email}, notWant: []string{fx.client.email}},
		{name: "200 admin, search", method: "GET", url: url + "?search=creator2", auth: fx.admin.auth, status: 200,
			want: []string{`"count":1`, fx.creator2.email}},
		{name: "200 admin, search wildcards are literal", method: "GET", url: url + "?search=%25_", auth: fx.admin.auth, status: 200,
			want: []string{`"count":0`}},
		{name: "400 admin, unknown role", method: "GET", url: url + "?role=GOD", auth: fx.admin.auth, status: 400,
			want: []string{`{"role":["Select a valid choice. GOD is not one of the available choices."]}`}},
		{name: "404 admin, page out of range", method: "GET", url: url + "?page=9", auth: fx.admin.auth, status: 404,
			want: []string{`{"detail":"Invalid page."}`}},
		{name: "200 admin, a GET's malformed body is ignored", method: "GET", url: url, auth: fx.admin.auth, body: `[`, status: 200,
			want: []string{`"count":5`}},
		{name: "405 POST", method: "POST", url: url, auth: fx.admin.auth, body: map[string]any{}, status: 405,
			want: []string{`{"detail":"Method \"POST\" not allowed."}`}},
	})
}

// --- users/{id}/ -----------------------------------------------------------

func TestUserDetail(t *testing.T) {
	t.Parallel()
	url := func(u fixtureUser) string { return "/api/users/users/" + u.id + "/" }
	runScenarios(t, []scenario{
		{name: "401 anonymous", method: "GET", url: url(fx.client), status: 401, want: []string{bodyNotAuthenticated}},
		{name: "200 client sees itself, detail representation", method: "GET", url: url(fx.client), auth: fx.client.auth, status: 200,
			want: []string{`{"id":"` + fx.client.id + `","email":"client@test.example","username":"client","first_name":"client","last_name":"","role":"CLIENT","phone_number":"","company_name":"","bio":"","avatar":null,"points_balance":1000,"api_key":null,"total_revenue":0,"total_payouts":0,"profile":{"website":"","location":"","skills":[],"email_notifications":false,"marketing_emails":false},"created_at":"`,
				`"updated_at":"`},
			notWant: emailsBut(fx.client)},
		{name: "404 client, another user", method: "GET", url: url(fx.client2), auth: fx.client.auth, status: 404, want: []string{bodyNotFound},
			notWant: emailsBut(fx.client)},
		{name: "404 creator, another user", method: "GET", url: url(fx.admin), auth: fx.creator.auth, status: 404, want: []string{bodyNotFound}},
		{name: "200 creator sees itself", method: "GET", url: url(fx.creator), auth: fx.creator.auth, status: 200,
			want: []string{`"role":"TOOL_CREATOR"`}, notWant: emailsBut(fx.creator)},
		{name: "200 admin, another user", method: "GET", url: url(fx.client2), auth: fx.admin.auth, status: 200,
			want: []string{`"email":"client2@test.example"`, `"points_balance":1000`}},
		{name: "404 admin, unknown id", method: "GET", url: "/api/users/users/nosuchuser0000/", auth: fx.admin.auth, status: 404, want: []string{bodyNotFound}},
		{name: "200 a GET's malformed body is ignored", method: "GET", url: url(fx.client), auth: fx.client.auth, body: `{"role":`, status: 200,
			want: []string{`"id":"` + fx.client.id + `"`}},
		{name: "405 POST", method: "POST", url: url(fx.client), auth: fx.admin.auth, body: map[string]any{}, status: 405,
			want: []string{`{"detail":"Method \"POST\" not allowed."}`}},
	})
}

func TestUserUpdate(t *testing.T) {
	t.Parallel()
	url := func(u fixtureUser) string { return "/api/users/users/" + u.id + "/" }
	runScenarios(t, []scenario{
		{name: "401 anonymous", method: "PATCH", url: url(fx.client), body: map[string]any{"first_name": "x"}, status: 401, want: []string{bodyNotAuthenticated}},
		{name: "403 client on itself (use update_me)", method: "PATCH", url: url(fx.client), auth: fx.client.auth, body: map[string]any{"first_name": "x"},
			status: 403, want: []string{bodyForbidden}},
		{name: "403 client on another user", method: "PUT", url: url(fx.client2), auth: fx.client.auth, body: map[string]any{"first_name": "x"},
			status: 403, want: []string{bodyForbidden}},
		{name: "403 creator", method: "DELETE", url: url(fx.client2), auth: fx.creator.auth, status: 403, want: []string{bodyForbidden}},
		{name: "200 admin PATCH; role and balances ignored", method: "PATCH", url: url(fx.client), auth: fx.admin.auth,
			body: map[string]any{"first_name": "Cleo", "bio": "edited", "role": "ADMIN", "points_balance": 5, "total_revenue": 9,
				"profile": map[string]any{"location": "Oslo", "email_notifications": true}},
			status: 200, want: []string{`"first_name":"Cleo"`, `"bio":"edited"`, `"role":"CLIENT"`, `"points_balance":1000`, `"total_revenue":0`,
				`"location":"Oslo"`, `"email_notifications":true`},
			after: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectField(t, app, fx.client.id, c.UserFirstName, "Cleo")
				expectField(t, app, fx.client.id, c.UserRole, c.RoleClient)
				expectField(t, app, fx.client.id, c.UserPointsBalance, float64(fixturePoints))
				mustVerify(t, app)
			}},
		{name: "200 admin PUT, email changed", method: "PUT", url: url(fx.client2), auth: fx.admin.auth,
			body:   map[string]any{"email": "renamed@test.example", "username": "renamed", "last_name": "Two"},
			status: 200, want: []string{`"email":"renamed@test.example"`, `"username":"renamed"`, `"last_name":"Two"`, `"first_name":"client2"`},
			after: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectField(t, app, fx.client2.id, c.UserEmail, "renamed@test.example")
			}},
		{name: "400 admin PUT without the required fields", method: "PUT", url: url(fx.client2), auth: fx.admin.auth, body: map[string]any{"bio": "x"},
			status: 400, want: []string{`"email":["This field is required."]`, `"username":["This field is required."]`}},
		{name: "400 admin PATCH, taken email and username", method: "PATCH", url: url(fx.client2), auth: fx.admin.auth,
			body:   map[string]any{"email": fx.creator.email, "username": "ADMIN"},
			status: 400, want: []string{`"email":["user with this email already exists."]`, `"username":["A user with that username already exists."]`}},
		{name: "200 admin PATCH keeps the user's own email", method: "PATCH", url: url(fx.client2), auth: fx.admin.auth,
			body: map[string]any{"email": fx.client2.email, "username": "client2"}, status: 200, want: []string{`"email":"client2@test.example"`}},
		{name: "400 admin PATCH, wrong types and huge strings", method: "PATCH", url: url(fx.client2), auth: fx.admin.auth,
			body:   map[string]any{"first_name": 12.5, "last_name": strings.Repeat("l", 151), "company_name": nil, "profile": map[string]any{"website": "ftp://x", "skills": []any{1}}},
			status: 400, want: []string{`"last_name":["Ensure this field has no more than 150 characters."]`, `"company_name":["This field may not be null."]`,
				`"website":["Enter a valid URL."]`, `"skills":["Each item must be a string of at most 100 characters."]`}},
		{name: "400 admin, malformed JSON", method: "PATCH", url: url(fx.client2), auth: fx.admin.auth, body: `{"first_name":`, status: 400, want: []string{bodyMalformedJSON}},
		{name: "404 admin, unknown id", method: "PATCH", url: "/api/users/users/nosuchuser0000/", auth: fx.admin.auth, body: map[string]any{"bio": "x"},
			status: 404, want: []string{bodyNotFound}},
		{name: "413 admin, body over the limit", method: "PATCH", url: url(fx.client2), auth: fx.admin.auth, body: map[string]any{"bio": strings.Repeat("b", maxBodyBytes)},
			status: 413, want: []string{`"detail":"Request body exceeds`}},
	})
}

func TestUserDelete(t *testing.T) {
	t.Parallel()
	url := func(id string) string { return "/api/users/users/" + id + "/" }
	runScenarios(t, []scenario{
		{name: "401 anonymous", method: "DELETE", url: url(freshUserID), status: 401, want: []string{bodyNotAuthenticated}},
		{name: "403 client", method: "DELETE", url: url(freshUserID), auth: fx.client.auth, status: 403, want: []string{bodyForbidden}, before: withFreshUser},
		{name: "204 admin, a user without history", method: "DELETE", url: url(freshUserID), auth: fx.admin.auth, status: 204, before: withFreshUser,
			after: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if _, err := app.FindRecordById(c.Users, freshUserID); err == nil {
					t.Error("user still there")
				}
			}},
		{name: "409 admin, a client with ledger rows", method: "DELETE", url: url(fx.client.id), auth: fx.admin.auth, status: 409,
			want: []string{`{"detail":"This user has usage or ledger history, which is never deleted. Change the user's role instead."}`},
			after: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				findUser(t, app, fx.client.id)
				mustVerify(t, app)
			}},
		{name: "409 admin, a creator with tools", method: "DELETE", url: url(fx.creator2.id), auth: fx.admin.auth, status: 409,
			want: []string{`"detail":"This user owns tools.`}},
		{name: "403 admin deletes itself", method: "DELETE", url: url(fx.admin.id), auth: fx.admin.auth, status: 403,
			want: []string{`{"detail":"You cannot delete your own account."}`}},
		{name: "404 admin, unknown id", method: "DELETE", url: url("nosuchuser0000"), auth: fx.admin.auth, status: 404, want: []string{bodyNotFound}},
		{name: "204 a DELETE's malformed body is ignored", method: "DELETE", url: url(freshUserID), auth: fx.admin.auth, body: `{{{`, status: 204, before: withFreshUser},
	})
}

// --- users/{id}/change_role/ -----------------------------------------------

func TestChangeRole(t *testing.T) {
	t.Parallel()
	url := func(id string) string { return "/api/users/users/" + id + "/change_role/" }
	invalid := []string{`{"error":"Invalid role"}`}
	runScenarios(t, []scenario{
		{name: "401 anonymous", method: "POST", url: url(fx.client.id), body: map[string]any{"role": "ADMIN"}, status: 401, want: []string{bodyNotAuthenticated}},
		{name: "403 client promotes itself", method: "POST", url: url(fx.client.id), auth: fx.client.auth, body: map[string]any{"role": "ADMIN"},
			status: 403, want: []string{bodyForbidden},
			after: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectField(t, app, fx.client.id, c.UserRole, c.RoleClient)
			}},
		{name: "403 creator", method: "POST", url: url(fx.client.id), auth: fx.creator.auth, body: map[string]any{"role": "TOOL_CREATOR"},
			status: 403, want: []string{bodyForbidden}},
		{name: "200 admin makes a client a creator", method: "POST", url: url(fx.client.id), auth: fx.admin.auth, body: map[string]any{"role": "TOOL_CREATOR"},
			status: 200, want: []string{`"id":"` + fx.client.id + `"`, `"role":"TOOL_CREATOR"`},
			after: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectField(t, app, fx.client.id, c.UserRole, c.RoleToolCreator)
			}},
		{name: "200 admin makes a creator an admin", method: "POST", url: url(fx.creator.id), auth: fx.admin.auth, body: map[string]any{"role": "ADMIN"},
			status: 200, want: []string{`"role":"ADMIN"`}},
		{name: "403 admin changes its own role", method: "POST", url: url(fx.admin.id), auth: fx.admin.auth, body: map[string]any{"role": "CLIENT"},
			status: 403, want: []string{`{"detail":"You cannot change your own role."}`},
			after: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectField(t, app, fx.admin.id, c.UserRole, c.RoleAdmin)
			}},
		{name: "400 unknown role", method: "POST", url: url(fx.client.id), auth: fx.admin.auth, body: map[string]any{"role": "SUPERUSER"}, status: 400, want: invalid},
		{name: "400 lowercase role", method: "POST", url: url(fx.client.id), auth: fx.admin.auth, body: map[string]any{"role": "admin"}, status: 400, want: invalid},
		{name: "400 missing role", method: "POST", url: url(fx.client.id), auth: fx.admin.auth, body: map[string]any{}, status: 400, want: invalid},
		{name: "400 wrong type", method: "POST", url: url(fx.client.id), auth: fx.admin.auth, body: map[string]any{"role": []string{"ADMIN"}}, status: 400, want: invalid},
		{name: "400 malformed JSON", method: "POST", url: url(fx.client.id), auth: fx.admin.auth, body: `{"role":`, status: 400, want: []string{bodyMalformedJSON}},
		{name: "404 unknown id", method: "POST", url: url("nosuchuser0000"), auth: fx.admin.auth, body: map[string]any{"role": "CLIENT"}, status: 404, want: []string{bodyNotFound}},
		{name: "405 GET", method: "GET", url: url(fx.client.id), auth: fx.admin.auth, status: 405, want: []string{`{"detail":"Method \"GET\" not allowed."}`}},
	})
}

// --- users/me/ and users/update_me/ ----------------------------------------

func TestMe(t *testing.T) {
	t.Parallel()
	const url = "/api/users/users/me/"
	runScenarios(t, []scenario{
		{name: "401 anonymous", method: "GET", url: url, status: 401, want: []string{bodyNotAuthenticated}},
		{name: "401 refresh token as credential", method: "GET", url: url, auth: "Bearer " + mintRefresh(t, newTestApp(t), fx.client.id, time.Now(), time.Hour),
			status: 401, want: []string{`"code":"token_not_valid"`}},
		{name: "200 client", method: "GET", url: url, auth: fx.client.auth, status: 200,
			want: []string{`"id":"` + fx.client.id + `"`, `"points_balance":1000`, `"profile":{`}, notWant: emailsBut(fx.client)},
		{name: "200 creator", method: "GET", url: url, auth: fx.creator.auth, status: 200,
			want: []string{`"id":"` + fx.creator.id + `"`, `"role":"TOOL_CREATOR"`, `"total_revenue":0`}, notWant: emailsBut(fx.creator)},
		{name: "200 admin", method: "GET", url: url, auth: fx.admin.auth, status: 200,
			want: []string{`"id":"` + fx.admin.id + `"`, `"role":"ADMIN"`}, notWant: emailsBut(fx.admin)},
		{name: "405 PATCH", method: "PATCH", url: url, auth: fx.client.auth, body: map[string]any{}, status: 405,
			want: []string{`{"detail":"Method \"PATCH\" not allowed."}`}},
	})
}

func TestUpdateMe(t *testing.T) {
	t.Parallel()
	const url = "/api/users/users/update_me/"
	runScenarios(t, []scenario{
		{name: "401 anonymous", method: "PATCH", url: url, body: map[string]any{"bio": "x"}, status: 401, want: []string{bodyNotAuthenticated}},
		{name: "200 PATCH; email, role and balances are read-only", method: "PATCH", url: url, auth: fx.client.auth,
			body: map[string]any{"first_name": "Cleo", "company_name": "Acme", "email": "hijack@test.example", "role": "ADMIN",
				"points_balance": 99999, "total_payouts": 3, "profile": map[string]any{"website": "https://cleo.example", "skills": []string{"a"}, "marketing_emails": true}},
			status: 200, want: []string{`"first_name":"Cleo"`, `"company_name":"Acme"`, `"email":"client@test.example"`, `"role":"CLIENT"`,
				`"points_balance":1000`, `"total_payouts":0`, `"website":"https://cleo.example"`, `"skills":["a"]`, `"marketing_emails":true`},
			notWant: emailsBut(fx.client),
			after: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectField(t, app, fx.client.id, c.UserEmail, fx.client.email)
				expectField(t, app, fx.client.id, c.UserRole, c.RoleClient)
				expectField(t, app, fx.client.id, c.UserCompanyName, "Acme")
				mustVerify(t, app)
			}},
		{name: "200 creator PUT with the required username", method: "PUT", url: url, auth: fx.creator.auth,
			body: map[string]any{"username": "creator.one", "bio": "I build tools"}, status: 200,
			want: []string{`"username":"creator.one"`, `"bio":"I build tools"`, `"role":"TOOL_CREATOR"`}},
		{name: "200 admin PATCH cannot change its own role here either", method: "PATCH", url: url, auth: fx.admin.auth,
			body: map[string]any{"role": "CLIENT", "last_name": "Root"}, status: 200, want: []string{`"role":"ADMIN"`, `"last_name":"Root"`}},
		{name: "400 PUT without username", method: "PUT", url: url, auth: fx.client.auth, body: map[string]any{"bio": "x"},
			status: 400, want: []string{`{"username":["This field is required."]}`}},
		{name: "400 taken username", method: "PATCH", url: url, auth: fx.client.auth, body: map[string]any{"username": "CLIENT2"},
			status: 400, want: []string{`{"username":["A user with that username already exists."]}`}},
		{name: "400 wrong types", method: "PATCH", url: url, auth: fx.client.auth,
			body:   map[string]any{"username": []int{7}, "phone_number": []int{1}, "profile": "berlin"},
			status: 400, want: []string{`"username":["Not a valid string."]`, `"phone_number":["Not a valid string."]`, `"profile":["Expected a dictionary of items but got type \"str\"."]`}},
		{name: "400 blank username", method: "PATCH", url: url, auth: fx.client.auth, body: map[string]any{"username": "  "},
			status: 400, want: []string{`{"username":["This field may not be blank."]}`}},
		{name: "400 huge strings", method: "PATCH", url: url, auth: fx.client.auth,
			body:   map[string]any{"company_name": strings.Repeat("c", 201), "profile": map[string]any{"location": strings.Repeat("l", 201), "skills": []string{strings.Repeat("s", 101)}}},
			status: 400, want: []string{`"company_name":["Ensure this field has no more than 200 characters."]`, `"location":["Ensure this field has no more than 200 characters."]`}},
		{name: "400 malformed JSON", method: "PATCH", url: url, auth: fx.client.auth, body: `{"bio": "x"`, status: 400, want: []string{bodyMalformedJSON}},
		{name: "415 unsupported media type", method: "PATCH", url: url, auth: fx.client.auth, body: `<bio/>`, status: 415,
			want: []string{`"detail":"Unsupported media type`}, headers: map[string]string{"Content-Type": "application/xml"}},
		{name: "405 GET", method: "GET", url: url, auth: fx.client.auth, status: 405, want: []string{`{"detail":"Method \"GET\" not allowed."}`}},
	})
}

// --- clients/ and tool-creators/ -------------------------------------------

func TestRoleLists(t *testing.T) {
	t.Parallel()
	runScenarios(t, []scenario{
		{name: "clients 401 anonymous", method: "GET", url: "/api/users/clients/", status: 401, want: []string{bodyNotAuthenticated}},
		{name: "clients 403 client", method: "GET", url: "/api/users/clients/", auth: fx.client.auth, status: 403, want: []string{bodyForbidden}},
		{name: "clients 403 creator", method: "GET", url: "/api/users/clients/", auth: fx.creator.auth, status: 403, want: []string{bodyForbidden}},
		{name: "clients 200 admin: bare array, client representation", method: "GET", url: "/api/users/clients/", auth: fx.admin.auth, status: 200,
			want: []string{`[{"id":"` + fx.client2.id + `","email":"client2@test.example","username":"client2","first_name":"client2","last_name":"","points_balance":1000,"created_at":"`,
				`"email":"client@test.example"`},
			notWant: []string{fx.creator.email, fx.admin.email, `"role"`}},
		{name: "tool-creators 401 anonymous", method: "GET", url: "/api/users/tool-creators/", status: 401, want: []string{bodyNotAuthenticated}},
		{name: "tool-creators 403 client", method: "GET", url: "/api/users/tool-creators/", auth: fx.client.auth, status: 403, want: []string{bodyForbidden}},
		{name: "tool-creators 403 creator", method: "GET", url: "/api/users/tool-creators/", auth: fx.creator.auth, status: 403, want: []string{bodyForbidden}},
		{name: "tool-creators 200 admin: bare array, creator representation", method: "GET", url: "/api/users/tool-creators/", auth: fx.admin.auth, status: 200,
			want: []string{`[{"id":"` + fx.creator2.id + `","email":"creator2@test.example","username":"creator2","first_name":"creator2","last_name":"","api_key":null,"total_revenue":0,"total_payouts":0,"created_at":"`,
				`"email":"creator@test.example"`},
			notWant: []string{fx.client.email, fx.admin.email}},
		{name: "tool-creators 200 admin, a GET's malformed body is ignored", method: "GET", url: "/api/users/tool-creators/", auth: fx.admin.auth,
			body: `nope`, status: 200, want: []string{fx.creator2.email}},
		{name: "clients 405 POST", method: "POST", url: "/api/users/clients/", auth: fx.admin.auth, body: map[string]any{}, status: 405,
			want: []string{`{"detail":"Method \"POST\" not allowed."}`}},
	})
}

func TestPointsBalance(t *testing.T) {
	t.Parallel()
	const url = "/api/users/clients/points_balance/"
	runScenarios(t, []scenario{
		{name: "401 anonymous", method: "GET", url: url, status: 401, want: []string{bodyNotAuthenticated}},
		{name: "200 client", method: "GET", url: url, auth: fx.client.auth, status: 200, want: []string{`{"points_balance":1000,"can_use_tools":true}`}},
		{name: "200 creator without points", method: "GET", url: url, auth: fx.creator.auth, status: 200, want: []string{`{"points_balance":0,"can_use_tools":false}`}},
		{name: "200 admin uses tools free", method: "GET", url: url, auth: fx.admin.auth, status: 200, want: []string{`{"points_balance":0,"can_use_tools":true}`}},
		{name: "405 POST", method: "POST", url: url, auth: fx.client.auth, body: map[string]any{}, status: 405, want: []string{`"detail":"Method \"POST\" not allowed."`}},
	})
}

func TestRevenueStats(t *testing.T) {
	t.Parallel()
	const url = "/api/users/tool-creators/revenue_stats/"
	runScenarios(t, []scenario{
		{name: "401 anonymous", method: "GET", url: url, status: 401, want: []string{bodyNotAuthenticated}},
		{name: "403 client", method: "GET", url: url, auth: fx.client.auth, status: 403, want: []string{bodyForbidden}},
		{name: "403 admin", method: "GET", url: url, auth: fx.admin.auth, status: 403, want: []string{bodyForbidden}},
		{name: "200 creator", method: "GET", url: url, auth: fx.creator.auth, status: 200,
			want: []string{`{"total_revenue":0,"total_payouts":0,"pending_balance":0}`}},
		{name: "200 creator with earnings", method: "GET", url: url, auth: fx.creator.auth, status: 200,
			want: []string{`{"total_revenue":80,"total_payouts":0,"pending_balance":80}`},
			before: func(t testing.TB, app *tests.TestApp) {
				if _, err := ledger.Post(app, ledger.Entry{User: fx.creator.id, Account: c.AccountRevenue, Kind: c.KindEarning, Amount: 80}); err != nil {
					t.Fatal(err)
				}
			}},
	})
}

// TestRulesAgreeAcrossAPIs: a role change the DRF API refuses never happens
// through the records API either (refused, or ignored on the caller's own
// record), since both evaluate the users collection's rules.
func TestRulesAgreeAcrossAPIs(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	token := func(u fixtureUser) string { return strings.TrimPrefix(u.auth, "Bearer ") }
	for _, tc := range []struct {
		name      string
		user      fixtureUser
		target    fixtureUser
		role      string
		drfStatus int
		pbStatus  int
	}{
		// on its own record the records API ignores the role (as update_me does): 200, role unchanged
		{"client promotes itself", fx.client, fx.client, c.RoleAdmin, 403, 200},
		{"admin demotes itself", fx.admin, fx.admin, c.RoleClient, 403, 200},
		{"creator changes another's role", fx.creator, fx.client2, c.RoleToolCreator, 403, 404},
	} {
		status, _ := s.do(t, http.MethodPost, "/api/users/users/"+tc.target.id+"/change_role/", map[string]any{"role": tc.role}, tc.user.auth)
		if status != tc.drfStatus {
			t.Errorf("%s: DRF API %d, want %d", tc.name, status, tc.drfStatus)
		}
		status, _ = s.do(t, http.MethodPatch, "/api/collections/users/records/"+tc.target.id, map[string]any{"role": tc.role}, token(tc.user))
		if status != tc.pbStatus {
			t.Errorf("%s: records API %d, want %d", tc.name, status, tc.pbStatus)
		}
		if got := findUser(t, s.app, tc.target.id).GetString(c.UserRole); got == tc.role {
			t.Errorf("%s: role changed to %s", tc.name, got)
		}
	}
	// and what the DRF API allows an admin, the records API allows too
	status, _ := s.do(t, http.MethodPatch, "/api/collections/users/records/"+fx.client.id, map[string]any{"role": c.RoleToolCreator}, token(fx.admin))
	if status != 200 {
		t.Errorf("admin role change through the records API: %d", status)
	}
}
