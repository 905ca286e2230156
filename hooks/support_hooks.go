package hooks

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// Support: any user opens tickets and talks on them; admins see every
// ticket, assign it to an admin, change its status and priority, answer, and
// leave internal notes that the requester never sees (the messages' view rule
// says so, for the records API and realtime alike).

func bindSupport(app core.App) {
	app.OnRecordCreateRequest(c.SupportTickets).BindFunc(defaultToCaller(c.TicketRequester))
	app.OnRecordCreateRequest(c.TicketMessages).BindFunc(defaultToCaller(c.MessageAuthor))

	app.OnRecordCreate(c.SupportTickets).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(c.TicketStatus) == "" {
			e.Record.Set(c.TicketStatus, c.TicketOpen)
		}
		if e.Record.GetString(c.TicketPriority) == "" {
			e.Record.Set(c.TicketPriority, c.PriorityNormal)
		}
		if err := checkAssignee(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdate(c.SupportTickets).BindFunc(func(e *core.RecordEvent) error {
		if err := checkAssignee(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	// a message is signed by whoever wrote it, whatever it claims
	app.OnRecordCreate(c.TicketMessages).BindFunc(func(e *core.RecordEvent) error {
		if who := actorOf(e.Record); who.id != "" && who.role != c.ActorSuperuser {
			e.Record.Set(c.MessageAuthor, who.id)
		}
		return e.Next()
	})
}

// checkAssignee refuses a ticket assigned to anyone but an admin.
func checkAssignee(app core.App, t *core.Record) error {
	id := c.AsTicket(t).AssignedTo()
	if id == "" || (!t.IsNew() && id == t.Original().GetString(c.TicketAssignedTo)) {
		return nil
	}
	u, err := app.FindRecordById(c.Users, id)
	if err != nil || !c.AsUser(u).IsAdmin() {
		return validation.Errors{c.TicketAssignedTo: validation.NewError("toolbase_assignee_not_admin", "A ticket is assigned to an admin.")}
	}
	return nil
}
