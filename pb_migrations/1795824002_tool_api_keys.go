package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Creates tool_api_keys: secrets that authenticate scripts as their owner,
// stored only as a SHA-256 hash.
func init() {
	m.Register(func(app core.App) error {
		usersID, err := collectionID(app, c.Users)
		if err != nil {
			return err
		}
		toolsID, err := collectionID(app, c.Tools)
		if err != nil {
			return err
		}

		scope := relation(c.APIKeyTool, toolsID, false)
		// a scoped key must not outlive its tool as an unscoped one
		scope.CascadeDelete = true
		scope.Help = "Empty: the key works for everything its owner may do."

		owner := relation(c.APIKeyUser, usersID, true)
		owner.CascadeDelete = true

		keys := core.NewBaseCollection(c.ToolAPIKeys)
		keys.Fields.Add(
			&core.TextField{Name: c.APIKeyName, Required: true, Presentable: true, Max: 100},
			&core.TextField{Name: c.APIKeyPrefix, Presentable: true, Max: 20},
			owner,
			scope,
			&core.BoolField{Name: c.APIKeyIsActive, Help: "Switch off to stop the key at once."},
			points(c.APIKeyDailyLimit, 0),
			points(c.APIKeyMonthlyLimit, 0),
			points(c.APIKeyDailyUsage, 0),
			points(c.APIKeyMonthlyUsage, 0),
			&core.DateField{Name: c.APIKeyLastUsed},
			&core.DateField{Name: c.APIKeyExpiresAt},
			&core.TextField{Name: c.APIKeyHash, Required: true, Hidden: true, Max: 64},
		)
		keys.Fields.Add(timestamps()...)

		keys.AddIndex("idx_api_keys_hash", true, "`key_hash`", "")
		keys.AddIndex("idx_api_keys_user_created", false, "`user`, `created_at`", "")

		keys.ListRule = types.Pointer(c.APIKeysViewRule)
		keys.ViewRule = types.Pointer(c.APIKeysViewRule)
		keys.UpdateRule = types.Pointer(c.APIKeysUpdateRule)
		keys.DeleteRule = types.Pointer(c.APIKeysViewRule)

		return app.Save(keys)
	}, deleteCollection(c.ToolAPIKeys))
}
