package hooks

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
)

func pointsURL(user, action string) string { return "/api/users/users/" + user + "/" + action + "/" }

// untouched asserts that a refused point change wrote nothing.
func untouched(t testing.TB, app *tests.TestApp, _ *http.Response) {
	t.Helper()
	if got := balance(t, app, fx.client.id); got != fixturePoints {
		t.Errorf("balance %d, want %d", got, fixturePoints)
	}
	if n := count(t, app, c.PointTransactions, dbx.Not(dbx.HashExp{c.TxKind: c.KindGrant, c.TxAmount: fixturePoints})); n != 0 {
		t.Errorf("%d ledger rows written", n)
	}
	mustVerify(t, app)
}

func TestPointsRoutes(t *testing.T) {
	t.Parallel()
	admin := map[string]string{"Authorization": fx.admin.auth}
	bad := func(name, action, body, want string) tests.ApiScenario {
		return tests.ApiScenario{Name: name, Method: http.MethodPost, URL: pointsURL(fx.client.id, action), Headers: admin,
			Body: strings.NewReader(body), ExpectedStatus: 400, ExpectedContent: []string{want},
			TestAppFactory: testAppFactory, AfterTestFunc: untouched}
	}
	scenarios := []tests.ApiScenario{
		{
			Name: "an admin adds points: a GRANT row with actor and reason", Method: http.MethodPost,
			URL: pointsURL(fx.client.id, "add_points"), Headers: admin, Body: strings.NewReader(`{"points":250,"reason":"welcome bonus"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + fx.client.id + `"`, `"points_balance":1250`, `"email":"` + fx.client.email + `"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxUser: fx.client.id, c.TxKind: c.KindGrant, c.TxAmount: 250,
					c.TxActor: fx.admin.id, c.TxNote: "welcome bonus", c.TxBalanceAfter: 1250}); n != 1 {
					t.Errorf("%d matching GRANT rows", n)
				}
				mustVerify(t, app)
			},
		},
		{
			Name: "an admin deducts points: a DEDUCT row", Method: http.MethodPost,
			URL: pointsURL(fx.client.id, "deduct_points"), Headers: admin, Body: strings.NewReader(`{"points":"400"}`),
			ExpectedStatus: 200, ExpectedContent: []string{`"points_balance":600`},
			TestAppFactory: testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxKind: c.KindDeduct, c.TxAmount: -400, c.TxActor: fx.admin.id}); n != 1 {
					t.Errorf("%d DEDUCT rows", n)
				}
				mustVerify(t, app)
			},
		},
		{
			Name: "an admin may change any role's points", Method: http.MethodPost,
			URL: pointsURL(fx.creator.id, "add_points"), Headers: admin, Body: strings.NewReader(`{"points":5}`),
			ExpectedStatus: 200, ExpectedContent: []string{`"points_balance":5`}, TestAppFactory: testAppFactory,
		},
		{
			Name: "deducting below zero is the DRF API's 400 and writes nothing", Method: http.MethodPost,
			URL: pointsURL(fx.client.id, "deduct_points"), Headers: admin, Body: strings.NewReader(`{"points":1001}`),
			ExpectedStatus: 400, ExpectedContent: []string{`{"non_field_errors":["Insufficient points"]}`},
			TestAppFactory: testAppFactory, AfterTestFunc: untouched,
		},
		bad("points missing", "add_points", `{}`, `"points":["This field is required."]`),
		bad("points zero", "add_points", `{"points":0}`, `"points":["Ensure this value is greater than or equal to 1."]`),
		bad("points negative", "deduct_points", `{"points":-5}`, `"points":["Ensure this value is greater than or equal to 1."]`),
		bad("points above 1e9", "add_points", `{"points":1000000001}`, `"points":["Ensure this value is less than or equal to 1000000000."]`),
		bad("points fractional", "add_points", `{"points":1.5}`, `"points":["A valid integer is required."]`),
		bad("points a word", "add_points", `{"points":"lots"}`, `"points":["A valid integer is required."]`),
		bad("points a list", "add_points", `{"points":[5]}`, `"points":["A valid integer is required."]`),
		bad("reason too long", "add_points", `{"points":5,"reason":"`+strings.Repeat("r", 501)+`"}`, `"reason":["Ensure this field has no more than 500 characters."]`),
		bad("malformed JSON", "add_points", `{"points":`, `"detail":"JSON parse error`),
		{
			Name: "anonymous is 401", Method: http.MethodPost, URL: pointsURL(fx.client.id, "add_points"),
			Body: strings.NewReader(`{"points":5}`), ExpectedStatus: 401,
			ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`},
			TestAppFactory:  testAppFactory, AfterTestFunc: untouched,
		},
		{
			Name: "a client is 403, even on itself", Method: http.MethodPost, URL: pointsURL(fx.client.id, "add_points"),
			Headers: map[string]string{"Authorization": fx.client.auth}, Body: strings.NewReader(`{"points":5}`),
			ExpectedStatus: 403, ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory: testAppFactory, AfterTestFunc: untouched,
		},
		{
			Name: "a creator is 403", Method: http.MethodPost, URL: pointsURL(fx.client.id, "deduct_points"),
			Headers: map[string]string{"Authorization": fx.creator.auth}, Body: strings.NewReader(`{"points":5}`),
			ExpectedStatus: 403, ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory: testAppFactory, AfterTestFunc: untouched,
		},
		{
			Name: "an unknown user is 404", Method: http.MethodPost, URL: pointsURL("nosuchuser1234", "add_points"),
			Headers: admin, Body: strings.NewReader(`{"points":5}`),
			ExpectedStatus: 404, ExpectedContent: []string{`{"detail":"Not found."}`},
			TestAppFactory: testAppFactory, AfterTestFunc: untouched,
		},
		{
			Name: "GET is 405", Method: http.MethodGet, URL: pointsURL(fx.client.id, "add_points"), Headers: admin,
			ExpectedStatus: 405, ExpectedContent: []string{`"detail":"Method \"GET\" not allowed."`},
			TestAppFactory: testAppFactory,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// Concurrent deductions never take a balance below zero: of 30 deductions of
// 100 from 1000, exactly 10 succeed.
func TestPointsConcurrentDeductions(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	var wg sync.WaitGroup
	statuses := make(chan int, 30)
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _ := post(t, base+pointsURL(fx.client.id, "deduct_points"), fx.admin.auth, "", `{"points":100}`)
			statuses <- status
		}()
	}
	wg.Wait()
	close(statuses)
	byStatus := map[int]int{}
	for s := range statuses {
		byStatus[s]++
	}
	if byStatus[200] != 10 || byStatus[400] != 20 {
		t.Errorf("statuses %v, want 10×200 and 20×400", byStatus)
	}
	if got := balance(t, app, fx.client.id); got != 0 {
		t.Errorf("balance %d, want 0", got)
	}
	mustVerify(t, app)
}
