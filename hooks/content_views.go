package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// pageView is a page as the DRF API shows it.
type pageView struct {
	ID        string `json:"id"`
	Slug      string `json:"slug"`
	Title     string `json:"title"`
	Body      string `json:"body"`
	Kind      string `json:"kind"`
	Published bool   `json:"published"`
	UpdatedBy any    `json:"updated_by"`
	CreatedAt any    `json:"created_at"`
	UpdatedAt any    `json:"updated_at"`
}

func showPage(r *core.Record) any {
	p := c.AsPage(r)
	return pageView{r.Id, p.Slug(), p.Title(), p.Body(), p.Kind(), p.Published(), nullIfEmpty(p.UpdatedBy()),
		rfc3339(r.GetDateTime(c.FieldCreatedAt)), rfc3339(r.GetDateTime(c.FieldUpdatedAt))}
}
