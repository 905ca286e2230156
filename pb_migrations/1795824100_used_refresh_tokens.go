package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Creates used_refresh_tokens: the ids (jti) of refresh tokens already
// exchanged at /api/token/refresh/, kept until the token would have expired so
// that a refresh token works once. Only toolbase writes it (raw unique insert);
// superusers may read it in the dashboard, nobody else through the API.
func init() {
	m.Register(func(app core.App) error {
		col := core.NewBaseCollection("used_refresh_tokens")
		col.Fields.Add(
			&core.TextField{Name: "jti", Required: true, Max: 64, Presentable: true},
			// plain text, not a relation: deleting a user must not be blocked by
			// (or cascade into) this bookkeeping, and the rows expire anyway
			&core.TextField{Name: "user", Max: 64},
			&core.DateField{Name: "expires_at", Required: true},
		)
		col.Fields.Add(timestamps()...)
		col.AddIndex("idx_used_refresh_tokens_jti", true, "`jti`", "")
		col.AddIndex("idx_used_refresh_tokens_expires_at", false, "`expires_at`", "")
		// every rule nil: superusers only
		return app.Save(col)
	}, deleteCollection("used_refresh_tokens"))
}
