package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Creates audit_log: who did what to what, when, with the state before and
// after; appended by toolbase only, readable by admins, never changed.
func init() {
	m.Register(func(app core.App) error {
		audit := core.NewBaseCollection("audit_log")
		audit.Fields.Add(
			// plain ids, not relations: the trail outlives the users it names
			&core.TextField{Name: "actor", Max: 50, Help: "Id of a user or superuser; empty for toolbase itself or the CLI."},
			&core.TextField{Name: "actor_email", Max: 255},
			&core.TextField{Name: "actor_role", Max: 20, Help: "The actor's role then; SUPERUSER for the dashboard."},
			&core.TextField{Name: "action", Required: true, Presentable: true, Max: 100},
			&core.TextField{Name: "target", Max: 200, Help: "collection/id"},
			&core.JSONField{Name: "before", MaxSize: 1 << 20},
			&core.JSONField{Name: "after", MaxSize: 1 << 20},
		)
		audit.Fields.Add(timestamps()...)
		audit.AddIndex("idx_audit_created", false, "`created_at`", "")
		audit.AddIndex("idx_audit_target", false, "`target`", "")
		audit.AddIndex("idx_audit_actor_created", false, "`actor`, `created_at`", "")
		audit.AddIndex("idx_audit_action_created", false, "`action`, `created_at`", "")

		audit.ListRule = types.Pointer(`@request.auth.role = "ADMIN"`)
		audit.ViewRule = types.Pointer(`@request.auth.role = "ADMIN"`)

		return app.Save(audit)
	}, deleteCollection("audit_log"))
}
