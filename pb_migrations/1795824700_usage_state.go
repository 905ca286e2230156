package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Adds tool_usage.state: a use of a remote tool is PENDING while its endpoint
// is called, then SUCCEEDED, or FAILED and refunded. Uses recorded before are
// SUCCEEDED.
func init() {
	m.Register(func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		usage.Fields.AddAt(len(usage.Fields)-2, &core.SelectField{
			Name: "state", Values: []string{"PENDING", "SUCCEEDED", "FAILED"}, MaxSelect: 1, Presentable: true,
			Help: "PENDING while a remote tool runs; FAILED uses are refunded.",
		})
		// the reconciler looks for pending uses; there are few at any time
		usage.AddIndex("idx_usage_pending", false, "`created_at`", "`state` = 'PENDING'")
		if err := app.Save(usage); err != nil {
			return err
		}
		_, err = app.DB().Update("tool_usage", map[string]any{"state": "SUCCEEDED"}, nil).Execute()
		return err
	}, func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		usage.RemoveIndex("idx_usage_pending")
		usage.Fields.RemoveByName("state")
		return app.Save(usage)
	})
}
