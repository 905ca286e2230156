package hooks

import (
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

func bindSupportRoutes(authed group) {
	route(authed, "/support/tickets/", map[string]handler{http.MethodGet: ticketList, http.MethodPost: ticketCreate})
	route(authed, "/support/tickets/{id}/", map[string]handler{
		http.MethodGet: ticketDetail, http.MethodPut: ticketUpdate, http.MethodPatch: ticketUpdate,
	})
	route(authed, "/support/tickets/{id}/messages/", map[string]handler{http.MethodGet: messageList, http.MethodPost: messageCreate})
}

// ticketList is GET /api/support/tickets/: own tickets (admins: all), newest
// first; ?status=, ?priority=, ?assigned_to=.
func ticketList(e *core.RequestEvent) error {
	return listing{collection: c.SupportTickets, show: ticketViews}.filtered(e, map[string][]string{
		c.TicketStatus: c.TicketStatuses, c.TicketPriority: c.TicketPriorities, c.TicketAssignedTo: nil,
	})
}

// visibleMessages returns a ticket's messages that the messages' list rule
// lets the caller read, oldest first.
func visibleMessages(e *core.RequestEvent, ticket string) ([]*core.Record, error) {
	q, err := listQuery(e, c.TicketMessages)
	if err != nil {
		return nil, err
	}
	var out []*core.Record
	err = q.AndWhere(dbx.HashExp{c.TicketMessages + "." + c.MessageTicket: ticket}).
		OrderBy(c.TicketMessages+"."+c.FieldCreatedAt+" ASC", c.TicketMessages+".rowid ASC").
		Limit(maxBareList).All(&out)
	return out, err
}

// ticketDetail is GET /api/support/tickets/{id}/: the ticket and its messages.
func ticketDetail(e *core.RequestEvent) error {
	t, err := findVisible(e, c.SupportTickets, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	return showTicket(e, http.StatusOK, t)
}

// The support bodies.
var (
	ticketCreateBody = &bodySpec{name: "TicketCreate", fields: []bodyField{
		textF(c.TicketSubject, c.MaxSubjectChars).req(),
		textF("message", c.MaxMessageBodyChars).about("The first message."),
		choiceF(c.TicketPriority, c.TicketPriorities).dflt(c.PriorityNormal),
	}}
	ticketUpdateBody = &bodySpec{name: "TicketUpdate",
		desc: "PUT requires `subject`. The requester may change the subject and set status CLOSED; the rest is for admins.",
		fields: []bodyField{
			textF(c.TicketSubject, c.MaxSubjectChars).req(),
			choiceF(c.TicketStatus, c.TicketStatuses),
			choiceF(c.TicketPriority, c.TicketPriorities),
			idF(c.TicketAssignedTo).about("An admin's id; null or `\"\"` unassigns."),
		}}
	messageCreateBody = &bodySpec{name: "MessageCreate", fields: []bodyField{
		textF(c.MessageBody, c.MaxMessageBodyChars).req(),
		boolF(c.MessageInternal).dflt(false).about("An internal note, hidden from the requester: admins only."),
	}}
)

// ticketCreate is POST /api/support/tickets/ {subject, message?, priority?}:
// 201 with the OPEN ticket and its first message.
func ticketCreate(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(c.SupportTickets)
	if err != nil {
		return err
	}
	t := core.NewRecord(col)
	t.Set(c.TicketRequester, e.Auth.Id)
	if err := mustAllowCreate(e, t); err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	ticketCreateBody.read(f)
	f.setOn(t, c.TicketSubject, c.TicketPriority)
	message, _ := f.cleanText("message")
	if err := mustAllowCreate(e, t); err != nil {
		return err
	}
	if err := f.err(); err != nil {
		return err
	}
	err = e.App.RunInTransaction(func(tx core.App) error {
		if err := saveAs(tx, e.Auth, t); err != nil {
			return err
		}
		if message == "" {
			return nil
		}
		msgs, err := tx.FindCachedCollectionByNameOrId(c.TicketMessages)
		if err != nil {
			return err
		}
		m := core.NewRecord(msgs)
		m.Set(c.MessageTicket, t.Id)
		m.Set(c.MessageAuthor, e.Auth.Id)
		m.Set(c.MessageBody, message)
		return saveAs(tx, e.Auth, m)
	})
	if err != nil {
		return err
	}
	return showTicket(e, http.StatusCreated, t)
}

// ticketUpdate is PUT/PATCH /api/support/tickets/{id}/ {subject, status,
// priority, assigned_to}: the tickets update rule decides (admins: all; the
// requester: the subject, and closing).
func ticketUpdate(e *core.RequestEvent) error {
	id := e.Request.PathValue("id")
	// may the caller edit this ticket at all? (the body is not read yet)
	if _, err := findToEdit(e, c.SupportTickets, id, errForbidden); err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	ticketUpdateBody.read(f)
	if err := f.err(); err != nil {
		return err
	}
	var saved *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		t, err := tx.FindRecordById(c.SupportTickets, id)
		if err != nil {
			return err
		}
		ok, err := allowed(e, t, t.Collection().UpdateRule)
		if err != nil {
			return err
		}
		if !ok {
			return errDetail(http.StatusForbidden, "Only admins assign, prioritise or change the status of a ticket; its requester may edit the subject and close it.")
		}
		f.setOn(t)
		if err := saveAs(tx, e.Auth, t); err != nil {
			return err
		}
		saved = t
		return nil
	})
	if err != nil {
		return err
	}
	return showTicket(e, http.StatusOK, saved)
}

// messageList is GET /api/support/tickets/{id}/messages/: the ticket's
// messages the caller may read, oldest first (a bare array, at most 1000).
func messageList(e *core.RequestEvent) error {
	t, err := findVisible(e, c.SupportTickets, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	msgs, err := visibleMessages(e, t.Id)
	if err != nil {
		return err
	}
	out, err := messageViews(e.App, msgs)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

// messageCreate is POST /api/support/tickets/{id}/messages/ {body, internal?}:
// 201 with the message. Internal notes are for admins.
func messageCreate(e *core.RequestEvent) error {
	t, err := findVisible(e, c.SupportTickets, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	col, err := e.App.FindCachedCollectionByNameOrId(c.TicketMessages)
	if err != nil {
		return err
	}
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	m := core.NewRecord(col)
	m.Set(c.MessageTicket, t.Id)
	m.Set(c.MessageAuthor, e.Auth.Id)
	messageCreateBody.read(f)
	f.setOn(m)
	if err := f.err(); err != nil {
		return err
	}
	ok, err := canCreate(e, m)
	if err != nil {
		return err
	}
	if !ok {
		if !c.AsUser(e.Auth).IsAdmin() && c.AsTicket(t).Status() == c.TicketClosed {
			return errNonField("This ticket is closed; open a new one.")
		}
		return errDetail(http.StatusForbidden, "Only admins write internal notes.")
	}
	if err := saveAs(e.App, e.Auth, m); err != nil {
		return err
	}
	views, err := messageViews(e.App, []*core.Record{m})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusCreated, views[0])
}
