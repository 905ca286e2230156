package collections

import "github.com/pocketbase/pocketbase/core"

// AuditLog is the append-only trail of admin actions.
const AuditLog = "audit_log"

// Fields of the audit_log collection.
const (
	AuditActor      = "actor"
	AuditActorEmail = "actor_email"
	AuditActorRole  = "actor_role"
	AuditAction     = "action"
	AuditTarget     = "target"
	AuditBefore     = "before"
	AuditAfter      = "after"
)

// ActorSuperuser is the actor_role of a PocketBase superuser (the dashboard).
const ActorSuperuser = "SUPERUSER"

// Audit is a typed proxy of an audit_log record.
type Audit struct {
	core.BaseRecordProxy
}

// AsAudit wraps an audit_log record.
func AsAudit(r *core.Record) *Audit {
	a := &Audit{}
	a.SetProxyRecord(r)
	return a
}

// Actor returns the id of who acted: a user, a superuser, or "" (toolbase itself or the CLI).
func (a *Audit) Actor() string { return a.GetString(AuditActor) }

// ActorEmail returns the actor's email at the time.
func (a *Audit) ActorEmail() string { return a.GetString(AuditActorEmail) }

// ActorRole returns the actor's role at the time (SUPERUSER for the dashboard).
func (a *Audit) ActorRole() string { return a.GetString(AuditActorRole) }

// Action returns what was done, e.g. "payout.mark_paid".
func (a *Audit) Action() string { return a.GetString(AuditAction) }

// Target returns what it was done to, as "collection/id".
func (a *Audit) Target() string { return a.GetString(AuditTarget) }
