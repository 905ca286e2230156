package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Creates audit_log: who did what to what, when, with the state before and
// after; appended by toolbase only, readable by admins, never changed.
func init() {
	m.Register(func(app core.App) error {
		audit := core.NewBaseCollection(c.AuditLog)
		audit.Fields.Add(
			// plain ids, not relations: the trail outlives the users it names
			&core.TextField{Name: c.AuditActor, Max: 50, Help: "Id of a user or superuser; empty for toolbase itself or the CLI."},
			&core.TextField{Name: c.AuditActorEmail, Max: 255},
			&core.TextField{Name: c.AuditActorRole, Max: 20, Help: "The actor's role then; SUPERUSER for the dashboard."},
			&core.TextField{Name: c.AuditAction, Required: true, Presentable: true, Max: 100},
			&core.TextField{Name: c.AuditTarget, Max: 200, Help: "collection/id"},
			&core.JSONField{Name: c.AuditBefore, MaxSize: 1 << 20},
			&core.JSONField{Name: c.AuditAfter, MaxSize: 1 << 20},
		)
		audit.Fields.Add(timestamps()...)
		audit.AddIndex("idx_audit_created", false, "`created_at`", "")
		audit.AddIndex("idx_audit_target", false, "`target`", "")
		audit.AddIndex("idx_audit_actor_created", false, "`actor`, `created_at`", "")
		audit.AddIndex("idx_audit_action_created", false, "`action`, `created_at`", "")

		audit.ListRule = types.Pointer(c.AuditViewRule)
		audit.ViewRule = types.Pointer(c.AuditViewRule)

		return app.Save(audit)
	}, deleteCollection(c.AuditLog))
}
