package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Creates tool_api_keys: secrets that authenticate scripts as their owner,
// stored only as a SHA-256 hash.
func init() {
	m.Register(func(app core.App) error {
		usersID, err := collectionID(app, "users")
		if err != nil {
			return err
		}
		toolsID, err := collectionID(app, "tools")
		if err != nil {
			return err
		}

		scope := relation("tool", toolsID, false)
		// a scoped key must not outlive its tool as an unscoped one
		scope.CascadeDelete = true
		scope.Help = "Empty: the key works for everything its owner may do."

		owner := relation("user", usersID, true)
		owner.CascadeDelete = true

		keys := core.NewBaseCollection("tool_api_keys")
		keys.Fields.Add(
			&core.TextField{Name: "key_name", Required: true, Presentable: true, Max: 100},
			&core.TextField{Name: "key_prefix", Presentable: true, Max: 20},
			owner,
			scope,
			&core.BoolField{Name: "is_active", Help: "Switch off to stop the key at once."},
			points("daily_limit", 0),
			points("monthly_limit", 0),
			points("daily_usage", 0),
			points("monthly_usage", 0),
			&core.DateField{Name: "last_used"},
			&core.DateField{Name: "expires_at"},
			&core.TextField{Name: "key_hash", Required: true, Hidden: true, Max: 64},
		)
		keys.Fields.Add(timestamps()...)

		keys.AddIndex("idx_api_keys_hash", true, "`key_hash`", "")
		keys.AddIndex("idx_api_keys_user_created", false, "`user`, `created_at`", "")

		keys.ListRule = types.Pointer(`@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN")`)
		keys.ViewRule = types.Pointer(`@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN")`)
		keys.UpdateRule = types.Pointer(`@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN") && @request.body.user:changed = false && @request.body.tool:changed = false`)
		keys.DeleteRule = types.Pointer(`@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN")`)

		return app.Save(keys)
	}, deleteCollection("tool_api_keys"))
}
