package hooks

import (
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// auditView is an audit row as the DRF API shows it.
type auditView struct {
	ID         string `json:"id"`
	Actor      any    `json:"actor"`
	ActorEmail string `json:"actor_email"`
	ActorRole  string `json:"actor_role"`
	Action     string `json:"action"`
	Target     string `json:"target"`
	Before     any    `json:"before"`
	After      any    `json:"after"`
	CreatedAt  any    `json:"created_at"`
}

func showAudit(r *core.Record) any {
	a := c.AsAudit(r)
	return auditView{
		ID:         r.Id,
		Actor:      nullIfEmpty(a.Actor()),
		ActorEmail: a.ActorEmail(),
		ActorRole:  a.ActorRole(),
		Action:     a.Action(),
		Target:     a.Target(),
		Before:     r.Get(c.AuditBefore),
		After:      r.Get(c.AuditAfter),
		CreatedAt:  rfc3339(r.GetDateTime(c.FieldCreatedAt)),
	}
}

// auditList is GET /api/audit-log/ (admin): newest first, filtered by
// ?action= (exact, or a prefix ending in "."), ?actor= and ?target=.
func auditList(e *core.RequestEvent) error {
	query := e.Request.URL.Query()
	col := func(f string) string { return c.AuditLog + "." + f }
	var conds []dbx.Expression
	if v := query.Get("action"); v != "" {
		if strings.HasSuffix(v, ".") {
			conds = append(conds, dbx.Like(col(c.AuditAction), v).Match(false, true))
		} else {
			conds = append(conds, dbx.HashExp{col(c.AuditAction): v})
		}
	}
	if v := query.Get("actor"); v != "" {
		conds = append(conds, dbx.HashExp{col(c.AuditActor): v})
	}
	if v := query.Get("target"); v != "" {
		conds = append(conds, dbx.HashExp{col(c.AuditTarget): v})
	}
	return listing{collection: c.AuditLog, show: each(showAudit)}.list(e, conds...)
}
