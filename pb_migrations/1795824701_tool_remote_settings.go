package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Adds what calling a tool's api_endpoint needs: its timeout and the secret its
// calls are signed with (hidden; shown to the creator once).
func init() {
	m.Register(func(app core.App) error {
		tools, err := app.FindCollectionByNameOrId("tools")
		if err != nil {
			return err
		}
		tools.Fields.AddAt(len(tools.Fields)-2,
			&core.NumberField{Name: "timeout_seconds", OnlyInt: true,
				Min: types.Pointer(float64(1)), Max: types.Pointer(float64(120)),
				Help: "How long a call to api_endpoint may take, in seconds (1–120)."},
			&core.TextField{Name: "signing_secret", Hidden: true, Max: 100,
				Help: "Signs the calls to api_endpoint. Rotate it through the API to see it."},
		)
		if err := app.Save(tools); err != nil {
			return err
		}
		_, err = app.DB().Update("tools", map[string]any{"timeout_seconds": 30}, nil).Execute()
		return err
	}, func(app core.App) error {
		tools, err := app.FindCollectionByNameOrId("tools")
		if err != nil {
			return err
		}
		tools.Fields.RemoveByName("timeout_seconds")
		tools.Fields.RemoveByName("signing_secret")
		return app.Save(tools)
	})
}
