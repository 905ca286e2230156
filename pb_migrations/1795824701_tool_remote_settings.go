package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Adds what calling a tool's api_endpoint needs: its timeout and the secret its
// calls are signed with (hidden; shown to the creator once).
func init() {
	m.Register(func(app core.App) error {
		tools, err := app.FindCollectionByNameOrId(c.Tools)
		if err != nil {
			return err
		}
		tools.Fields.AddAt(len(tools.Fields)-2,
			&core.NumberField{Name: c.ToolTimeoutSeconds, OnlyInt: true,
				Min: types.Pointer(float64(c.MinToolTimeout)), Max: types.Pointer(float64(c.MaxToolTimeout)),
				Help: "How long a call to api_endpoint may take, in seconds (1–120)."},
			&core.TextField{Name: c.ToolSigningSecret, Hidden: true, Max: 100,
				Help: "Signs the calls to api_endpoint. Rotate it through the API to see it."},
		)
		if err := app.Save(tools); err != nil {
			return err
		}
		_, err = app.DB().Update(c.Tools, map[string]any{c.ToolTimeoutSeconds: c.DefaultToolTimeout}, nil).Execute()
		return err
	}, func(app core.App) error {
		tools, err := app.FindCollectionByNameOrId(c.Tools)
		if err != nil {
			return err
		}
		tools.Fields.RemoveByName(c.ToolTimeoutSeconds)
		tools.Fields.RemoveByName(c.ToolSigningSecret)
		return app.Save(tools)
	})
}
