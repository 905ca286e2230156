package hooks

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
)

// createTicket opens a ticket with a fixed id for requester, with one message
// of the requester and, from an admin, one answer and one internal note.
func createTicket(t testing.TB, app core.App, id, requester, status string) {
	t.Helper()
	tickets, _ := app.FindCollectionByNameOrId(c.SupportTickets)
	tk := core.NewRecord(tickets)
	tk.Id = id
	tk.Set(c.TicketRequester, requester)
	tk.Set(c.TicketSubject, "cannot log in "+id)
	tk.Set(c.TicketStatus, status)
	if err := app.Save(tk); err != nil {
		t.Fatal(err)
	}
	msgs, _ := app.FindCollectionByNameOrId(c.TicketMessages)
	for _, m := range []struct {
		author, body string
		internal     bool
	}{
		{requester, "my password is refused", false},
		{fx.admin.id, "we reset it, try again", false},
		{fx.admin.id, "SECRET: user had 12 failed attempts", true},
	} {
		rec := core.NewRecord(msgs)
		rec.Set(c.MessageTicket, id)
		rec.Set(c.MessageAuthor, m.author)
		rec.Set(c.MessageBody, m.body)
		rec.Set(c.MessageInternal, m.internal)
		if err := app.Save(rec); err != nil {
			t.Fatal(err)
		}
	}
}

func withTickets(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	createTicket(t, app, ticketID, fx.client.id, c.TicketOpen)
	createTicket(t, app, ticket2ID, fx.client2.id, c.TicketOpen)
}

func withClosedTicket(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	createTicket(t, app, ticketID, fx.client.id, c.TicketClosed)
}

func ticketURL(id, sub string) string { return "/api/support/tickets/" + id + "/" + sub }

func ticketField(t testing.TB, app core.App, field string) string {
	t.Helper()
	tk, err := app.FindRecordById(c.SupportTickets, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	return tk.GetString(field)
}

func TestSupportTickets(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		{
			Name:            "anonymous is 401",
			Method:          http.MethodGet,
			URL:             "/api/support/tickets/",
			ExpectedStatus:  401,
			ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:           "a user opens a ticket with its first message",
			Method:         http.MethodPost,
			URL:            "/api/support/tickets/",
			Headers:        auth(fx.client),
			Body:           body(`{"subject":"Refund question","message":"How long does a refund take?","priority":"HIGH","status":"CLOSED","requester":"` + fx.client2.id + `"}`),
			ExpectedStatus: 201,
			ExpectedContent: []string{`"requester":"` + fx.client.id + `"`, `"subject":"Refund question"`, `"status":"OPEN"`,
				`"priority":"HIGH"`, `"assigned_to":null`, `"messages":[{"id":`, `"body":"How long does a refund take?"`,
				`"author":"` + fx.client.id + `"`, `"author_is_staff":false`, `"internal":false`},
			TestAppFactory: testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := count(t, app, c.TicketMessages, nil); n != 1 {
					t.Errorf("%d messages", n)
				}
				// a user's own ticket is no admin action
				if n := count(t, app, c.AuditLog, dbx.Like(c.AuditAction, "ticket.").Match(false, true)); n != 0 {
					t.Errorf("%d ticket audit rows", n)
				}
			},
		},
		{
			Name:            "a ticket without a message, at the default priority",
			Method:          http.MethodPost,
			URL:             "/api/support/tickets/",
			Headers:         auth(fx.creator),
			Body:            body(`{"subject":"Payout timing"}`),
			ExpectedStatus:  201,
			ExpectedContent: []string{`"status":"OPEN"`, `"priority":"NORMAL"`, `"messages":[]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "bad input is 400",
			Method:          http.MethodPost,
			URL:             "/api/support/tickets/",
			Headers:         auth(fx.client),
			Body:            lazy(func() string { return `{"subject":"` + strings.Repeat("s", 201) + `","priority":"ASAP","message":7}` }),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"subject":["Ensure this field has no more than 200 characters."]`, `"priority":["\"ASAP\" is not a valid choice."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := count(t, app, c.SupportTickets, nil); n != 0 {
					t.Errorf("%d tickets", n)
				}
			},
		},
		{
			Name:            "a subject is required",
			Method:          http.MethodPost,
			URL:             "/api/support/tickets/",
			Headers:         auth(fx.client),
			Body:            body(`{"message":"help"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"subject":["This field is required."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:               "a user lists its own tickets",
			Method:             http.MethodGet,
			URL:                "/api/support/tickets/",
			Headers:            auth(fx.client),
			BeforeTestFunc:     withTickets,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"count":1`, ticketID},
			NotExpectedContent: []string{ticket2ID},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:            "an admin lists all, filtered",
			Method:          http.MethodGet,
			URL:             "/api/support/tickets/?status=OPEN&priority=NORMAL",
			Headers:         auth(fx.admin),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":2`, ticketID, ticket2ID},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:           "the requester reads its ticket without the internal note",
			Method:         http.MethodGet,
			URL:            ticketURL(ticketID, ""),
			Headers:        auth(fx.client),
			BeforeTestFunc: withTickets,
			ExpectedStatus: 200,
			ExpectedContent: []string{`"id":"` + ticketID + `"`, `"body":"my password is refused"`, `"body":"we reset it, try again"`,
				`"author_is_staff":true`},
			NotExpectedContent: []string{"SECRET", `"internal":true`},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:            "an admin reads it with the internal note",
			Method:          http.MethodGet,
			URL:             ticketURL(ticketID, ""),
			Headers:         auth(fx.admin),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  200,
			ExpectedContent: []string{"SECRET", `"internal":true`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "another user's ticket is 404",
			Method:          http.MethodGet,
			URL:             ticketURL(ticket2ID, ""),
			Headers:         auth(fx.client),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:               "the requester's message list has no internal note",
			Method:             http.MethodGet,
			URL:                ticketURL(ticketID, "messages/"),
			Headers:            auth(fx.client),
			BeforeTestFunc:     withTickets,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`[{"id":`, `"body":"my password is refused"`},
			NotExpectedContent: []string{"SECRET"},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:            "another user's messages are 404",
			Method:          http.MethodGet,
			URL:             ticketURL(ticket2ID, "messages/"),
			Headers:         auth(fx.client),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:           "the requester answers on its ticket",
			Method:         http.MethodPost,
			URL:            ticketURL(ticketID, "messages/"),
			Headers:        auth(fx.client),
			Body:           body(`{"body":"works now, thanks","author":"` + fx.admin.id + `"}`),
			BeforeTestFunc: withTickets,
			ExpectedStatus: 201,
			ExpectedContent: []string{`"ticket":"` + ticketID + `"`, `"author":"` + fx.client.id + `"`, `"body":"works now, thanks"`,
				`"internal":false`},
			TestAppFactory: testAppFactory,
		},
		{
			Name:            "the requester may not write internal notes",
			Method:          http.MethodPost,
			URL:             ticketURL(ticketID, "messages/"),
			Headers:         auth(fx.client),
			Body:            body(`{"body":"psst","internal":true}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"Only admins write internal notes."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "nobody writes on another user's ticket",
			Method:          http.MethodPost,
			URL:             ticketURL(ticket2ID, "messages/"),
			Headers:         auth(fx.client),
			Body:            body(`{"body":"hello"}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "the requester may not write on a closed ticket",
			Method:          http.MethodPost,
			URL:             ticketURL(ticketID, "messages/"),
			Headers:         auth(fx.client),
			Body:            body(`{"body":"one more thing"}`),
			BeforeTestFunc:  withClosedTicket,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"non_field_errors":["This ticket is closed; open a new one."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a message needs a body",
			Method:          http.MethodPost,
			URL:             ticketURL(ticketID, "messages/"),
			Headers:         auth(fx.client),
			Body:            body(`{"body":"","internal":"maybe"}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"body":["This field may not be blank."]`, `"internal":["Must be a valid boolean."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "an admin leaves an internal note, audited",
			Method:          http.MethodPost,
			URL:             ticketURL(ticketID, "messages/"),
			Headers:         auth(fx.admin),
			Body:            body(`{"body":"escalated to billing","internal":true}`),
			BeforeTestFunc:  withClosedTicket,
			ExpectedStatus:  201,
			ExpectedContent: []string{`"internal":true`, `"author":"` + fx.admin.id + `"`, `"author_is_staff":true`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := c.AsAudit(lastAudit(t, app, "ticket.internal_note"))
				if row.Actor() != fx.admin.id || !strings.HasPrefix(row.Target(), c.TicketMessages+"/") {
					t.Errorf("audit row %v", row.PublicExport())
				}
			},
		},
		{
			Name:            "the requester closes its ticket",
			Method:          http.MethodPatch,
			URL:             ticketURL(ticketID, ""),
			Headers:         auth(fx.client),
			Body:            body(`{"status":"CLOSED","subject":"solved"}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"CLOSED"`, `"subject":"solved"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := auditCount(t, app, "ticket.update"); n != 0 {
					t.Errorf("%d audit rows for the requester's own edit", n)
				}
			},
		},
		{
			Name:            "the requester may not resolve, prioritise or assign",
			Method:          http.MethodPatch,
			URL:             ticketURL(ticketID, ""),
			Headers:         auth(fx.client),
			Body:            body(`{"status":"RESOLVED"}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"Only admins assign, prioritise or change the status of a ticket`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if got := ticketField(t, app, c.TicketStatus); got != c.TicketOpen {
					t.Errorf("status %s", got)
				}
			},
		},
		{
			Name:            "the requester may not raise the priority",
			Method:          http.MethodPatch,
			URL:             ticketURL(ticketID, ""),
			Headers:         auth(fx.client),
			Body:            body(`{"priority":"URGENT"}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"Only admins`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "another user's ticket cannot be edited",
			Method:          http.MethodPatch,
			URL:             ticketURL(ticket2ID, ""),
			Headers:         auth(fx.client),
			Body:            body(`{"status":"CLOSED"}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "an admin assigns and moves a ticket, audited",
			Method:          http.MethodPatch,
			URL:             ticketURL(ticketID, ""),
			Headers:         auth(fx.admin),
			Body:            body(`{"assigned_to":"` + fx.admin.id + `","status":"PENDING","priority":"HIGH"}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"assigned_to":"` + fx.admin.id + `"`, `"status":"PENDING"`, `"priority":"HIGH"`, "SECRET"},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := c.AsAudit(lastAudit(t, app, "ticket.update"))
				before, after := row.GetString(c.AuditBefore), row.GetString(c.AuditAfter)
				if row.Actor() != fx.admin.id || row.Target() != c.SupportTickets+"/"+ticketID ||
					!strings.Contains(before, `"status":"OPEN"`) || !strings.Contains(after, `"status":"PENDING"`) ||
					!strings.Contains(after, `"assigned_to":"`+fx.admin.id+`"`) || strings.Contains(after, "subject") {
					t.Errorf("audit row before %s after %s", before, after)
				}
			},
		},
		{
			Name:            "an admin unassigns with null",
			Method:          http.MethodPatch,
			URL:             ticketURL(ticketID, ""),
			Headers:         auth(fx.admin),
			Body:            body(`{"assigned_to":null}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"assigned_to":null`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a ticket is assigned to admins only",
			Method:          http.MethodPatch,
			URL:             ticketURL(ticketID, ""),
			Headers:         auth(fx.admin),
			Body:            body(`{"assigned_to":"` + fx.client2.id + `"}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"assigned_to":["A ticket is assigned to an admin."]`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if got := ticketField(t, app, c.TicketAssignedTo); got != "" {
					t.Errorf("assigned to %s", got)
				}
			},
		},
		{
			Name:            "an unknown status is 400",
			Method:          http.MethodPatch,
			URL:             ticketURL(ticketID, ""),
			Headers:         auth(fx.admin),
			Body:            body(`{"status":"DONE","assigned_to":5}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":["\"DONE\" is not a valid choice."]`, `"assigned_to":["Incorrect type. Expected pk value."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "PUT needs the subject",
			Method:          http.MethodPut,
			URL:             ticketURL(ticketID, ""),
			Headers:         auth(fx.admin),
			Body:            body(`{"status":"RESOLVED"}`),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"subject":["This field is required."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "deleting a ticket is 405",
			Method:          http.MethodDelete,
			URL:             ticketURL(ticketID, ""),
			Headers:         auth(fx.admin),
			BeforeTestFunc:  withTickets,
			ExpectedStatus:  405,
			ExpectedContent: []string{`"detail":"Method \"DELETE\" not allowed."`},
			TestAppFactory:  testAppFactory,
		},
	}
	for _, s := range scenarios {
		verifiedAfter(&s)
		s.Test(t)
	}
}
