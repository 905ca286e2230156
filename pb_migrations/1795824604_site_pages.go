package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Creates site_pages: the site's content and announcements, public once
// published, written by admins.
func init() {
	m.Register(func(app core.App) error {
		usersID, err := collectionID(app, "users")
		if err != nil {
			return err
		}

		pages := core.NewBaseCollection("site_pages")
		pages.Fields.Add(
			&core.TextField{Name: "slug", Required: true, Presentable: true, Max: 100, Pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$",
				Help: "The page's address: /api/content/{slug}/. Lowercase words joined by hyphens."},
			&core.TextField{Name: "title", Required: true, Max: 200},
			&core.EditorField{Name: "body", MaxSize: 204800},
			&core.SelectField{Name: "kind", Values: []string{"PAGE", "ANNOUNCEMENT"}, MaxSelect: 1, Required: true},
			&core.BoolField{Name: "published", Help: "Published pages are public."},
			relation("updated_by", usersID, false),
		)
		pages.Fields.Add(timestamps()...)
		pages.AddIndex("idx_site_pages_slug", true, "`slug`", "")
		pages.AddIndex("idx_site_pages_kind_created", false, "`kind`, `created_at`", "")

		pages.ListRule = types.Pointer(`(published = true || @request.auth.role = "ADMIN")`)
		pages.ViewRule = types.Pointer(`(published = true || @request.auth.role = "ADMIN")`)
		pages.CreateRule = types.Pointer(`@request.auth.role = "ADMIN"`)
		pages.UpdateRule = types.Pointer(`@request.auth.role = "ADMIN"`)
		pages.DeleteRule = types.Pointer(`@request.auth.role = "ADMIN"`)

		return app.Save(pages)
	}, deleteCollection("site_pages"))
}
