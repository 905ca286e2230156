package collections

import "github.com/pocketbase/pocketbase/core"

// SitePages is the collection of the site's content pages and announcements.
const SitePages = "site_pages"

// Fields of the site_pages collection.
const (
	PageSlug      = "slug"
	PageTitle     = "title"
	PageBody      = "body"
	PageKind      = "kind"
	PagePublished = "published"
	PageUpdatedBy = "updated_by"
)

// Page kinds: announcements are pages too, listed apart.
const (
	PageKindPage         = "PAGE"
	PageKindAnnouncement = "ANNOUNCEMENT"
)

// PageKinds lists every page kind.
var PageKinds = []string{PageKindPage, PageKindAnnouncement}

// Limits of a page.
const (
	MaxSlugChars     = 100
	MaxTitleChars    = 200
	MaxPageBodyBytes = 200 << 10
	// SlugPattern: lowercase words joined by single hyphens.
	SlugPattern = `^[a-z0-9]+(?:-[a-z0-9]+)*$`
)

// Page is a typed proxy of a site_pages record.
type Page struct {
	core.BaseRecordProxy
}

// AsPage wraps a site_pages record.
func AsPage(r *core.Record) *Page {
	p := &Page{}
	p.SetProxyRecord(r)
	return p
}

// Slug returns the page's unique address.
func (p *Page) Slug() string { return p.GetString(PageSlug) }

// Title returns the page's title.
func (p *Page) Title() string { return p.GetString(PageTitle) }

// Body returns the page's rich text (HTML).
func (p *Page) Body() string { return p.GetString(PageBody) }

// Kind returns PAGE or ANNOUNCEMENT.
func (p *Page) Kind() string { return p.GetString(PageKind) }

// Published reports whether everyone may read the page.
func (p *Page) Published() bool { return p.GetBool(PagePublished) }

// UpdatedBy returns the id of the admin who last wrote the page.
func (p *Page) UpdatedBy() string { return p.GetString(PageUpdatedBy) }
