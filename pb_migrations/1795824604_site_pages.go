package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Creates site_pages: the site's content and announcements, public once
// published, written by admins.
func init() {
	m.Register(func(app core.App) error {
		usersID, err := collectionID(app, c.Users)
		if err != nil {
			return err
		}

		pages := core.NewBaseCollection(c.SitePages)
		pages.Fields.Add(
			&core.TextField{Name: c.PageSlug, Required: true, Presentable: true, Max: c.MaxSlugChars, Pattern: c.SlugPattern,
				Help: "The page's address: /api/content/{slug}/. Lowercase words joined by hyphens."},
			&core.TextField{Name: c.PageTitle, Required: true, Max: c.MaxTitleChars},
			&core.EditorField{Name: c.PageBody, MaxSize: c.MaxPageBodyBytes},
			&core.SelectField{Name: c.PageKind, Values: c.PageKinds, MaxSelect: 1, Required: true},
			&core.BoolField{Name: c.PagePublished, Help: "Published pages are public."},
			relation(c.PageUpdatedBy, usersID, false),
		)
		pages.Fields.Add(timestamps()...)
		pages.AddIndex("idx_site_pages_slug", true, "`slug`", "")
		pages.AddIndex("idx_site_pages_kind_created", false, "`kind`, `created_at`", "")

		pages.ListRule = types.Pointer(c.PagesViewRule)
		pages.ViewRule = types.Pointer(c.PagesViewRule)
		pages.CreateRule = types.Pointer(c.PagesWriteRule)
		pages.UpdateRule = types.Pointer(c.PagesWriteRule)
		pages.DeleteRule = types.Pointer(c.PagesWriteRule)

		return app.Save(pages)
	}, deleteCollection(c.SitePages))
}
