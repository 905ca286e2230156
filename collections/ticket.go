package collections

import "github.com/pocketbase/pocketbase/core"

// Support collections.
const (
	SupportTickets = "support_tickets"
	TicketMessages = "ticket_messages"
)

// Fields of the support_tickets collection.
const (
	TicketRequester  = "requester"
	TicketSubject    = "subject"
	TicketStatus     = "status"
	TicketPriority   = "priority"
	TicketAssignedTo = "assigned_to"
)

// Ticket statuses. PENDING: waiting for the requester.
const (
	TicketOpen     = "OPEN"
	TicketPending  = "PENDING"
	TicketResolved = "RESOLVED"
	TicketClosed   = "CLOSED"
)

// TicketStatuses lists every ticket status.
var TicketStatuses = []string{TicketOpen, TicketPending, TicketResolved, TicketClosed}

// Ticket priorities.
const (
	PriorityLow    = "LOW"
	PriorityNormal = "NORMAL"
	PriorityHigh   = "HIGH"
	PriorityUrgent = "URGENT"
)

// TicketPriorities lists every ticket priority.
var TicketPriorities = []string{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Fields of the ticket_messages collection.
const (
	MessageTicket   = "ticket"
	MessageAuthor   = "author"
	MessageBody     = "body"
	MessageInternal = "internal"
)

// Limits of tickets and messages.
const (
	MaxSubjectChars     = 200
	MaxMessageBodyChars = 10000
)

// Ticket is a typed proxy of a support_tickets record.
type Ticket struct {
	core.BaseRecordProxy
}

// AsTicket wraps a support_tickets record.
func AsTicket(r *core.Record) *Ticket {
	t := &Ticket{}
	t.SetProxyRecord(r)
	return t
}

// Requester returns the id of the user who opened the ticket.
func (t *Ticket) Requester() string { return t.GetString(TicketRequester) }

// Subject returns the ticket's subject.
func (t *Ticket) Subject() string { return t.GetString(TicketSubject) }

// Status returns the ticket's status.
func (t *Ticket) Status() string { return t.GetString(TicketStatus) }

// Priority returns the ticket's priority.
func (t *Ticket) Priority() string { return t.GetString(TicketPriority) }

// AssignedTo returns the id of the admin handling the ticket, or "".
func (t *Ticket) AssignedTo() string { return t.GetString(TicketAssignedTo) }

// Message is a typed proxy of a ticket_messages record.
type Message struct {
	core.BaseRecordProxy
}

// AsMessage wraps a ticket_messages record.
func AsMessage(r *core.Record) *Message {
	m := &Message{}
	m.SetProxyRecord(r)
	return m
}

// Ticket returns the id of the message's ticket.
func (m *Message) Ticket() string { return m.GetString(MessageTicket) }

// Author returns the id of the message's author ("" once the author is deleted).
func (m *Message) Author() string { return m.GetString(MessageAuthor) }

// Body returns the message text.
func (m *Message) Body() string { return m.GetString(MessageBody) }

// Internal reports whether the message is an admins-only note.
func (m *Message) Internal() bool { return m.GetBool(MessageInternal) }
