package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Names of the used_refresh_tokens collection and its fields (hooks/auth.go
// spells the same; they belong in collections/ once that package takes them).
const (
	usedRefreshTokens      = "used_refresh_tokens"
	usedRefreshJTI         = "jti"
	usedRefreshUser        = "user"
	usedRefreshExpiresAt   = "expires_at"
	usedRefreshTokenMaxJTI = 64
)

// Creates used_refresh_tokens: the ids (jti) of refresh tokens already
// exchanged at /api/token/refresh/, kept until the token would have expired so
// that a refresh token works once. Only toolbase writes it (raw unique insert);
// superusers may read it in the dashboard, nobody else through the API.
func init() {
	m.Register(func(app core.App) error {
		col := core.NewBaseCollection(usedRefreshTokens)
		col.Fields.Add(
			&core.TextField{Name: usedRefreshJTI, Required: true, Max: usedRefreshTokenMaxJTI, Presentable: true},
			// plain text, not a relation: deleting a user must not be blocked by
			// (or cascade into) this bookkeeping, and the rows expire anyway
			&core.TextField{Name: usedRefreshUser, Max: 64},
			&core.DateField{Name: usedRefreshExpiresAt, Required: true},
		)
		col.Fields.Add(timestamps()...)
		col.AddIndex("idx_used_refresh_tokens_jti", true, "`jti`", "")
		col.AddIndex("idx_used_refresh_tokens_expires_at", false, "`expires_at`", "")
		// every rule nil: superusers only
		return app.Save(col)
	}, deleteCollection(usedRefreshTokens))
}
