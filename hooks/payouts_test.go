package hooks

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// Helpers shared by the platform tests (payouts, refunds, support, content, audit).

// earningPerUse is the creator's earning from one use of fx.active at the default fee.
const earningPerUse = activeCost - activeCost*20/100

// Fixed ids of records the tests create, so that scenario URLs can name them.
const (
	payoutID  = "payout000000001"
	payout2ID = "payout000000002"
	refundID  = "refund000000001"
	ticketID  = "ticket000000001"
	ticket2ID = "ticket000000002"
	pageID    = "page00000000001"
)

// lazyBody is a request body built when the request is read, after the
// scenario's BeforeTestFunc has created what it names.
type lazyBody struct {
	build func() string
	r     io.Reader
}

func (b *lazyBody) Read(p []byte) (int, error) {
	if b.r == nil {
		b.r = strings.NewReader(b.build())
	}
	return b.r.Read(p)
}

func lazy(build func() string) io.Reader { return &lazyBody{build: build} }

func body(s string) io.Reader { return strings.NewReader(s) }

func auth(u fixtureUser) map[string]string { return map[string]string{"Authorization": u.auth} }

// useTimes records n paid uses of tool by user and returns the usage ids.
func useTimes(t testing.TB, app core.App, userID, toolID string, n int) []string {
	t.Helper()
	tool, err := app.FindRecordById(c.Tools, toolID)
	if err != nil {
		t.Fatal(err)
	}
	user, err := app.FindRecordById(c.Users, userID)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	for i := range ids {
		res, err := useTool(app, ledger.UseRequest{Tool: tool, User: user, Input: fmt.Appendf(nil, `{"i":%d}`, i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = res.Usage.Id
	}
	return ids
}

// earn gives fx.creator a pending balance of n × earningPerUse through n uses by fx.client.
func earn(n int) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		useTimes(t, app, fx.client.id, fx.active, n)
	}
}

// verifiedAfter makes a scenario check the ledger invariants after its own checks.
func verifiedAfter(s *tests.ApiScenario) {
	after := s.AfterTestFunc
	s.AfterTestFunc = func(t testing.TB, app *tests.TestApp, res *http.Response) {
		if after != nil {
			after(t, app, res)
		}
		mustVerify(t, app)
	}
}

// then chains BeforeTestFuncs.
func then(fns ...func(testing.TB, *tests.TestApp, *core.ServeEvent)) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, se *core.ServeEvent) {
		for _, fn := range fns {
			fn(t, app, se)
		}
	}
}

func user(t testing.TB, app core.App, id string) *c.User {
	t.Helper()
	u, err := app.FindRecordById(c.Users, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.AsUser(u)
}

func auditCount(t testing.TB, app core.App, action string) int {
	t.Helper()
	return count(t, app, c.AuditLog, dbx.HashExp{c.AuditAction: action})
}

// lastAudit returns the newest audit row of action.
func lastAudit(t testing.TB, app core.App, action string) *core.Record {
	t.Helper()
	rows, err := app.FindRecordsByFilter(c.AuditLog, "action = {:a}", "-created_at", 1, 0, dbx.Params{"a": action})
	if err != nil || len(rows) == 0 {
		t.Fatalf("no audit row %q (%v)", action, err)
	}
	return rows[0]
}

// createPayout requests a payout with a fixed id through the model (the
// same checks as the routes), then moves it to status as an admin would.
func createPayout(t testing.TB, app core.App, id, creator string, amount int64, status string) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(c.Payouts)
	if err != nil {
		t.Fatal(err)
	}
	p := core.NewRecord(col)
	p.Id = id
	p.Set(c.PayoutCreator, creator)
	p.Set(c.PayoutAmount, amount)
	p.Set(c.PayoutMethod, "bank transfer")
	if err := app.Save(p); err != nil {
		t.Fatal(err)
	}
	if status == c.PayoutRequested {
		return p
	}
	if status == c.PayoutPaid {
		if err := ledger.PayPayout(app, id, creator, amount, fx.admin.id, "SETUP"); err != nil {
			t.Fatal(err)
		}
		p.Set(c.PayoutReference, "SETUP")
	}
	p.Set(c.PayoutStatus, status)
	p.Set(c.PayoutProcessedBy, fx.admin.id)
	if err := ledger.SaveSystem(app, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func withPayout(id, creator string, amount int64, status string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		createPayout(t, app, id, creator, amount, status)
	}
}

func payoutStatus(t testing.TB, app core.App, id string) string {
	t.Helper()
	p, err := app.FindRecordById(c.Payouts, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.AsPayout(p).Status()
}

// unchanged asserts that a refused request moved no money and wrote nothing.
func unchanged(payouts, auditRows int) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		if n := count(t, app, c.Payouts, nil); n != payouts {
			t.Errorf("%d payouts, want %d", n, payouts)
		}
		if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxKind: c.KindPayout}); n != 0 {
			t.Errorf("%d PAYOUT rows", n)
		}
		if n := count(t, app, c.AuditLog, dbx.Like(c.AuditAction, "payout.").Match(false, true)); n != auditRows {
			t.Errorf("%d payout audit rows, want %d", n, auditRows)
		}
		mustVerify(t, app)
	}
}

func payoutURL(id, action string) string {
	if action == "" {
		return "/api/payouts/" + id + "/"
	}
	return "/api/payouts/" + id + "/" + action + "/"
}

func TestPayoutRequests(t *testing.T) {
	t.Parallel()
	pending := int64(13 * earningPerUse) // 104
	scenarios := []tests.ApiScenario{
		{
			Name:            "anonymous is 401",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Body:            body(`{"amount":100}`),
			ExpectedStatus:  401,
			ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:           "a creator requests up to its pending balance",
			Method:         http.MethodPost,
			URL:            "/api/payouts/",
			Headers:        auth(fx.creator),
			Body:           body(`{"amount":100,"method":"IBAN DE00 1234"}`),
			BeforeTestFunc: earn(13),
			ExpectedStatus: 201,
			ExpectedContent: []string{`"creator":"` + fx.creator.id + `"`, `"creator_email":"` + fx.creator.email + `"`,
				`"amount":100`, `"status":"REQUESTED"`, `"method":"IBAN DE00 1234"`, `"reference":""`, `"processed_by":null`},
			TestAppFactory: testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				// a request moves no money
				if u := user(t, app, fx.creator.id); u.TotalPayouts() != 0 || u.PendingBalance() != pending {
					t.Errorf("creator total_payouts %d, pending %d", u.TotalPayouts(), u.PendingBalance())
				}
				unchanged(1, 0)(t, app, nil)
			},
		},
		{
			Name:            "more than the pending balance is 400",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.creator),
			Body:            body(`{"amount":105}`),
			BeforeTestFunc:  earn(13),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"amount":["Ensure this value is less than or equal to 104: the pending balance minus the payouts already requested."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   unchanged(0, 0),
		},
		{
			Name:               "what is already requested is not available again",
			Method:             http.MethodPost,
			URL:                "/api/payouts/",
			Headers:            auth(fx.creator),
			Body:               body(`{"amount":101}`),
			BeforeTestFunc:     then(earn(25), withPayout(payoutID, fx.creator.id, 100, c.PayoutApproved)),
			ExpectedStatus:     400,
			ExpectedContent:    []string{`"amount":["Ensure this value is less than or equal to 100: `},
			NotExpectedContent: []string{`"status"`},
			TestAppFactory:     testAppFactory,
			AfterTestFunc:      unchanged(1, 0),
		},
		{
			Name:            "paid and rejected payouts free nothing and reserve nothing",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.creator),
			Body:            body(`{"amount":100}`),
			BeforeTestFunc:  then(earn(38), withPayout(payoutID, fx.creator.id, 100, c.PayoutPaid), withPayout(payout2ID, fx.creator.id, 100, c.PayoutRejected)),
			ExpectedStatus:  201,
			ExpectedContent: []string{`"amount":100`, `"status":"REQUESTED"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				// 304 earned, 100 paid, 100 requested now: 104 left to request
				if got, _ := payoutAvailable(app, fx.creator.id); got != 38*earningPerUse-200 {
					t.Errorf("available %d", got)
				}
				mustVerify(t, app)
			},
		},
		{
			Name:            "below the minimum payout is 400",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.creator),
			Body:            body(`{"amount":50}`),
			BeforeTestFunc:  earn(13),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"amount":["Ensure this value is greater than or equal to 100 (the minimum payout)."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   unchanged(0, 0),
		},
		{
			Name:            "no pending balance at all is 400",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.creator2),
			Body:            body(`{"amount":100}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"amount":["Ensure this value is less than or equal to 0: `},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   unchanged(0, 0),
		},
		{
			Name:            "a client may not request payouts",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.client),
			Body:            body(`{"amount":100}`),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   unchanged(0, 0),
		},
		{
			Name:            "an admin may not request payouts",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.admin),
			Body:            body(`{"amount":100}`),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a creator may not request for another creator",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.creator2),
			Body:            body(`{"amount":100,"creator":"` + fx.creator.id + `","status":"PAID"}`),
			BeforeTestFunc:  earn(13),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"amount":["Ensure this value is less than or equal to 0: `},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   unchanged(0, 0),
		},
		{
			Name:            "a missing amount is 400",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.creator),
			Body:            body(`{}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"amount":["This field is required."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a non-integer amount is 400",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.creator),
			Body:            body(`{"amount":"lots","method":[1]}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"amount":["A valid integer is required."]`, `"method":["Not a valid string."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a negative amount is 400",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.creator),
			Body:            body(`{"amount":-100}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"amount":["Ensure this value is greater than or equal to 1."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a body that is not JSON is 400",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.creator),
			Body:            body(`{"amount":`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"detail":"JSON parse error - the body is not valid JSON."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a list body is 400",
			Method:          http.MethodPost,
			URL:             "/api/payouts/",
			Headers:         auth(fx.creator),
			Body:            body(`[100]`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"non_field_errors":["Invalid data. Expected a dictionary, but got list."]`},
			TestAppFactory:  testAppFactory,
		},
	}
	for _, s := range scenarios {
		verifiedAfter(&s)
		s.Test(t)
	}
}

func TestPayoutLists(t *testing.T) {
	t.Parallel()
	setup := then(earn(13), withPayout(payoutID, fx.creator.id, 100, c.PayoutRequested), func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		useTimes(t, app, fx.client.id, fx.other, 25) // creator2 earns 4 × 25
		createPayout(t, app, payout2ID, fx.creator2.id, 100, c.PayoutApproved)
	})
	scenarios := []tests.ApiScenario{
		{
			Name:               "a creator lists its own payouts",
			Method:             http.MethodGet,
			URL:                "/api/payouts/",
			Headers:            auth(fx.creator),
			BeforeTestFunc:     setup,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"count":1`, `"id":"` + payoutID + `"`},
			NotExpectedContent: []string{payout2ID},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:            "an admin lists all, filtered by status",
			Method:          http.MethodGet,
			URL:             "/api/payouts/?status=APPROVED",
			Headers:         auth(fx.admin),
			BeforeTestFunc:  setup,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":1`, `"id":"` + payout2ID + `"`, `"creator_email":"` + fx.creator2.email + `"`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "an admin lists all",
			Method:          http.MethodGet,
			URL:             "/api/payouts/",
			Headers:         auth(fx.admin),
			BeforeTestFunc:  setup,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":2`, payoutID, payout2ID},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a status that is no choice is 400",
			Method:          http.MethodGet,
			URL:             "/api/payouts/?status=LOST",
			Headers:         auth(fx.admin),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":["Select a valid choice. LOST is not one of the available choices."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a client has none",
			Method:          http.MethodGet,
			URL:             "/api/payouts/",
			Headers:         auth(fx.client),
			BeforeTestFunc:  setup,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":0`, `"results":[]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a creator reads its payout",
			Method:          http.MethodGet,
			URL:             payoutURL(payoutID, ""),
			Headers:         auth(fx.creator),
			BeforeTestFunc:  setup,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + payoutID + `"`, `"status":"REQUESTED"`, `"method":"bank transfer"`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "another creator's payout is 404",
			Method:          http.MethodGet,
			URL:             payoutURL(payout2ID, ""),
			Headers:         auth(fx.creator),
			BeforeTestFunc:  setup,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "editing a payout is 405",
			Method:          http.MethodPatch,
			URL:             payoutURL(payoutID, ""),
			Headers:         auth(fx.admin),
			Body:            body(`{"status":"PAID"}`),
			BeforeTestFunc:  setup,
			ExpectedStatus:  405,
			ExpectedContent: []string{`"detail":"Method \"PATCH\" not allowed."`},
			TestAppFactory:  testAppFactory,
		},
	}
	for _, s := range scenarios {
		verifiedAfter(&s)
		s.Test(t)
	}
}

func TestPayoutTransitions(t *testing.T) {
	t.Parallel()
	requested := then(earn(13), withPayout(payoutID, fx.creator.id, 100, c.PayoutRequested))
	approved := then(earn(13), withPayout(payoutID, fx.creator.id, 100, c.PayoutApproved))
	expectStatus := func(status string, auditRows int) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			if got := payoutStatus(t, app, payoutID); got != status {
				t.Errorf("status %s, want %s", got, status)
			}
			if n := count(t, app, c.AuditLog, dbx.Like(c.AuditAction, "payout.").Match(false, true)); n != auditRows {
				t.Errorf("%d payout audit rows, want %d", n, auditRows)
			}
			if status != c.PayoutPaid {
				if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxKind: c.KindPayout}); n != 0 {
					t.Errorf("%d PAYOUT rows", n)
				}
			}
			mustVerify(t, app)
		}
	}
	scenarios := []tests.ApiScenario{
		{
			Name:           "an admin approves a requested payout",
			Method:         http.MethodPost,
			URL:            payoutURL(payoutID, "approve"),
			Headers:        auth(fx.admin),
			Body:           body(`{"note":"checked"}`),
			BeforeTestFunc: requested,
			ExpectedStatus: 200,
			ExpectedContent: []string{`"status":"APPROVED"`, `"note":"checked"`, `"processed_by":"` + fx.admin.id + `"`,
				`"processed_at":"20`},
			TestAppFactory: testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectStatus(c.PayoutApproved, 1)(t, app, res)
				row := c.AsAudit(lastAudit(t, app, "payout.approve"))
				if row.Actor() != fx.admin.id || row.ActorEmail() != fx.admin.email || row.ActorRole() != c.RoleAdmin ||
					row.Target() != "payouts/"+payoutID {
					t.Errorf("audit row %v", row.PublicExport())
				}
				if b, a := row.GetString(c.AuditBefore), row.GetString(c.AuditAfter); !strings.Contains(b, `"status":"REQUESTED"`) ||
					!strings.Contains(a, `"status":"APPROVED"`) {
					t.Errorf("audit before %s after %s", b, a)
				}
			},
		},
		{
			Name:            "approving with no body is fine",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "approve"),
			Headers:         auth(fx.admin),
			BeforeTestFunc:  requested,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"APPROVED"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   expectStatus(c.PayoutApproved, 1),
		},
		{
			Name:            "approving an approved payout is 409",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "approve"),
			Headers:         auth(fx.admin),
			BeforeTestFunc:  approved,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"detail":"This payout is APPROVED; it can be approved only when REQUESTED."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   expectStatus(c.PayoutApproved, 0),
		},
		{
			Name:            "the creator may not approve its own payout",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "approve"),
			Headers:         auth(fx.creator),
			BeforeTestFunc:  requested,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   expectStatus(c.PayoutRequested, 0),
		},
		{
			Name:            "a client may not approve",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "approve"),
			Headers:         auth(fx.client),
			BeforeTestFunc:  requested,
			ExpectedStatus:  403,
			TestAppFactory:  testAppFactory,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			AfterTestFunc:   expectStatus(c.PayoutRequested, 0),
		},
		{
			Name:            "an unknown payout is 404",
			Method:          http.MethodPost,
			URL:             payoutURL("nosuchpayout123", "approve"),
			Headers:         auth(fx.admin),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "GET on an action is 405",
			Method:          http.MethodGet,
			URL:             payoutURL(payoutID, "mark_paid"),
			Headers:         auth(fx.admin),
			ExpectedStatus:  405,
			ExpectedContent: []string{`"detail":"Method \"GET\" not allowed."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a creator's GET on an action is 403 before 405, as DRF",
			Method:          http.MethodGet,
			URL:             payoutURL(payoutID, "mark_paid"),
			Headers:         auth(fx.creator),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "rejecting needs a note",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "reject"),
			Headers:         auth(fx.admin),
			Body:            body(`{"note":"  "}`),
			BeforeTestFunc:  requested,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"note":["This field may not be blank."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   expectStatus(c.PayoutRequested, 0),
		},
		{
			Name:            "an admin rejects a requested payout with a note",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "reject"),
			Headers:         auth(fx.admin),
			Body:            body(`{"note":"bank details missing"}`),
			BeforeTestFunc:  requested,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"REJECTED"`, `"note":"bank details missing"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectStatus(c.PayoutRejected, 1)(t, app, res)
				// the rejected amount is available again
				if got, _ := payoutAvailable(app, fx.creator.id); got != 13*earningPerUse {
					t.Errorf("available %d", got)
				}
			},
		},
		{
			Name:            "an admin rejects an approved payout",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "reject"),
			Headers:         auth(fx.admin),
			Body:            body(`{"note":"fraud check"}`),
			BeforeTestFunc:  approved,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"REJECTED"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   expectStatus(c.PayoutRejected, 1),
		},
		{
			Name:            "a paid payout cannot be rejected",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "reject"),
			Headers:         auth(fx.admin),
			Body:            body(`{"note":"too late"}`),
			BeforeTestFunc:  then(earn(13), withPayout(payoutID, fx.creator.id, 100, c.PayoutPaid)),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"detail":"This payout is PAID; it can be rejected only when REQUESTED or APPROVED."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   expectStatus(c.PayoutPaid, 0),
		},
		{
			Name:            "a requested payout cannot be marked paid",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "mark_paid"),
			Headers:         auth(fx.admin),
			Body:            body(`{"reference":"TX-1"}`),
			BeforeTestFunc:  requested,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"detail":"This payout is REQUESTED; it can be marked paid only when APPROVED."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   expectStatus(c.PayoutRequested, 0),
		},
		{
			Name:            "marking paid needs a reference",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "mark_paid"),
			Headers:         auth(fx.admin),
			Body:            body(`{"note":"paid"}`),
			BeforeTestFunc:  approved,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"reference":["This field is required."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   expectStatus(c.PayoutApproved, 0),
		},
		{
			Name:           "an admin marks an approved payout paid: total_payouts and the PAYOUT row move together",
			Method:         http.MethodPost,
			URL:            payoutURL(payoutID, "mark_paid"),
			Headers:        auth(fx.admin),
			Body:           body(`{"reference":"SEPA-2026-0042"}`),
			BeforeTestFunc: approved,
			ExpectedStatus: 200,
			ExpectedContent: []string{`"status":"PAID"`, `"reference":"SEPA-2026-0042"`, `"amount":100`,
				`"processed_by":"` + fx.admin.id + `"`},
			TestAppFactory: testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectStatus(c.PayoutPaid, 1)(t, app, res)
				u := user(t, app, fx.creator.id)
				if u.TotalPayouts() != 100 || u.TotalRevenue() != 13*earningPerUse || u.PendingBalance() != 4 {
					t.Errorf("creator revenue %d payouts %d", u.TotalRevenue(), u.TotalPayouts())
				}
				rows, err := app.FindRecordsByFilter(c.PointTransactions, "kind = 'PAYOUT'", "", 0, 0)
				if err != nil || len(rows) != 1 {
					t.Fatalf("%d PAYOUT rows (%v)", len(rows), err)
				}
				row := c.AsTransaction(rows[0])
				if row.User() != fx.creator.id || row.Account() != c.AccountRevenue || row.Amount() != -100 ||
					row.BalanceAfter() != 4 || row.Actor() != fx.admin.id || row.Note() != "payout "+payoutID+": SEPA-2026-0042" {
					t.Errorf("PAYOUT row %v", rows[0].PublicExport())
				}
			},
		},
		{
			Name:            "a paid payout is not paid again",
			Method:          http.MethodPost,
			URL:             payoutURL(payoutID, "mark_paid"),
			Headers:         auth(fx.admin),
			Body:            body(`{"reference":"again"}`),
			BeforeTestFunc:  then(earn(13), withPayout(payoutID, fx.creator.id, 100, c.PayoutPaid)),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"detail":"This payout is PAID; it can be marked paid only when APPROVED."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if u := user(t, app, fx.creator.id); u.TotalPayouts() != 100 {
					t.Errorf("total_payouts %d", u.TotalPayouts())
				}
				mustVerify(t, app)
			},
		},
		{
			Name:    "a payout its creator's balance no longer covers is refused and nothing moves",
			Method:  http.MethodPost,
			URL:     payoutURL(payoutID, "mark_paid"),
			Headers: auth(fx.admin),
			Body:    body(`{"reference":"TX-9"}`),
			BeforeTestFunc: then(approved, func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				// a refund takes 8 back: 96 pending for an approved 100
				usage, err := app.FindFirstRecordByData(c.ToolUsage, c.UsageUser, fx.client.id)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ledger.RefundUsage(app, usage.Id, fx.admin.id, "test"); err != nil {
					t.Fatal(err)
				}
			}),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"detail":"The creator's pending balance no longer covers this payout`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectStatus(c.PayoutApproved, 0)(t, app, res)
				if u := user(t, app, fx.creator.id); u.TotalPayouts() != 0 || u.PendingBalance() != 12*earningPerUse {
					t.Errorf("creator payouts %d pending %d", u.TotalPayouts(), u.PendingBalance())
				}
			},
		},
	}
	for _, s := range scenarios {
		verifiedAfter(&s)
		s.Test(t)
	}
}

// race sends n identical POSTs at once and counts the answers by status.
func race(t testing.TB, n int, url, authorization, payload string) map[int]int {
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, text := post(t, url, authorization, "", payload)
			mu.Lock()
			defer mu.Unlock()
			statuses[status]++
			if status != http.StatusOK && status != http.StatusCreated && status != http.StatusConflict && status != http.StatusBadRequest {
				t.Errorf("status %d: %s", status, text)
			}
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

func TestPayoutMarkPaidConcurrent(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	// 800 pending: the balance alone would allow eight payments of 100, so
	// only the claim of the status keeps it to one
	useTimes(t, app, fx.client.id, fx.active, 50)
	useTimes(t, app, fx.client2.id, fx.active, 50)
	createPayout(t, app, payoutID, fx.creator.id, 100, c.PayoutApproved)
	base := serve(t, app)

	statuses := race(t, 20, base+payoutURL(payoutID, "mark_paid"), fx.admin.auth, `{"reference":"RACE-1"}`)
	if statuses[200] != 1 || statuses[409] != 19 {
		t.Fatalf("statuses %v, want 1×200 and 19×409", statuses)
	}
	u := user(t, app, fx.creator.id)
	if u.TotalPayouts() != 100 || u.PendingBalance() != 700 {
		t.Errorf("creator total_payouts %d, pending %d", u.TotalPayouts(), u.PendingBalance())
	}
	if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxKind: c.KindPayout}); n != 1 {
		t.Errorf("%d PAYOUT rows", n)
	}
	if n := auditCount(t, app, "payout.mark_paid"); n != 1 {
		t.Errorf("%d audit rows", n)
	}
	mustVerify(t, app)
}

func TestPayoutRequestsConcurrent(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	useTimes(t, app, fx.client.id, fx.active, 13) // 104 pending: room for one payout of 100
	base := serve(t, app)

	statuses := race(t, 20, base+"/api/payouts/", fx.creator.auth, `{"amount":100}`)
	if statuses[201] != 1 || statuses[400] != 19 {
		t.Fatalf("statuses %v, want 1×201 and 19×400", statuses)
	}
	if n := count(t, app, c.Payouts, nil); n != 1 {
		t.Errorf("%d payouts", n)
	}
	mustVerify(t, app)
}

func TestMinPayoutFromEnv(t *testing.T) {
	t.Setenv("TOOLBASE_MIN_PAYOUT", "8")
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	app, tb := newTestBase(t, func(tc *Config) { tc.MinPayout = cfg.MinPayout })
	useTimes(t, app, fx.client.id, fx.active, 1)
	if got := tb.cfg.MinPayout; got != 8 {
		t.Fatalf("MinPayout %d", got)
	}
	createPayout(t, app, payoutID, fx.creator.id, 8, c.PayoutRequested)
	for _, bad := range []string{"0", "abc", "-5"} {
		t.Setenv("TOOLBASE_MIN_PAYOUT", bad)
		if _, err := LoadConfig(); err == nil {
			t.Errorf("TOOLBASE_MIN_PAYOUT=%s accepted", bad)
		}
	}
}
