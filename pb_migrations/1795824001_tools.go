package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Creates tools: what creators publish and clients pay to use.
func init() {
	m.Register(func(app core.App) error {
		usersID, err := collectionID(app, "users")
		if err != nil {
			return err
		}

		tools := core.NewBaseCollection("tools")
		tools.Fields.Add(
			&core.TextField{Name: "name", Required: true, Presentable: true, Min: 1, Max: 200},
			&core.TextField{Name: "description", Max: 10000},
			&core.SelectField{Name: "category", Values: []string{"AI", "PRODUCTIVITY", "CREATIVE", "DEVELOPMENT", "BUSINESS", "OTHER"}, MaxSelect: 1, Required: true},
			&core.SelectField{Name: "status", Values: []string{"DRAFT", "PENDING", "ACTIVE", "INACTIVE", "SUSPENDED"}, MaxSelect: 1, Required: true,
				Help: "Only ACTIVE tools are visible to other users and usable; only admins approve (ACTIVE) or suspend."},
			relation("creator", usersID, true),
			&core.NumberField{Name: "points_cost", OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(float64(1e+06)),
				Help: "Points one use costs."},
			&core.URLField{Name: "api_endpoint"},
			&core.URLField{Name: "api_documentation"},
			&core.JSONField{Name: "tags", MaxSize: 4 << 10, Help: "A list of strings."},
			&core.TextField{Name: "version", Max: 50},
			points("total_uses", 0),
			points("total_revenue", 0),
			&core.NumberField{Name: "average_rating", Min: types.Pointer(0.0), Max: types.Pointer(5.0)},
			points("rating_count", 0),
		)
		tools.Fields.Add(timestamps()...)
		for _, name := range []string{"total_uses", "total_revenue", "average_rating", "rating_count"} {
			tools.Fields.GetByName(name).(*core.NumberField).Help = "Computed by toolbase; read-only."
		}

		tools.AddIndex("idx_tools_status_created", false, "`status`, `created_at`", "")
		tools.AddIndex("idx_tools_creator_created", false, "`creator`, `created_at`", "")

		tools.ListRule = types.Pointer(`@request.auth.id != "" && (status = "ACTIVE" || creator = @request.auth.id || @request.auth.role = "ADMIN")`)
		tools.ViewRule = types.Pointer(`@request.auth.id != "" && (status = "ACTIVE" || creator = @request.auth.id || @request.auth.role = "ADMIN")`)
		tools.CreateRule = types.Pointer(`(@request.auth.role = "TOOL_CREATOR" || @request.auth.role = "ADMIN") && (@request.body.creator:isset = false || @request.body.creator = @request.auth.id || @request.auth.role = "ADMIN") && (@request.body.status:isset = false || @request.body.status = "DRAFT" || @request.body.status = "PENDING" || @request.auth.role = "ADMIN")`)
		tools.UpdateRule = types.Pointer(`@request.auth.id != "" && (@request.auth.role = "ADMIN" || (creator = @request.auth.id && @request.body.creator:changed = false && (@request.body.status:changed = false || (status = "DRAFT" && @request.body.status = "PENDING") || (status = "ACTIVE" && @request.body.status = "INACTIVE") || (status = "INACTIVE" && @request.body.status = "ACTIVE"))))`)
		tools.DeleteRule = types.Pointer(`@request.auth.id != "" && (creator = @request.auth.id || @request.auth.role = "ADMIN")`)

		return app.Save(tools)
	}, deleteCollection("tools"))
}
