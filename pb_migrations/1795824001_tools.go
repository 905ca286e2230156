package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Creates tools: what creators publish and clients pay to use.
func init() {
	m.Register(func(app core.App) error {
		usersID, err := collectionID(app, c.Users)
		if err != nil {
			return err
		}

		tools := core.NewBaseCollection(c.Tools)
		tools.Fields.Add(
			&core.TextField{Name: c.ToolName, Required: true, Presentable: true, Min: 1, Max: 200},
			&core.TextField{Name: c.ToolDescription, Max: 10000},
			&core.SelectField{Name: c.ToolCategory, Values: c.Categories, MaxSelect: 1, Required: true},
			&core.SelectField{Name: c.ToolStatus, Values: c.Statuses, MaxSelect: 1, Required: true,
				Help: "Only ACTIVE tools are visible to other users and usable; only admins approve (ACTIVE) or suspend."},
			relation(c.ToolCreator, usersID, true),
			&core.NumberField{Name: c.ToolPointsCost, OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(float64(c.MaxPointsCost)),
				Help: "Points one use costs."},
			&core.URLField{Name: c.ToolAPIEndpoint},
			&core.URLField{Name: c.ToolAPIDocumentation},
			&core.JSONField{Name: c.ToolTags, MaxSize: 4 << 10, Help: "A list of strings."},
			&core.TextField{Name: c.ToolVersion, Max: 50},
			points(c.ToolTotalUses, 0),
			points(c.ToolTotalRevenue, 0),
			&core.NumberField{Name: c.ToolAverageRating, Min: types.Pointer(0.0), Max: types.Pointer(5.0)},
			points(c.ToolRatingCount, 0),
		)
		tools.Fields.Add(timestamps()...)
		for _, name := range []string{c.ToolTotalUses, c.ToolTotalRevenue, c.ToolAverageRating, c.ToolRatingCount} {
			tools.Fields.GetByName(name).(*core.NumberField).Help = "Computed by toolbase; read-only."
		}

		tools.AddIndex("idx_tools_status_created", false, "`status`, `created_at`", "")
		tools.AddIndex("idx_tools_creator_created", false, "`creator`, `created_at`", "")

		tools.ListRule = types.Pointer(c.ToolsViewRule)
		tools.ViewRule = types.Pointer(c.ToolsViewRule)
		tools.CreateRule = types.Pointer(c.ToolsCreateRule)
		tools.UpdateRule = types.Pointer(c.ToolsUpdateRule)
		tools.DeleteRule = types.Pointer(c.ToolsDeleteRule)

		return app.Save(tools)
	}, deleteCollection(c.Tools))
}
