package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// pointsActions are the ledger kinds that are admin (or CLI) point changes.
var pointsActions = map[string]string{
	c.KindGrant:      "points.grant",
	c.KindDeduct:     "points.deduct",
	c.KindAdjustment: "points.adjust",
}

var ticketAudited = []string{c.TicketSubject, c.TicketStatus, c.TicketPriority, c.TicketAssignedTo}

var pageAudited = []string{c.PageSlug, c.PageTitle, c.PageBody, c.PageKind, c.PagePublished}

func bindAudit(app core.App) {
	// the records API (and batch) tell the model hooks who is acting
	mark := func(e *core.RecordRequestEvent) error {
		actingAs(e.Record, e.Auth)
		return e.Next()
	}
	app.OnRecordCreateRequest().BindFunc(mark)
	app.OnRecordUpdateRequest().BindFunc(mark)
	app.OnRecordDeleteRequest().BindFunc(mark)

	app.OnRecordCreate(c.Users).BindFunc(func(e *core.RecordEvent) error {
		role := e.Record.GetString(c.UserRole)
		if role == "" || role == c.RoleClient {
			return e.Next()
		}
		return auditedNext(e, "user.role", map[string]any{c.UserRole: nil}, func() any {
			return map[string]any{c.UserRole: role, c.UserEmail: e.Record.Email()}
		})
	})
	app.OnRecordUpdate(c.Users).BindFunc(func(e *core.RecordEvent) error {
		was, now := e.Record.Original().GetString(c.UserRole), e.Record.GetString(c.UserRole)
		if was == now {
			return e.Next()
		}
		return auditedNext(e, "user.role", map[string]any{c.UserRole: was}, func() any {
			return map[string]any{c.UserRole: now}
		})
	})

	app.OnRecordCreate(c.Tools).BindFunc(func(e *core.RecordEvent) error {
		// a tool created past review (an admin's or a superuser's ACTIVE,
		// INACTIVE or SUSPENDED tool) skips moderation: that leaves a trace.
		// toolbase's own saves (seed --demo) name no actor and are not audited.
		status := e.Record.GetString(c.ToolStatus)
		if status == "" || status == c.StatusDraft || status == c.StatusPending || actorOf(e.Record).id == "" {
			return e.Next()
		}
		return auditedNext(e, "tool.status", map[string]any{c.ToolStatus: nil}, func() any {
			return map[string]any{c.ToolStatus: status, c.ToolName: e.Record.GetString(c.ToolName),
				c.ToolCreator: e.Record.GetString(c.ToolCreator)}
		})
	})
	app.OnRecordUpdate(c.Tools).BindFunc(func(e *core.RecordEvent) error {
		was, now := e.Record.Original().GetString(c.ToolStatus), e.Record.GetString(c.ToolStatus)
		if was == now {
			return e.Next()
		}
		// a creator submitting or pausing its own tool is no moderation
		if who := actorOf(e.Record); !who.isStaff() && who.id == e.Record.Original().GetString(c.ToolCreator) {
			return e.Next()
		}
		// with the moderation note the move wrote (or cleared)
		before := map[string]any{c.ToolStatus: was}
		if note := e.Record.Original().GetString(c.ToolModerationNote); note != "" {
			before[c.ToolModerationNote] = note
		}
		return auditedNext(e, "tool.status", before, func() any {
			after := map[string]any{c.ToolStatus: now}
			if note := e.Record.GetString(c.ToolModerationNote); note != "" {
				after[c.ToolModerationNote] = note
			}
			return after
		})
	})

	app.OnRecordUpdate(c.SupportTickets).BindFunc(func(e *core.RecordEvent) error {
		if !actorOf(e.Record).isStaff() {
			return e.Next() // the requester's own edits
		}
		before, after := map[string]any{}, map[string]any{}
		for _, f := range ticketAudited {
			if was, now := e.Record.Original().Get(f), e.Record.Get(f); !equalValues(was, now) {
				before[f], after[f] = was, now
			}
		}
		if len(after) == 0 {
			return e.Next()
		}
		return auditedNext(e, "ticket.update", before, func() any { return after })
	})
	app.OnRecordCreate(c.TicketMessages).BindFunc(func(e *core.RecordEvent) error {
		if who := actorOf(e.Record); who.id == "" || !who.isStaff() {
			return e.Next()
		}
		action := "ticket.reply"
		if e.Record.GetBool(c.MessageInternal) {
			action = "ticket.internal_note"
		}
		return auditedNext(e, action, nil, func() any {
			return map[string]any{c.MessageTicket: e.Record.GetString(c.MessageTicket), "message": e.Record.Id,
				c.MessageBody: e.Record.GetString(c.MessageBody)}
		})
	})

	app.OnRecordCreate(c.SitePages).BindFunc(func(e *core.RecordEvent) error {
		return auditedNext(e, "page.create", nil, func() any { return fieldsOf(e.Record, pageAudited...) })
	})
	app.OnRecordUpdate(c.SitePages).BindFunc(func(e *core.RecordEvent) error {
		return auditedNext(e, "page.update", fieldsOf(e.Record.Original(), pageAudited...), func() any {
			return fieldsOf(e.Record, pageAudited...)
		})
	})
	app.OnRecordDelete(c.SitePages).BindFunc(func(e *core.RecordEvent) error {
		return auditedNext(e, "page.delete", fieldsOf(e.Record, pageAudited...), nil)
	})
}
