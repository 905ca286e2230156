package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

func bindContentRoutes(public group) {
	signedIn := func(h handler) handler { return withChecks(requireUser, h) }
	route(public, "/content/", map[string]handler{http.MethodGet: pageList, http.MethodPost: signedIn(pageCreate)})
	route(public, "/content/{slug}/", map[string]handler{
		http.MethodGet:    pageDetail,
		http.MethodPut:    signedIn(pageUpdate),
		http.MethodPatch:  signedIn(pageUpdate),
		http.MethodDelete: signedIn(pageDelete),
	})
}

// pageList is GET /api/content/ (public): published pages (admins: all),
// newest first; ?kind=PAGE|ANNOUNCEMENT.
func pageList(e *core.RequestEvent) error {
	return listing{collection: c.SitePages, show: each(showPage)}.filtered(e, map[string][]string{c.PageKind: c.PageKinds})
}

// findPage loads the page with slug if its view rule lets the request see it.
func findPage(e *core.RequestEvent, slug string) (*core.Record, error) {
	col, err := e.App.FindCachedCollectionByNameOrId(c.SitePages)
	if err != nil {
		return nil, err
	}
	q, err := ruleQuery(e, col, col.ViewRule)
	if err != nil {
		return nil, err
	}
	var p core.Record
	err = q.AndWhere(dbx.HashExp{c.SitePages + "." + c.PageSlug: slug}).Limit(1).One(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// pageDetail is GET /api/content/{slug}/ (public): a published page (admins: any).
func pageDetail(e *core.RequestEvent) error {
	p, err := findPage(e, e.Request.PathValue("slug"))
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, showPage(p))
}

var slugRe = regexp.MustCompile(c.SlugPattern)

// readPageInto reads the body's page fields onto p.
func readPageInto(e *core.RequestEvent, p *core.Record) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	readPageFields(f)
	if err := f.err(); err != nil {
		return err
	}
	f.setOn(p)
	return nil
}

// pageBody is a page's writable fields.
var pageBody = &bodySpec{name: "SitePageWrite", desc: "PUT and POST require `slug` and `title`.", fields: []bodyField{
	textF(c.PageSlug, c.MaxSlugChars).req().matching(slugRe, `Enter a valid "slug" consisting of lowercase letters, numbers or single hyphens.`).
		about("Lowercase letters and digits in words joined by single hyphens; unique."),
	textF(c.PageTitle, c.MaxTitleChars).req(),
	textF(c.PageBody, c.MaxPageBodyBytes).about(fmt.Sprintf("HTML, at most %d bytes.", c.MaxPageBodyBytes)),
	choiceF(c.PageKind, c.PageKinds).dflt(c.PageKindPage),
	boolF(c.PagePublished).dflt(false),
}}

// readPageFields reads a page's writable fields into f.clean; the body is
// also bounded in bytes.
func readPageFields(f *form) {
	pageBody.read(f)
	if body, ok := f.cleanText(c.PageBody); ok && len(body) > c.MaxPageBodyBytes {
		f.refuse(c.PageBody, "Ensure this field has no more than 204800 bytes.")
	}
}

// pageCreate is POST /api/content/ {slug, title, body?, kind?, published?}
// (admins, by the pages create rule): 201 with the page.
func pageCreate(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(c.SitePages)
	if err != nil {
		return err
	}
	p := core.NewRecord(col)
	if err := mustAllowCreate(e, p); err != nil {
		return err
	}
	if err := readPageInto(e, p); err != nil {
		return err
	}
	if err := mustAllowCreate(e, p); err != nil {
		return err
	}
	if err := saveAs(e.App, e.Auth, p); err != nil {
		return err
	}
	return e.JSON(http.StatusCreated, showPage(p))
}

// pageUpdate is PUT/PATCH /api/content/{slug}/ (admins, by the pages update rule).
func pageUpdate(e *core.RequestEvent) error {
	slug := e.Request.PathValue("slug")
	// may the caller edit this page at all? (the body is not read yet)
	p, err := findPage(e, slug)
	if err != nil {
		return err
	}
	if err := mayAct(e, p, p.Collection().UpdateRule, errForbidden); err != nil {
		return err
	}
	if err := readPageInto(e, p); err != nil {
		return err
	}
	if err := saveAs(e.App, e.Auth, p); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, showPage(p))
}

// pageDelete is DELETE /api/content/{slug}/ (admins, by the pages delete rule): 204.
func pageDelete(e *core.RequestEvent) error {
	p, err := findPage(e, e.Request.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := mayAct(e, p, p.Collection().DeleteRule, errForbidden); err != nil {
		return err
	}
	if err := deleteAs(e.App, e.Auth, p); err != nil {
		return err
	}
	return e.NoContent(http.StatusNoContent)
}
