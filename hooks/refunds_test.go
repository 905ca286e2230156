package hooks

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// refundFixture remembers the usages a scenario's setup recorded.
type refundFixture struct{ usages []string }

// uses records n uses of fx.active by fx.client (the client pays 10, the creator earns 8).
func (f *refundFixture) uses(n int) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		f.usages = append(f.usages, useTimes(t, app, fx.client.id, fx.active, n)...)
	}
}

// requested files refundID for the first usage, as fx.client.
func (f *refundFixture) requested() func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		requestRefund(t, app, refundID, f.usages[0], fx.client.id)
	}
}

// body is a refund request for the first usage.
func (f *refundFixture) body(reason string) *lazyBody {
	return &lazyBody{build: func() string { return `{"usage":"` + f.usages[0] + `","reason":"` + reason + `"}` }}
}

func requestRefund(t testing.TB, app core.App, id, usage, requester string) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId(c.Refunds)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Id = id
	r.Set(c.RefundUsage, usage)
	r.Set(c.RefundRequester, requester)
	r.Set(c.RefundReason, "did not work")
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	return r
}

func refundStatus(t testing.TB, app core.App, id string) string {
	t.Helper()
	r, err := app.FindRecordById(c.Refunds, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.AsRefund(r).Status()
}

// notRefunded asserts that nothing was refunded: balances, counters and ledger as after the uses.
func notRefunded(uses int, refunds int) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		if got := balance(t, app, fx.client.id); got != fixturePoints-int64(uses*activeCost) {
			t.Errorf("client balance %d", got)
		}
		if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxKind: c.KindRefund}); n != 0 {
			t.Errorf("%d REFUND rows", n)
		}
		if n := count(t, app, c.Refunds, nil); n != refunds {
			t.Errorf("%d refunds, want %d", n, refunds)
		}
		if n := count(t, app, c.ToolUsage, dbx.NewExp("refunded_at != ''")); n != 0 {
			t.Errorf("%d usages refunded", n)
		}
		mustVerify(t, app)
	}
}

func TestRefundRequests(t *testing.T) {
	t.Parallel()
	var f refundFixture
	scenarios := []tests.ApiScenario{
		{
			Name:            "anonymous is 401",
			Method:          http.MethodPost,
			URL:             "/api/refunds/",
			Body:            body(`{}`),
			ExpectedStatus:  401,
			ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:           "the payer requests a refund of its usage",
			Method:         http.MethodPost,
			URL:            "/api/refunds/",
			Headers:        auth(fx.client),
			Body:           f.body("the output was empty"),
			BeforeTestFunc: f.uses(1),
			ExpectedStatus: 201,
			ExpectedContent: []string{`"requester":"` + fx.client.id + `"`, `"requester_email":"` + fx.client.email + `"`,
				`"reason":"the output was empty"`, `"status":"REQUESTED"`, `"amount":10`, `"creator_reversal":0`, `"processed_by":null`},
			TestAppFactory: testAppFactory,
			AfterTestFunc:  notRefunded(1, 1),
		},
		{
			Name:            "another user's usage is 400, as if it did not exist",
			Method:          http.MethodPost,
			URL:             "/api/refunds/",
			Headers:         auth(fx.client2),
			Body:            f.body("mine now"),
			BeforeTestFunc:  f.uses(1),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"usage":["Invalid pk \"`, `\" - object does not exist."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   notRefunded(1, 0),
		},
		{
			Name:            "the tool's creator cannot request a refund of its client's usage",
			Method:          http.MethodPost,
			URL:             "/api/refunds/",
			Headers:         auth(fx.creator),
			Body:            f.body("refund my client"),
			BeforeTestFunc:  f.uses(1),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"usage":["Invalid pk`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   notRefunded(1, 0),
		},
		{
			Name:            "an unknown usage is 400",
			Method:          http.MethodPost,
			URL:             "/api/refunds/",
			Headers:         auth(fx.client),
			Body:            body(`{"usage":"nosuchusage1234","reason":"x"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"usage":["Invalid pk \"nosuchusage1234\" - object does not exist."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a reason is required, and the usage",
			Method:          http.MethodPost,
			URL:             "/api/refunds/",
			Headers:         auth(fx.client),
			Body:            body(`{"reason":""}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"usage":["This field is required."]`, `"reason":["This field may not be blank."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "wrong types are 400",
			Method:          http.MethodPost,
			URL:             "/api/refunds/",
			Headers:         auth(fx.client),
			Body:            body(`{"usage":{"id":1},"reason":["a"]}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"usage":["Not a valid string."]`, `"reason":["Not a valid string."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a reason over 2000 characters is 400",
			Method:          http.MethodPost,
			URL:             "/api/refunds/",
			Headers:         auth(fx.client),
			Body:            lazy(func() string { return `{"usage":"x","reason":"` + strings.Repeat("a", 2001) + `"}` }),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"reason":["Ensure this field has no more than 2000 characters."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:    "past the refund window is 400",
			Method:  http.MethodPost,
			URL:     "/api/refunds/",
			Headers: auth(fx.client),
			Body:    f.body("late"),
			BeforeTestFunc: then(f.uses(1), func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				old := types.NowDateTime().Add(-31 * 24 * time.Hour).String()
				if _, err := app.DB().Update(c.ToolUsage, dbx.Params{c.FieldCreatedAt: old}, dbx.HashExp{c.FieldID: f.usages[0]}).Execute(); err != nil {
					t.Fatal(err)
				}
			}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"usage":["The refund window of 30 days for this usage has passed."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   notRefunded(1, 0),
		},
		{
			Name:    "just inside the window is fine",
			Method:  http.MethodPost,
			URL:     "/api/refunds/",
			Headers: auth(fx.client),
			Body:    f.body("late but not too late"),
			BeforeTestFunc: then(f.uses(1), func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				old := types.NowDateTime().Add(-29 * 24 * time.Hour).String()
				if _, err := app.DB().Update(c.ToolUsage, dbx.Params{c.FieldCreatedAt: old}, dbx.HashExp{c.FieldID: f.usages[0]}).Execute(); err != nil {
					t.Fatal(err)
				}
			}),
			ExpectedStatus:  201,
			ExpectedContent: []string{`"status":"REQUESTED"`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a second request for one usage is 400",
			Method:          http.MethodPost,
			URL:             "/api/refunds/",
			Headers:         auth(fx.client),
			Body:            f.body("again"),
			BeforeTestFunc:  then(f.uses(1), f.requested()),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"usage":["A refund was already requested for this usage."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   notRefunded(1, 1),
		},
		{
			Name:    "a usage already refunded (e.g. a failed remote call) is 400",
			Method:  http.MethodPost,
			URL:     "/api/refunds/",
			Headers: auth(fx.client),
			Body:    f.body("again"),
			BeforeTestFunc: then(f.uses(1), func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				if _, err := ledger.RefundUsage(app, f.usages[0], "", "failed call"); err != nil {
					t.Fatal(err)
				}
			}),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"usage":["This usage was already refunded."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   func(t testing.TB, app *tests.TestApp, _ *http.Response) { mustVerify(t, app) },
		},
		{
			Name:    "a free usage has nothing to refund",
			Method:  http.MethodPost,
			URL:     "/api/refunds/",
			Headers: auth(fx.creator),
			Body:    f.body("free"),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				f.usages = useTimes(t, app, fx.creator.id, fx.active, 1) // its own tool: free
			},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"usage":["This usage cost nothing; there is nothing to refund."]`},
			TestAppFactory:  testAppFactory,
		},
	}
	for _, s := range scenarios {
		f = refundFixture{}
		verifiedAfter(&s)
		s.Test(t)
	}
}

func TestRefundLists(t *testing.T) {
	t.Parallel()
	var f refundFixture
	setup := then(f.uses(1), f.requested())
	scenarios := []tests.ApiScenario{
		{
			Name:            "the requester lists its refunds",
			Method:          http.MethodGet,
			URL:             "/api/refunds/",
			Headers:         auth(fx.client),
			BeforeTestFunc:  setup,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":1`, `"id":"` + refundID + `"`, `"reason":"did not work"`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "others see none",
			Method:          http.MethodGet,
			URL:             "/api/refunds/",
			Headers:         auth(fx.client2),
			BeforeTestFunc:  setup,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":0`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "the tool's creator sees none either",
			Method:          http.MethodGet,
			URL:             "/api/refunds/",
			Headers:         auth(fx.creator),
			BeforeTestFunc:  setup,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":0`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "an admin lists all requested refunds",
			Method:          http.MethodGet,
			URL:             "/api/refunds/?status=REQUESTED",
			Headers:         auth(fx.admin),
			BeforeTestFunc:  setup,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":1`, refundID},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "another user's refund is 404",
			Method:          http.MethodGet,
			URL:             "/api/refunds/" + refundID + "/",
			Headers:         auth(fx.client2),
			BeforeTestFunc:  setup,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "the requester reads its refund",
			Method:          http.MethodGet,
			URL:             "/api/refunds/" + refundID + "/",
			Headers:         auth(fx.client),
			BeforeTestFunc:  setup,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + refundID + `"`, `"status":"REQUESTED"`},
			TestAppFactory:  testAppFactory,
		},
	}
	for _, s := range scenarios {
		f = refundFixture{}
		verifiedAfter(&s)
		s.Test(t)
	}
}

func TestRefundDecisions(t *testing.T) {
	t.Parallel()
	var f refundFixture
	approveURL := "/api/refunds/" + refundID + "/approve/"
	rejectURL := "/api/refunds/" + refundID + "/reject/"
	decided := func(status string, refunded bool) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if got := refundStatus(t, app, refundID); got != status {
				t.Errorf("refund status %s, want %s", got, status)
			}
			if !refunded {
				notRefunded(len(f.usages), 1)(t, app, res)
			}
			mustVerify(t, app)
		}
	}
	scenarios := []tests.ApiScenario{
		{
			Name:           "an admin approves: payer credited, creator reversed, counters corrected, usage marked, one transaction",
			Method:         http.MethodPost,
			URL:            approveURL,
			Headers:        auth(fx.admin),
			Body:           body(`{"note":"confirmed outage"}`),
			BeforeTestFunc: then(f.uses(2), f.requested()),
			ExpectedStatus: 200,
			ExpectedContent: []string{`"status":"APPROVED"`, `"amount":10`, `"creator_reversal":8`, `"platform_absorbed":0`,
				`"note":"confirmed outage"`, `"processed_by":"` + fx.admin.id + `"`},
			TestAppFactory: testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				decided(c.RefundApproved, true)(t, app, res)
				if got := balance(t, app, fx.client.id); got != fixturePoints-activeCost {
					t.Errorf("client balance %d, want %d", got, fixturePoints-activeCost)
				}
				if u := user(t, app, fx.creator.id); u.TotalRevenue() != earningPerUse || u.PendingBalance() != earningPerUse {
					t.Errorf("creator revenue %d", u.TotalRevenue())
				}
				tool, _ := app.FindRecordById(c.Tools, fx.active)
				if tl := c.AsTool(tool); tl.TotalUses() != 1 || tl.TotalRevenue() != activeCost {
					t.Errorf("tool counters %d uses, %d revenue", tl.TotalUses(), tl.TotalRevenue())
				}
				usage, _ := app.FindRecordById(c.ToolUsage, f.usages[0])
				if usage.GetDateTime(c.UsageRefundedAt).IsZero() {
					t.Error("usage not marked refunded")
				}
				other, _ := app.FindRecordById(c.ToolUsage, f.usages[1])
				if !other.GetDateTime(c.UsageRefundedAt).IsZero() {
					t.Error("the other usage marked refunded")
				}
				rows, _ := app.FindRecordsByFilter(c.PointTransactions, "kind = 'REFUND'", "account", 0, 0)
				if len(rows) != 2 {
					t.Fatalf("%d REFUND rows", len(rows))
				}
				credit, reversal := c.AsTransaction(rows[0]), c.AsTransaction(rows[1])
				if credit.User() != fx.client.id || credit.Account() != c.AccountPoints || credit.Amount() != activeCost ||
					credit.Usage() != f.usages[0] || credit.Actor() != fx.admin.id {
					t.Errorf("credit row %v", rows[0].PublicExport())
				}
				if reversal.User() != fx.creator.id || reversal.Account() != c.AccountRevenue || reversal.Amount() != -earningPerUse ||
					reversal.Usage() != f.usages[0] || !strings.Contains(reversal.Note(), "refund "+refundID) {
					t.Errorf("reversal row %v", rows[1].PublicExport())
				}
				if n := auditCount(t, app, "refund.approve"); n != 1 {
					t.Errorf("%d audit rows", n)
				}
			},
		},
		{
			Name:            "approving an approved refund is 409 and refunds nothing more",
			Method:          http.MethodPost,
			URL:             approveURL,
			Headers:         auth(fx.admin),
			BeforeTestFunc:  then(f.uses(1), f.requested(), approveRefund),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"detail":"This refund is APPROVED; it can be approved only when REQUESTED."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if got := balance(t, app, fx.client.id); got != fixturePoints {
					t.Errorf("client balance %d", got)
				}
				if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxKind: c.KindRefund}); n != 2 {
					t.Errorf("%d REFUND rows", n)
				}
				mustVerify(t, app)
			},
		},
		{
			Name:            "the requester may not approve its own refund",
			Method:          http.MethodPost,
			URL:             approveURL,
			Headers:         auth(fx.client),
			BeforeTestFunc:  then(f.uses(1), f.requested()),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   decided(c.RefundRequested, false),
		},
		{
			Name:            "a creator may not approve a refund",
			Method:          http.MethodPost,
			URL:             approveURL,
			Headers:         auth(fx.creator),
			BeforeTestFunc:  then(f.uses(1), f.requested()),
			ExpectedStatus:  403,
			TestAppFactory:  testAppFactory,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			AfterTestFunc:   decided(c.RefundRequested, false),
		},
		{
			Name:            "an unknown refund is 404",
			Method:          http.MethodPost,
			URL:             "/api/refunds/nosuchrefund123/approve/",
			Headers:         auth(fx.admin),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a note that is no string is 400",
			Method:          http.MethodPost,
			URL:             approveURL,
			Headers:         auth(fx.admin),
			Body:            body(`{"note":{"a":1}}`),
			BeforeTestFunc:  then(f.uses(1), f.requested()),
			ExpectedStatus:  400,
			TestAppFactory:  testAppFactory,
			ExpectedContent: []string{`"note":["Not a valid string."]`},
			AfterTestFunc:   decided(c.RefundRequested, false),
		},
		{
			Name:            "rejecting needs a note",
			Method:          http.MethodPost,
			URL:             rejectURL,
			Headers:         auth(fx.admin),
			Body:            body(`{}`),
			BeforeTestFunc:  then(f.uses(1), f.requested()),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"note":["This field is required."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   decided(c.RefundRequested, false),
		},
		{
			Name:            "an admin rejects with a note; nothing moves",
			Method:          http.MethodPost,
			URL:             rejectURL,
			Headers:         auth(fx.admin),
			Body:            body(`{"note":"the tool worked as documented"}`),
			BeforeTestFunc:  then(f.uses(1), f.requested()),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"REJECTED"`, `"note":"the tool worked as documented"`, `"creator_reversal":0`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				decided(c.RefundRejected, false)(t, app, res)
				if n := auditCount(t, app, "refund.reject"); n != 1 {
					t.Errorf("%d audit rows", n)
				}
			},
		},
		{
			Name:            "an approved refund cannot be rejected",
			Method:          http.MethodPost,
			URL:             rejectURL,
			Headers:         auth(fx.admin),
			Body:            body(`{"note":"changed my mind"}`),
			BeforeTestFunc:  then(f.uses(1), f.requested(), approveRefund),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"detail":"This refund is APPROVED; it can be rejected only when REQUESTED."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   func(t testing.TB, app *tests.TestApp, _ *http.Response) { mustVerify(t, app) },
		},
		{
			Name:            "a rejected refund cannot be approved",
			Method:          http.MethodPost,
			URL:             approveURL,
			Headers:         auth(fx.admin),
			BeforeTestFunc:  then(f.uses(1), f.requested(), rejectRefund),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"detail":"This refund is REJECTED; it can be approved only when REQUESTED."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc:   decided(c.RefundRejected, false),
		},
		{
			Name:    "approving the refund of a usage refunded meanwhile is 409 and rolls back",
			Method:  http.MethodPost,
			URL:     approveURL,
			Headers: auth(fx.admin),
			BeforeTestFunc: then(f.uses(1), f.requested(), func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				if _, err := ledger.RefundUsage(app, f.usages[0], "", "failed call"); err != nil {
					t.Fatal(err)
				}
			}),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"detail":"This usage was already refunded; reject the request."`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if got := refundStatus(t, app, refundID); got != c.RefundRequested {
					t.Errorf("refund status %s", got)
				}
				if got := balance(t, app, fx.client.id); got != fixturePoints {
					t.Errorf("client balance %d", got)
				}
				mustVerify(t, app)
			},
		},
		{
			Name:    "a creator paid out in part: reversal down to zero, the platform absorbs the rest, the ledger says so",
			Method:  http.MethodPost,
			URL:     approveURL,
			Headers: auth(fx.admin),
			Body:    body(`{}`),
			// 13 uses earn 104; 100 paid out leaves 4 pending for an earning of 8
			BeforeTestFunc:  then(f.uses(13), f.requested(), withPayout(payoutID, fx.creator.id, 100, c.PayoutPaid)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"APPROVED"`, `"amount":10`, `"creator_reversal":4`, `"platform_absorbed":4`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				u := user(t, app, fx.creator.id)
				if u.PendingBalance() != 0 || u.TotalPayouts() != 100 || u.TotalRevenue() != 100 {
					t.Errorf("creator revenue %d payouts %d", u.TotalRevenue(), u.TotalPayouts())
				}
				if got := balance(t, app, fx.client.id); got != fixturePoints-12*activeCost {
					t.Errorf("client balance %d", got)
				}
				rows, _ := app.FindRecordsByFilter(c.PointTransactions, "kind = 'REFUND'", "account", 0, 0)
				if len(rows) != 2 || c.AsTransaction(rows[1]).Amount() != -4 {
					t.Fatalf("REFUND rows %d", len(rows))
				}
				for _, r := range rows {
					if note := c.AsTransaction(r).Note(); !strings.Contains(note, "the platform absorbs 4 of the creator's earning of 8, already paid out") {
						t.Errorf("note %q", note)
					}
				}
				mustVerify(t, app)
			},
		},
		{
			Name:    "a creator paid out in full: no reversal row, the platform absorbs all",
			Method:  http.MethodPost,
			URL:     approveURL,
			Headers: auth(fx.admin),
			BeforeTestFunc: then(f.uses(13), f.requested(), func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				createPayout(t, app, payoutID, fx.creator.id, 13*earningPerUse, c.PayoutPaid)
			}),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"creator_reversal":0`, `"platform_absorbed":8`},
			TestAppFactory: func(t testing.TB) *tests.TestApp {
				app, _ := newTestBase(t, func(cfg *Config) { cfg.MinPayout = 1 })
				return app
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if u := user(t, app, fx.creator.id); u.PendingBalance() != 0 || u.TotalRevenue() != 13*earningPerUse {
					t.Errorf("creator revenue %d pending %d", u.TotalRevenue(), u.PendingBalance())
				}
				rows, _ := app.FindRecordsByFilter(c.PointTransactions, "kind = 'REFUND'", "", 0, 0)
				if len(rows) != 1 || !strings.Contains(c.AsTransaction(rows[0]).Note(), "the platform absorbs 8") {
					t.Fatalf("%d REFUND rows", len(rows))
				}
				mustVerify(t, app)
			},
		},
	}
	for _, s := range scenarios {
		f = refundFixture{}
		verifiedAfter(&s)
		s.Test(t)
	}
}

// approveRefund approves refundID as fx.admin through the route's own code path.
func approveRefund(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	decideAsAdmin(t, app, "approve")
}

func rejectRefund(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	decideAsAdmin(t, app, "reject")
}

func decideAsAdmin(t testing.TB, app *tests.TestApp, action string) {
	t.Helper()
	admin, err := app.FindRecordById(c.Users, fx.admin.id)
	if err != nil {
		t.Fatal(err)
	}
	d := map[string]decision{"approve": approveRefundDecision, "reject": rejectRefundDecision}[action]
	note := func(r *core.Record) error { r.Set(c.RefundNote, "decided in setup"); return nil }
	if _, err := d.decideAs(app, admin, refundID, note); err != nil {
		t.Fatal(err)
	}
}

func TestRefundApproveConcurrent(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	usages := useTimes(t, app, fx.client.id, fx.active, 3)
	requestRefund(t, app, refundID, usages[1], fx.client.id)
	base := serve(t, app)

	statuses := race(t, 20, base+"/api/refunds/"+refundID+"/approve/", fx.admin.auth, `{"note":"race"}`)
	if statuses[200] != 1 || statuses[409] != 19 {
		t.Fatalf("statuses %v, want 1×200 and 19×409", statuses)
	}
	if got := balance(t, app, fx.client.id); got != fixturePoints-2*activeCost {
		t.Errorf("client balance %d, want %d", got, fixturePoints-2*activeCost)
	}
	if u := user(t, app, fx.creator.id); u.TotalRevenue() != 2*earningPerUse {
		t.Errorf("creator total_revenue %d", u.TotalRevenue())
	}
	if n := count(t, app, c.PointTransactions, dbx.HashExp{c.TxKind: c.KindRefund}); n != 2 {
		t.Errorf("%d REFUND rows, want 2", n)
	}
	if n := auditCount(t, app, "refund.approve"); n != 1 {
		t.Errorf("%d audit rows", n)
	}
	mustVerify(t, app)
}

// TestRefundUsageOnce: whoever refunds a usage (an admin's approval, a failed
// remote call), it is refunded once.
func TestRefundUsageOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	usage := useTimes(t, app, fx.client.id, fx.active, 1)[0]
	if _, err := ledger.RefundUsage(app, usage, "", "failed call"); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.RefundUsage(app, usage, "", "failed call"); err != ledger.ErrAlreadyRefunded {
		t.Fatalf("second refund: %v", err)
	}
	if got := balance(t, app, fx.client.id); got != fixturePoints {
		t.Errorf("client balance %d", got)
	}
	mustVerify(t, app)

	// a free usage is marked and leaves the counters, with no ledger rows
	free := useTimes(t, app, fx.admin.id, fx.active, 1)[0]
	moved, err := ledger.RefundUsage(app, free, "", "failed call")
	if err != nil || moved.Credited != 0 || moved.Reversed != 0 {
		t.Fatalf("free refund %+v, %v", moved, err)
	}
	mustVerify(t, app)
}

// failUsage settles a usage as a failed remote call does, through settle:
// FAILED and refunded in one transaction.
func failUsage(t testing.TB, app core.App, usageID string) {
	t.Helper()
	if _, err := app.DB().Update(c.ToolUsage, dbx.Params{c.UsageState: c.StatePending}, dbx.HashExp{c.FieldID: usageID}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Settle(app, usageID, ledger.Outcome{Failure: "the tool's endpoint answered 500"}); err != nil {
		t.Fatal(err)
	}
}

// TestRefundsAndRemoteCalls: a usage refunded because its remote call failed
// is never refunded again, and a usage still running is not refunded by hand.
func TestRefundsAndRemoteCalls(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	usages := useTimes(t, app, fx.client.id, fx.active, 3)
	failUsage(t, app, usages[0])
	mustVerify(t, app)
	if _, err := ledger.RefundUsage(app, usages[0], "", "refund"); err != ledger.ErrAlreadyRefunded {
		t.Errorf("refund of a failed usage: %v", err)
	}
	execSQL(t, app, "UPDATE tool_usage SET state = 'PENDING' WHERE id = {:id}", usages[1])
	if _, err := ledger.RefundUsage(app, usages[1], "", "refund"); err != ledger.ErrUsagePending {
		t.Errorf("refund of a pending usage: %v", err)
	}
	col, _ := app.FindCollectionByNameOrId(c.Refunds)
	for usage, want := range map[string]string{usages[0]: "already refunded", usages[1]: "still running"} {
		r := core.NewRecord(col)
		r.Set(c.RefundUsage, usage)
		r.Set(c.RefundRequester, fx.client.id)
		r.Set(c.RefundReason, "x")
		if err := app.Save(r); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("request for usage %s: %v, want %q", usage, err, want)
		}
	}
	execSQL(t, app, "UPDATE tool_usage SET state = 'SUCCEEDED' WHERE id = {:id}", usages[1])
	if got := balance(t, app, fx.client.id); got != fixturePoints-2*activeCost {
		t.Errorf("client balance %d", got)
	}
	mustVerify(t, app)
}

// TestVerifyCatchesRefundTampering: verify is strict about refunds and payouts.
func TestVerifyCatchesRefundTampering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, app core.App, usage string)
		want   string
	}{
		{"refunded_at set with no REFUND rows", func(t *testing.T, app core.App, usage string) {
			execSQL(t, app, "UPDATE tool_usage SET refunded_at = '2026-01-01 00:00:00.000Z' WHERE id = {:id}", usage)
		}, "0 REFUND credit(s)"},
		{"a REFUND row for a usage not refunded", func(t *testing.T, app core.App, usage string) {
			if _, err := ledger.Post(app, ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindRefund, Amount: 10, Usage: usage}); err != nil {
				t.Fatal(err)
			}
		}, "(SUCCEEDED, points_spent 10): 1 REFUND credit(s)"},
		{"counters still counting a refunded usage", func(t *testing.T, app core.App, usage string) {
			if _, err := ledger.RefundUsage(app, usage, "", "x"); err != nil {
				t.Fatal(err)
			}
			execSQL(t, app, "UPDATE tools SET total_uses = total_uses + 1, total_revenue = total_revenue + 10 WHERE id = {:id}", fx.active)
		}, "but its usage not refunded counts 0 uses"},
		{"a second credit", func(t *testing.T, app core.App, usage string) {
			if _, err := ledger.RefundUsage(app, usage, "", "x"); err != nil {
				t.Fatal(err)
			}
			if _, err := ledger.Post(app, ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindRefund, Amount: 10, Usage: usage}); err != nil {
				t.Fatal(err)
			}
		}, "2 REFUND credit(s)"},
		{"a failed usage refunded again by a refund", func(t *testing.T, app core.App, usage string) {
			failUsage(t, app, usage)
			execSQL(t, app, "UPDATE tool_usage SET refunded_at = '2026-01-01 00:00:00.000Z' WHERE id = {:id}", usage)
		}, "refunded both as failed and by a refund"},
		{"a payout PAID behind the ledger's back", func(t *testing.T, app core.App, _ string) {
			useTimes(t, app, fx.client.id, fx.active, 13)
			createPayout(t, app, payoutID, fx.creator.id, 100, c.PayoutApproved)
			execSQL(t, app, "UPDATE payouts SET status = 'PAID' WHERE id = {:id}", payoutID)
		}, "payout " + payoutID + " (PAID, 100 to user " + fx.creator.id + "): 0 PAYOUT ledger row(s)"},
		{"a PAYOUT row for no payout", func(t *testing.T, app core.App, _ string) {
			if _, err := ledger.Post(app, ledger.Entry{User: fx.creator.id, Account: c.AccountRevenue, Kind: c.KindPayout, Amount: -8, Note: "cash"}); err != nil {
				t.Fatal(err)
			}
		}, "belongs to no PAID payout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := newTestApp(t)
			usage := useTimes(t, app, fx.client.id, fx.active, 1)[0]
			tc.tamper(t, app, usage)
			problems, err := ledger.Verify(app)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Errorf("verify did not report %q:\n%s", tc.want, strings.Join(problems, "\n"))
			}
		})
	}
}

func execSQL(t testing.TB, app core.App, query, id string) {
	t.Helper()
	if _, err := app.DB().NewQuery(query).Bind(dbx.Params{"id": id}).Execute(); err != nil {
		t.Fatal(err)
	}
}
