package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// End-to-end tests of the admin console (pb_public/app/pages/admin/) and of
// the built-in demo tools in the web app, with the harness of webapp_test.go.

// signIn signs a session in through the sign-in form.
func (s *session) signIn(email, password string) {
	s.t.Helper()
	s.do("sign in "+email,
		chromedp.Navigate(s.base+"/#/signin"),
		chromedp.WaitVisible(tid("login-email")),
		chromedp.SendKeys(tid("login-email"), email),
		chromedp.SendKeys(tid("login-password"), password),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitVisible(tid("points-balance")))
}

// doubleClick double-clicks an element as a person does: two presses and
// releases at its centre, back to back (chromedp's DoubleClick sends one).
func doubleClick(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		xy, err := chromedp.Evaluate[[]float64](`(() => { const el = document.querySelector('[data-testid="`+id+`"]');
			if (!el) throw new Error('no [data-testid=`+id+`]'); el.scrollIntoView({block: 'center'});
			const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)(ctx, t)
		if err != nil {
			return err
		}
		for _, n := range []int{1, 2} {
			if _, err := chromedp.MouseClickXY(xy[0], xy[1], chromedp.ClickCount(n))(ctx, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// textOf is the text of the first element with a data-testid.
func textOf(s *session, id string) string {
	s.t.Helper()
	return eval[string](s, "text of "+id, `(document.querySelector('[data-testid="`+id+`"]') || {textContent: ''}).textContent`)
}

// The admin scenarios, in one story on the demo data: a creator's
// tool waits for review, a client has used creator1's tools, asked for a
// refund and opened a ticket, creator1 asked for a payout. The overview shows
// the platform's fees (a figure and a series of the chart). The admin
// approves the tool (the client then uses it), sends another back to draft
// with a reason (one call, audited with the move) that its creator reads on
// its tool's page, grants points with a reason
// (ledger and audit show it), is refused a deduction below zero, approves and
// pays the payout double-clicking each button (one PAYOUT row), approves the
// refund (the client's balance comes back, live), answers the ticket with an
// internal note (the client never sees it) and publishes a page (the footer
// shows it). A client who opens the console sees nothing of it, and every
// admin call from its session is refused.
func TestWebAppAdmin(t *testing.T) {
	chromiumPath(t)
	started := time.Now()
	srv := startWebServer(t)
	admin := srv.token(t, "admin@example.com", "admin-demo-pass")
	creator := srv.token(t, "creator1@example.com", "creator-demo-pass")
	client := srv.token(t, "client1@example.com", "client-demo-pass")

	// the world through the API
	var tool struct{ ID string }
	if status := srv.api(t, http.MethodPost, "/api/tools/tools/", creator, map[string]any{"name": "Haiku Checker", "description": "Counts syllables.", "points_cost": 4, "status": "PENDING"}, &tool); status != 201 {
		t.Fatalf("pending tool: %d", status)
	}
	var tools []struct{ ID, Name, Creator string }
	srv.api(t, http.MethodGet, "/api/tools/tools/search/", client, nil, &tools)
	ids := map[string]string{}
	for _, tl := range tools {
		ids[tl.Name] = tl.ID
	}
	var use struct {
		UsageID    string         `json:"usage_id"`
		OutputData map[string]any `json:"output_data"`
	}
	for range 2 { // 2 × 5 points, creator1 earns 2 × 4
		if status := srv.api(t, http.MethodPost, "/api/tools/tools/"+ids["Word Counter"]+"/use/", client, map[string]any{"input_data": map[string]any{"text": "to be or not to be"}}, &use); status != 200 || use.OutputData["words"] != float64(6) {
			t.Fatalf("use Word Counter: %d %v", status, use.OutputData)
		}
	}
	var refund struct{ ID string }
	if status := srv.api(t, http.MethodPost, "/api/refunds/", client, map[string]any{"usage": use.UsageID, "reason": "I counted them myself."}, &refund); status != 201 {
		t.Fatalf("refund request: %d", status)
	}
	var ticket struct{ ID string }
	if status := srv.api(t, http.MethodPost, "/api/support/tickets/", client, map[string]any{"subject": "Points for a school project?", "message": "Could I get a few more points?"}, &ticket); status != 201 {
		t.Fatalf("ticket: %d", status)
	}
	var payout struct{ ID string }
	if status := srv.api(t, http.MethodPost, "/api/payouts/", creator, map[string]any{"amount": 6, "method": "bank transfer"}, &payout); status != 201 {
		t.Fatalf("payout request: %d", status)
	}
	var me struct {
		ID            string
		PointsBalance int64 `json:"points_balance"`
	}
	srv.api(t, http.MethodGet, "/api/users/users/me/", client, nil, &me)
	var creatorMe struct{ ID string }
	srv.api(t, http.MethodGet, "/api/users/users/me/", creator, nil, &creatorMe)

	br := newBrowser(t)
	a := br.session(t, "admin", srv.base, 1280, 800)
	a.signIn("admin@example.com", "admin-demo-pass")
	c := br.session(t, "client", srv.base, 360, 740)
	c.signIn("client1@example.com", "client-demo-pass")
	t.Logf("world, server and browser ready in %s", time.Since(started).Round(time.Millisecond))

	// --- overview: statistics and what waits, live
	a.do("overview", chromedp.Click(tid("nav-admin")), chromedp.WaitVisible(tid("admin-stats-chart")))
	// two uses of Word Counter at 5 points, 20 % fees: 10 spent, 2 in fees, and a chart line of them
	a.until("fees", `document.querySelector('[data-testid="admin-stats-spent"]').textContent === '10' && document.querySelector('[data-testid="admin-stats-fees"]').textContent === '2'`)
	if cols := eval[string](a, "fees series", `[...document.querySelectorAll('.chart-box .sr-only thead th')].map((th) => th.textContent).join(',')`); cols != "Period,Uses,Points spent,Fees" {
		a.fail("fees series", fmt.Errorf("the chart's table has columns %q, want a Fees series", cols))
	}
	a.until("pending count", `document.querySelector('[data-testid="admin-pending-count"]').textContent === '1'`)
	for _, id := range []string{"admin-payouts-count", "admin-refunds-count", "admin-tickets-count"} {
		a.until(id, `document.querySelector('[data-testid="`+id+`"]').textContent === '1'`)
	}

	// --- moderation: approve the PENDING tool; the client can then use it
	a.do("moderation", chromedp.Click(tid("admin-nav-moderation")), chromedp.WaitVisible(tid("moderation-row")))
	if txt := textOf(a, "moderation-row"); !strings.Contains(txt, "Haiku Checker") || !strings.Contains(txt, "creator1@example.com") {
		a.fail("moderation row", fmt.Errorf("row %q", txt))
	}
	a.do("approve", chromedp.Click(tid("moderation-approve")), chromedp.WaitVisible(tid("confirm-ok")), chromedp.Sleep(400*time.Millisecond), chromedp.Click(tid("confirm-ok")))
	a.until("approved", `!document.querySelector('[data-testid="moderation-row"]') && document.querySelector('[data-testid="admin-pending-count"]').textContent === '0'`)

	// --- moderation: send a tool back to draft with a reason (required), in one
	// call; its creator reads the reason on its tool's page
	var sentBack struct{ ID string }
	if status := srv.api(t, http.MethodPost, "/api/tools/tools/", creator, map[string]any{"name": "Limerick Linter", "points_cost": 3, "status": "PENDING"}, &sentBack); status != 201 {
		t.Fatalf("second pending tool: %d", status)
	}
	const reason = "The description does not say what input it expects."
	a.do("send back", chromedp.Click(tid("admin-nav-overview")), chromedp.Click(tid("admin-nav-moderation")), chromedp.WaitVisible(tid("moderation-reject")),
		chromedp.Click(tid("moderation-reject")), chromedp.WaitVisible(tid("moderation-reason")), chromedp.Sleep(400*time.Millisecond), chromedp.Click(tid("confirm-ok")))
	a.until("reason required", `!!document.querySelector('dialog') && /required/.test(document.querySelector('dialog').textContent) && !!document.querySelector('[data-testid="moderation-row"]')`)
	a.do("send back", append(typeInto("moderation-reason", reason), chromedp.Click(tid("confirm-ok")))...)
	a.until("sent back", `!document.querySelector('dialog') && !document.querySelector('[data-testid="moderation-row"]')`)
	var moves struct {
		Results []struct {
			Action, Target string
			After          map[string]any
		}
	}
	srv.api(t, http.MethodGet, "/api/audit-log/?action=tool.status&target=tools/"+sentBack.ID, admin, nil, &moves)
	if len(moves.Results) == 0 || moves.Results[0].Target != "tools/"+sentBack.ID || moves.Results[0].After["moderation_note"] != reason || moves.Results[0].After["status"] != "DRAFT" {
		t.Errorf("the send-back's audit row: %+v", moves.Results)
	}
	var tickets struct{ Count int }
	srv.api(t, http.MethodGet, "/api/support/tickets/", creator, nil, &tickets)
	if tickets.Count != 0 {
		t.Errorf("%d support tickets opened for the creator: the reason travels with the move", tickets.Count)
	}
	cr := br.session(t, "creator", srv.base, 1280, 800)
	cr.signIn("creator1@example.com", "creator-demo-pass")
	cr.do("creator's tool page", chromedp.Navigate(srv.base+"/#/creator/tools/"+sentBack.ID), chromedp.WaitVisible(tid("tool-moderation-note")))
	if txt := textOf(cr, "tool-moderation-note"); !strings.Contains(txt, reason) || !strings.Contains(txt, "sent it back") {
		cr.fail("reason shown", fmt.Errorf("the creator's page says %q", txt))
	}
	c.do("use the approved tool", steps(
		one(chromedp.Navigate(srv.base+"/#/tools/"+tool.ID)),
		typeInto("tool-use-input", `{"text": "an old silent pond"}`),
		one(chromedp.Click(tid("tool-use-submit")), chromedp.Click(tid("tool-use-confirm")), chromedp.WaitVisible(tid("tool-use-output"))),
	)...)
	// a built-in demo tool's real output, in the web app
	c.do("use a built-in", steps(
		one(chromedp.Navigate(srv.base+"/#/tools/"+ids["Unit Converter"])),
		typeInto("tool-use-input", `{"value": 100, "from": "c", "to": "f"}`),
		one(chromedp.Click(tid("tool-use-submit")), chromedp.Click(tid("tool-use-confirm")), chromedp.WaitVisible(tid("tool-use-output"))),
	)...)
	if out := textOf(c, "tool-use-output"); !strings.Contains(out, `"result": 212`) {
		c.fail("built-in output", fmt.Errorf("output %q", out))
	}
	c.do("a failing built-in", steps(
		one(chromedp.Navigate(srv.base+"/#/tools/"+ids["JSON Formatter"])),
		typeInto("tool-use-input", `{"json": "{\"a\": }"}`),
		one(chromedp.Click(tid("tool-use-submit")), chromedp.Click(tid("tool-use-confirm")), chromedp.WaitVisible(tid("tool-use-error"))),
	)...)
	if msg := eval[string](c, "failure shown", `document.querySelector('.result').textContent`); !strings.Contains(msg, "not valid JSON") || !strings.Contains(msg, "came back") {
		c.fail("failure shown", fmt.Errorf("result %q", msg))
	}

	// --- users: grant points with a reason; the ledger row and the audit row show it
	a.do("users", chromedp.Click(tid("admin-nav-users")), chromedp.WaitVisible(tid("user-row")), chromedp.SendKeys(tid("user-search"), "client2"))
	a.until("one user", `document.querySelectorAll('[data-testid="user-row"]').length === 1 && document.querySelector('[data-testid="user-row"]').textContent.includes('client2@example.com')`)
	a.do("grant", steps(
		one(chromedp.Click(chromedp.CSS(`[data-testid="user-row"] a`)), chromedp.WaitVisible(tid("points-amount"))),
		typeInto("points-amount", "25"),
		typeInto("points-reason", "school project"),
		one(chromedp.Click(tid("points-add")), chromedp.WaitVisible(tid("confirm-ok"))),
	)...)
	if txt := eval[string](a, "confirmation", `document.querySelector('dialog').textContent`); !strings.Contains(txt, "500 → 525") || !strings.Contains(txt, "school project") {
		a.fail("confirmation", fmt.Errorf("the confirmation says %q, want the new balance 500 → 525 and the reason", txt))
	}
	a.do("grant", chromedp.Sleep(400*time.Millisecond), chromedp.Click(tid("confirm-ok")))
	a.until("granted", `document.querySelector('[data-testid="user-points"]').textContent === '525'`)
	a.until("ledger row", `(document.querySelector('[data-testid="admin-ledger-row"]') || {textContent: ''}).textContent.includes('+25') && document.querySelector('[data-testid="admin-ledger-row"]').textContent.includes('school project')`)
	// below zero: the API's refusal, next to the amount
	a.do("deduct too much", steps(
		typeInto("points-amount", "100000"),
		typeInto("points-reason", "oops"),
		one(chromedp.Click(tid("points-deduct")), chromedp.WaitVisible(tid("confirm-ok")), chromedp.Sleep(400*time.Millisecond), chromedp.Click(tid("confirm-ok"))),
	)...)
	a.until("refused in words", `!document.querySelector('dialog') && document.querySelector('[data-testid="points-amount"]').getAttribute('aria-invalid') === 'true' && /points|balance|insufficient/i.test(document.querySelector('[data-testid="points-amount"]').closest('form').querySelector('.form-error').textContent + document.querySelector('[data-error-for="points"]').textContent)`)
	if bal := textOf(a, "user-points"); bal != "525" {
		a.fail("nothing deducted", fmt.Errorf("balance %s", bal))
	}
	a.do("audit", chromedp.Click(tid("admin-nav-audit")), chromedp.WaitVisible(tid("audit-row")), setValue("audit-action", "points.grant"), chromedp.Click(chromedp.CSS(`form[role="search"] button[type="submit"]`)))
	a.until("audit row", `[...document.querySelectorAll('[data-testid="audit-row"]')].some((r) => r.textContent.includes('points.grant') && r.textContent.includes('admin@example.com') && r.textContent.includes('school project'))`)

	// --- payouts: approve and pay, double-clicking every button; one PAYOUT row
	a.do("payouts", chromedp.Click(tid("admin-nav-payouts")), chromedp.WaitVisible(tid("payout-row")))
	a.do("approve the payout", doubleClick("payout-approve"), chromedp.WaitVisible(tid("confirm-ok")), chromedp.Sleep(400*time.Millisecond), doubleClick("confirm-ok"))
	a.until("approved", `document.querySelector('[data-testid="payout-row"]').textContent.includes('APPROVED') && !document.querySelector('dialog')`)
	a.do("pay", chromedp.Sleep(400*time.Millisecond), doubleClick("payout-mark-paid"), chromedp.WaitVisible(tid("payout-reference")))
	a.do("pay", chromedp.SendKeys(tid("payout-reference"), "TX-42"), doubleClick("confirm-ok"))
	a.until("paid", `document.querySelector('[data-testid="payout-row"]').textContent.includes('PAID') && document.querySelector('[data-testid="payout-row"]').textContent.includes('TX-42')`)
	var ledger struct {
		Results []struct{ Kind string }
	}
	srv.api(t, http.MethodGet, "/api/users/users/"+creatorMe.ID+"/transactions/?page_size=100", admin, nil, &ledger)
	paid := 0
	for _, r := range ledger.Results {
		if r.Kind == "PAYOUT" {
			paid++
		}
	}
	if paid != 1 {
		t.Errorf("%d PAYOUT ledger rows after double-clicking every button, want exactly 1", paid)
	}
	var audits struct{ Count int }
	srv.api(t, http.MethodGet, "/api/audit-log/?action=payout.", admin, nil, &audits)
	if audits.Count != 2 {
		t.Errorf("%d payout audit rows, want 2 (approve, mark_paid)", audits.Count)
	}

	// --- refunds: approve; the client's balance comes back, live in its header
	srv.api(t, http.MethodGet, "/api/users/users/me/", client, nil, &me)
	before := me.PointsBalance
	c.do("client watches its balance", chromedp.Navigate(srv.base+"/#/ledger"), chromedp.WaitVisible(tid("ledger-row")))
	a.do("refunds", chromedp.Click(tid("admin-nav-refunds")), chromedp.WaitVisible(tid("refund-row")))
	if txt := textOf(a, "refund-row"); !strings.Contains(txt, "Word Counter") || !strings.Contains(txt, "I counted them myself.") {
		a.fail("refund row", fmt.Errorf("row %q", txt))
	}
	a.do("approve the refund", doubleClick("refund-approve"), chromedp.WaitVisible(tid("confirm-ok")), chromedp.Sleep(400*time.Millisecond), doubleClick("confirm-ok"))
	a.until("refund approved", `document.querySelector('[data-testid="refund-row"]').textContent.includes('APPROVED')`)
	c.until("balance restored live", `document.querySelector('[data-testid="points-balance"]').textContent === '`+fmt.Sprint(before+5)+`'`)

	// --- support: an internal note and an answer; the requester sees only the answer
	a.do("support", chromedp.Click(tid("admin-nav-support")), chromedp.WaitVisible(tid("ticket-row")))
	a.do("open the ticket", chromedp.Click(chromedp.CSS(`[data-testid="ticket-row"] a`)), chromedp.WaitVisible(tid("ticket-reply")))
	const note = "Internal: granted him 25 already, check before more."
	const answer = "We added points to your account. Good luck with the project!"
	a.do("internal note", steps(
		typeInto("ticket-reply", note),
		one(chromedp.Click(tid("ticket-internal")), chromedp.Click(tid("ticket-send")), chromedp.WaitVisible(tid("ticket-note"))),
	)...)
	if txt := textOf(a, "ticket-note"); !strings.Contains(txt, note) || !strings.Contains(txt, "never sees") {
		a.fail("note marked", fmt.Errorf("note %q", txt))
	}
	a.do("answer", steps(
		one(chromedp.Click(tid("ticket-internal"))),
		typeInto("ticket-reply", answer),
		one(chromedp.Click(tid("ticket-send"))),
	)...)
	a.until("answer listed", `[...document.querySelectorAll('[data-testid="ticket-message"]')].some((m) => m.textContent.includes(`+js(answer)+`))`)
	c.do("requester's thread", chromedp.Navigate(srv.base+"/#/support/"+ticket.ID))
	c.until("the answer, not the note", `document.body.textContent.includes(`+js(answer)+`)`)
	if leaked := eval[bool](c, "no note", `document.documentElement.outerHTML.includes('check before more')`); leaked {
		c.fail("no note", fmt.Errorf("the internal note reached the requester's page"))
	}

	// --- site pages: publish one; the footer shows it
	a.do("new page", steps(
		one(chromedp.Click(tid("admin-nav-pages")), chromedp.Click(tid("page-new")), chromedp.WaitVisible(tid("page-slug"))),
		typeInto("page-title", "Fair use"),
		typeInto("page-slug", "fair-use"),
		typeInto("page-body", `<h2>Be fair</h2><p>One account per person. <img src=x onerror="window.__xss=9"></p>`),
		one(chromedp.Click(tid("page-published")), chromedp.Click(tid("page-save"))),
	)...)
	a.until("in the footer", `document.querySelector('#site-pages a[href="#/pages/fair-use"]') !== null`)
	if n := eval[int](a, "preview inert", `(window.__xss || 0) + document.querySelectorAll('.preview img').length`); n != 0 {
		a.fail("preview inert", fmt.Errorf("the preview ran the page's HTML (%d)", n))
	}
	c.do("client's footer", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#site-pages a[href="#/pages/fair-use"]`)))

	// --- a client opens the console: nothing of it, and the API refuses its calls
	if eval[bool](c, "no admin link", `document.querySelector('[data-testid="nav-admin"]') !== null`) {
		c.fail("no admin link", fmt.Errorf("a client sees the admin link"))
	}
	for _, path := range []string{"/admin", "/admin/moderation", "/admin/users/" + me.ID, "/admin/payouts", "/admin/refunds", "/admin/support/" + ticket.ID, "/admin/pages/new", "/admin/audit"} {
		c.do("opens "+path, chromedp.Navigate(srv.base+"/#"+path))
		c.until("refused "+path, `document.title.startsWith('For admins')`)
		if n := eval[int](c, "nothing of "+path, `document.querySelectorAll('[data-testid^="admin-"], [data-testid^="moderation-"], [data-testid="points-amount"], [data-testid="points-add"], [data-testid="points-deduct"], [data-testid="user-row"], [data-testid="audit-row"], [data-testid="confirm-ok"]').length`); n != 0 {
			c.fail("nothing of "+path, fmt.Errorf("%d admin elements on a client's page", n))
		}
	}
	calls := [][3]string{
		{"GET", "/api/users/users/", ""},
		{"GET", "/api/users/users/" + creatorMe.ID + "/", ""},
		{"GET", "/api/users/users/" + creatorMe.ID + "/transactions/", ""},
		{"POST", "/api/users/users/" + me.ID + "/add_points/", `{"points": 1000, "reason": "me"}`},
		{"POST", "/api/users/users/" + me.ID + "/deduct_points/", `{"points": 1, "reason": "me"}`},
		{"POST", "/api/users/users/" + me.ID + "/change_role/", `{"role": "ADMIN"}`},
		{"PATCH", "/api/tools/tools/" + ids["Hash Generator"] + "/", `{"status": "SUSPENDED"}`},
		{"PATCH", "/api/tools/tools/" + ids["Hash Generator"] + "/", `{"api_endpoint": "https://builtin.invalid/units"}`},
		{"POST", "/api/payouts/" + payout.ID + "/approve/", `{}`},
		{"POST", "/api/payouts/" + payout.ID + "/reject/", `{"note": "x"}`},
		{"POST", "/api/payouts/" + payout.ID + "/mark_paid/", `{"reference": "x"}`},
		{"POST", "/api/refunds/" + refund.ID + "/approve/", `{}`},
		{"PATCH", "/api/support/tickets/" + ticket.ID + "/", `{"priority": "URGENT"}`},
		{"POST", "/api/support/tickets/" + ticket.ID + "/messages/", `{"body": "x", "internal": true}`},
		{"POST", "/api/content/", `{"slug": "mine", "title": "Mine", "published": true}`},
		{"PATCH", "/api/content/fair-use/", `{"published": false}`},
		{"GET", "/api/audit-log/", ""},
		{"POST", "/api/collections/support_tickets/records", `{"requester": "` + creatorMe.ID + `", "subject": "x"}`},
	}
	var script strings.Builder
	script.WriteString(`(async () => { const token = JSON.parse(localStorage.getItem('pocketbase_auth')).token; const out = [];`)
	for _, call := range calls {
		body := "undefined"
		if call[2] != "" {
			body = js(call[2])
		}
		fmt.Fprintf(&script, `{ const r = await fetch(%s, {method: %s, headers: {Authorization: 'Bearer ' + token, 'Content-Type': 'application/json'}, body: %s}); out.push(r.status); }`, js(call[1]), js(call[0]), body)
	}
	script.WriteString(`return out; })()`)
	ctx, cancel := context.WithTimeout(c.ctx, 15*time.Second)
	statuses, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](script.String(), chromedp.EvalAwaitPromise))
	cancel()
	if err != nil {
		c.fail("admin calls", err)
	}
	for i, status := range statuses {
		if status < 400 {
			t.Errorf("a client's %s %s answered %d, want a refusal", calls[i][0], calls[i][1], status)
		}
	}
	// what the console reads through the records API: nothing beyond the client's own
	ctx, cancel = context.WithTimeout(c.ctx, 15*time.Second)
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const token = JSON.parse(localStorage.getItem('pocketbase_auth')).token;
		const get = async (p) => (await (await fetch(p, {headers: {Authorization: 'Bearer ' + token}})).json()).totalItems;
		return [await get('/api/collections/audit_log/records'), await get('/api/collections/users/records'),
			await get('/api/collections/payouts/records'), await get('/api/collections/point_transactions/records?filter=' + encodeURIComponent('user != "`+me.ID+`"'))].join(',');
	})()`, chromedp.EvalAwaitPromise))
	cancel()
	if err != nil {
		c.fail("records", err)
	}
	if counts != "0,1,0,0" {
		t.Errorf("a client lists audit rows, users, payouts and others' ledger rows: %s, want 0,1,0,0 (itself only)", counts)
	}

	// no page threw; the CSP refused nothing but the hostile HTML's handler,
	// reported from the inert document the sanitiser parses
	for _, s := range []*session{a, c} {
		s.mu.Lock()
		lines := append([]string(nil), s.console...)
		s.mu.Unlock()
		for _, line := range lines {
			if strings.Contains(line, " exception ") {
				s.fail("console", fmt.Errorf("uncaught exception: %s", line))
			}
			if strings.Contains(line, "Content Security Policy") && !strings.Contains(line, "inline event handler") {
				s.fail("console", fmt.Errorf("CSP violation: %s", line))
			}
		}
	}
	t.Logf("the admin scenarios took %s", time.Since(started).Round(time.Millisecond))
}
