package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	c "toolbase/collections"
)

// Adds tool_usage.state: a use of a remote tool is PENDING while its endpoint
// is called, then SUCCEEDED, or FAILED and refunded. Uses recorded before are
// SUCCEEDED.
func init() {
	m.Register(func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId(c.ToolUsage)
		if err != nil {
			return err
		}
		usage.Fields.AddAt(len(usage.Fields)-2, &core.SelectField{
			Name: c.UsageState, Values: c.UsageStates, MaxSelect: 1, Presentable: true,
			Help: "PENDING while a remote tool runs; FAILED uses are refunded.",
		})
		// the reconciler looks for pending uses; there are few at any time
		usage.AddIndex("idx_usage_pending", false, "`created_at`", "`state` = 'PENDING'")
		if err := app.Save(usage); err != nil {
			return err
		}
		_, err = app.DB().Update(c.ToolUsage, map[string]any{c.UsageState: c.StateSucceeded}, nil).Execute()
		return err
	}, func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId(c.ToolUsage)
		if err != nil {
			return err
		}
		usage.RemoveIndex("idx_usage_pending")
		usage.Fields.RemoveByName(c.UsageState)
		return app.Save(usage)
	})
}
