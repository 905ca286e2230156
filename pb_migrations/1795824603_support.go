package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Creates support_tickets and ticket_messages: a user's conversation with the
// admins, with internal notes the requester never sees.
func init() {
	m.Register(func(app core.App) error {
		usersID, err := collectionID(app, "users")
		if err != nil {
			return err
		}

		requester := relation("requester", usersID, true)
		requester.CascadeDelete = true
		tickets := core.NewBaseCollection("support_tickets")
		tickets.Fields.Add(
			requester,
			&core.TextField{Name: "subject", Required: true, Presentable: true, Max: 200},
			&core.SelectField{Name: "status", Values: []string{"OPEN", "PENDING", "RESOLVED", "CLOSED"}, MaxSelect: 1, Required: true,
				Help: "OPEN, PENDING (waiting for the requester), RESOLVED, CLOSED."},
			&core.SelectField{Name: "priority", Values: []string{"LOW", "NORMAL", "HIGH", "URGENT"}, MaxSelect: 1, Required: true},
			relation("assigned_to", usersID, false),
		)
		tickets.Fields.Add(timestamps()...)
		tickets.AddIndex("idx_tickets_requester_created", false, "`requester`, `created_at`", "")
		tickets.AddIndex("idx_tickets_status_created", false, "`status`, `created_at`", "")

		tickets.ListRule = types.Pointer(`@request.auth.id != "" && (requester = @request.auth.id || @request.auth.role = "ADMIN")`)
		tickets.ViewRule = types.Pointer(`@request.auth.id != "" && (requester = @request.auth.id || @request.auth.role = "ADMIN")`)
		tickets.CreateRule = types.Pointer(`@request.auth.id != "" && (@request.auth.role = "ADMIN" || ((@request.body.requester:isset = false || @request.body.requester = @request.auth.id) && (@request.body.status:isset = false || @request.body.status = "OPEN") && @request.body.assigned_to:isset = false))`)
		tickets.UpdateRule = types.Pointer(`@request.auth.id != "" && @request.body.requester:changed = false && (@request.auth.role = "ADMIN" || (requester = @request.auth.id && @request.body.assigned_to:changed = false && @request.body.priority:changed = false && (@request.body.status:changed = false || @request.body.status = "CLOSED")))`)
		if err := app.Save(tickets); err != nil {
			return err
		}

		ticket := relation("ticket", tickets.Id, true)
		ticket.CascadeDelete = true
		messages := core.NewBaseCollection("ticket_messages")
		messages.Fields.Add(
			ticket,
			// optional: a deleted author leaves its messages behind
			relation("author", usersID, false),
			&core.TextField{Name: "body", Required: true, Max: 10000},
			&core.BoolField{Name: "internal", Help: "An admins-only note, never shown to the requester."},
		)
		messages.Fields.Add(timestamps()...)
		messages.AddIndex("idx_messages_ticket_created", false, "`ticket`, `created_at`", "")

		messages.ListRule = types.Pointer(`@request.auth.id != "" && ((ticket.requester = @request.auth.id && internal = false) || @request.auth.role = "ADMIN")`)
		messages.ViewRule = types.Pointer(`@request.auth.id != "" && ((ticket.requester = @request.auth.id && internal = false) || @request.auth.role = "ADMIN")`)
		messages.CreateRule = types.Pointer(`@request.auth.id != "" && (@request.body.author:isset = false || @request.body.author = @request.auth.id) && (@request.auth.role = "ADMIN" || (ticket.requester = @request.auth.id && ticket.status != "CLOSED" && (@request.body.internal:isset = false || @request.body.internal = false)))`)

		return app.Save(messages)
	}, func(app core.App) error {
		for _, name := range []string{"ticket_messages", "support_tickets"} {
			if err := deleteCollection(name)(app); err != nil {
				return err
			}
		}
		return nil
	})
}
