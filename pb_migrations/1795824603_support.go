package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Creates support_tickets and ticket_messages: a user's conversation with the
// admins, with internal notes the requester never sees.
func init() {
	m.Register(func(app core.App) error {
		usersID, err := collectionID(app, c.Users)
		if err != nil {
			return err
		}

		requester := relation(c.TicketRequester, usersID, true)
		requester.CascadeDelete = true
		tickets := core.NewBaseCollection(c.SupportTickets)
		tickets.Fields.Add(
			requester,
			&core.TextField{Name: c.TicketSubject, Required: true, Presentable: true, Max: c.MaxSubjectChars},
			&core.SelectField{Name: c.TicketStatus, Values: c.TicketStatuses, MaxSelect: 1, Required: true,
				Help: "OPEN, PENDING (waiting for the requester), RESOLVED, CLOSED."},
			&core.SelectField{Name: c.TicketPriority, Values: c.TicketPriorities, MaxSelect: 1, Required: true},
			relation(c.TicketAssignedTo, usersID, false),
		)
		tickets.Fields.Add(timestamps()...)
		tickets.AddIndex("idx_tickets_requester_created", false, "`requester`, `created_at`", "")
		tickets.AddIndex("idx_tickets_status_created", false, "`status`, `created_at`", "")

		tickets.ListRule = types.Pointer(c.TicketsViewRule)
		tickets.ViewRule = types.Pointer(c.TicketsViewRule)
		tickets.CreateRule = types.Pointer(c.TicketsCreateRule)
		tickets.UpdateRule = types.Pointer(c.TicketsUpdateRule)
		if err := app.Save(tickets); err != nil {
			return err
		}

		ticket := relation(c.MessageTicket, tickets.Id, true)
		ticket.CascadeDelete = true
		messages := core.NewBaseCollection(c.TicketMessages)
		messages.Fields.Add(
			ticket,
			// optional: a deleted author leaves its messages behind
			relation(c.MessageAuthor, usersID, false),
			&core.TextField{Name: c.MessageBody, Required: true, Max: c.MaxMessageBodyChars},
			&core.BoolField{Name: c.MessageInternal, Help: "An admins-only note, never shown to the requester."},
		)
		messages.Fields.Add(timestamps()...)
		messages.AddIndex("idx_messages_ticket_created", false, "`ticket`, `created_at`", "")

		messages.ListRule = types.Pointer(c.MessagesViewRule)
		messages.ViewRule = types.Pointer(c.MessagesViewRule)
		messages.CreateRule = types.Pointer(c.MessagesCreateRule)

		return app.Save(messages)
	}, func(app core.App) error {
		for _, name := range []string{c.TicketMessages, c.SupportTickets} {
			if err := deleteCollection(name)(app); err != nil {
				return err
			}
		}
		return nil
	})
}
