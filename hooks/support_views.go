package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// ticketView is a ticket as the DRF API shows it; the detail adds its messages.
type ticketView struct {
	ID             string `json:"id"`
	Requester      string `json:"requester"`
	RequesterEmail string `json:"requester_email"`
	Subject        string `json:"subject"`
	Status         string `json:"status"`
	Priority       string `json:"priority"`
	AssignedTo     any    `json:"assigned_to"`
	CreatedAt      any    `json:"created_at"`
	UpdatedAt      any    `json:"updated_at"`
}

// ticketDetailView is a ticket with the messages the caller may read.
type ticketDetailView struct {
	ticketView
	Messages []messageView `json:"messages"`
}

// messageView is a ticket message as the DRF API shows it.
type messageView struct {
	ID            string `json:"id"`
	Ticket        string `json:"ticket"`
	Author        any    `json:"author"`
	AuthorName    string `json:"author_name"`
	AuthorIsStaff bool   `json:"author_is_staff"`
	Body          string `json:"body"`
	Internal      bool   `json:"internal"`
	CreatedAt     any    `json:"created_at"`
}

// ticketViews shows tickets, their requesters loaded in one query.
func ticketViews(app core.App, records []*core.Record) ([]any, error) {
	users, err := usersOf(app, records, c.TicketRequester)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(records))
	for i, r := range records {
		out[i] = newTicketView(r, users)
	}
	return out, nil
}

func newTicketView(r *core.Record, users map[string]*core.Record) ticketView {
	t := c.AsTicket(r)
	return ticketView{
		ID:             r.Id,
		Requester:      t.Requester(),
		RequesterEmail: emailOf(users[t.Requester()]),
		Subject:        t.Subject(),
		Status:         t.Status(),
		Priority:       t.Priority(),
		AssignedTo:     nullIfEmpty(t.AssignedTo()),
		CreatedAt:      rfc3339(r.GetDateTime(c.FieldCreatedAt)),
		UpdatedAt:      rfc3339(r.GetDateTime(c.FieldUpdatedAt)),
	}
}

// messageViews shows messages, their authors loaded in one query.
func messageViews(app core.App, records []*core.Record) ([]messageView, error) {
	users, err := usersOf(app, records, c.MessageAuthor)
	if err != nil {
		return nil, err
	}
	out := make([]messageView, len(records))
	for i, r := range records {
		m := c.AsMessage(r)
		v := messageView{
			ID:        r.Id,
			Ticket:    m.Ticket(),
			Author:    nullIfEmpty(m.Author()),
			Body:      m.Body(),
			Internal:  m.Internal(),
			CreatedAt: rfc3339(r.GetDateTime(c.FieldCreatedAt)),
		}
		if u := users[m.Author()]; u != nil {
			v.AuthorName = c.AsUser(u).FullName()
			v.AuthorIsStaff = c.AsUser(u).IsAdmin()
		} else {
			// a superuser's answer, or a deleted author
			v.AuthorName, v.AuthorIsStaff = "Support", m.Author() == ""
		}
		out[i] = v
	}
	return out, nil
}

// showTicket answers a ticket with the messages the caller may read.
func showTicket(e *core.RequestEvent, status int, t *core.Record) error {
	msgs, err := visibleMessages(e, t.Id)
	if err != nil {
		return err
	}
	views, err := messageViews(e.App, msgs)
	if err != nil {
		return err
	}
	users, err := usersOf(e.App, []*core.Record{t}, c.TicketRequester)
	if err != nil {
		return err
	}
	return e.JSON(status, ticketDetailView{ticketView: newTicketView(t, users), Messages: views})
}
