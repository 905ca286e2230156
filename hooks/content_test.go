package hooks

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
)

// withPages creates a published page "about", a draft "roadmap" and a
// published announcement "maintenance".
func withPages(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	col, _ := app.FindCollectionByNameOrId(c.SitePages)
	for _, p := range []struct {
		id, slug, kind string
		published      bool
	}{
		{pageID, "about", c.PageKindPage, true},
		{"", "roadmap", c.PageKindPage, false},
		{"", "maintenance", c.PageKindAnnouncement, true},
	} {
		rec := core.NewRecord(col)
		if p.id != "" {
			rec.Id = p.id
		}
		rec.Set(c.PageSlug, p.slug)
		rec.Set(c.PageTitle, strings.ToUpper(p.slug))
		rec.Set(c.PageBody, "<p>"+p.slug+" body</p>")
		rec.Set(c.PageKind, p.kind)
		rec.Set(c.PagePublished, p.published)
		if err := app.Save(rec); err != nil {
			t.Fatal(err)
		}
	}
}

func TestContentRoutes(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		{
			Name:               "anyone lists the published pages",
			Method:             http.MethodGet,
			URL:                "/api/content/",
			BeforeTestFunc:     withPages,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"count":2`, `"slug":"about"`, `"slug":"maintenance"`, `"body":"<p>about body</p>"`},
			NotExpectedContent: []string{"roadmap"},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:               "announcements are pages of their kind",
			Method:             http.MethodGet,
			URL:                "/api/content/?kind=ANNOUNCEMENT",
			BeforeTestFunc:     withPages,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"count":1`, `"slug":"maintenance"`, `"kind":"ANNOUNCEMENT"`},
			NotExpectedContent: []string{`"slug":"about"`},
			TestAppFactory:     testAppFactory,
		},
		{
			Name:            "an unknown kind is 400",
			Method:          http.MethodGet,
			URL:             "/api/content/?kind=BLOG",
			ExpectedStatus:  400,
			ExpectedContent: []string{`"kind":["Select a valid choice. BLOG is not one of the available choices."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "an admin lists drafts too",
			Method:          http.MethodGet,
			URL:             "/api/content/",
			Headers:         auth(fx.admin),
			BeforeTestFunc:  withPages,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":3`, "roadmap"},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "anyone reads a published page by slug",
			Method:          http.MethodGet,
			URL:             "/api/content/about/",
			BeforeTestFunc:  withPages,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + pageID + `"`, `"slug":"about"`, `"title":"ABOUT"`, `"published":true`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a draft is 404 for the public",
			Method:          http.MethodGet,
			URL:             "/api/content/roadmap/",
			BeforeTestFunc:  withPages,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a draft is 404 for a client",
			Method:          http.MethodGet,
			URL:             "/api/content/roadmap/",
			Headers:         auth(fx.client),
			BeforeTestFunc:  withPages,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "an admin reads a draft",
			Method:          http.MethodGet,
			URL:             "/api/content/roadmap/",
			Headers:         auth(fx.admin),
			BeforeTestFunc:  withPages,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"published":false`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:           "an admin creates a page, audited",
			Method:         http.MethodPost,
			URL:            "/api/content/",
			Headers:        auth(fx.admin),
			Body:           body(`{"slug":"terms-of-service","title":"Terms","body":"<h1>Terms</h1>","published":true,"updated_by":"` + fx.client.id + `"}`),
			ExpectedStatus: 201,
			ExpectedContent: []string{`"slug":"terms-of-service"`, `"kind":"PAGE"`, `"published":true`,
				`"updated_by":"` + fx.admin.id + `"`},
			TestAppFactory: testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := c.AsAudit(lastAudit(t, app, "page.create"))
				if row.Actor() != fx.admin.id || !strings.Contains(row.GetString(c.AuditAfter), `"slug":"terms-of-service"`) {
					t.Errorf("audit row %v", row.PublicExport())
				}
			},
		},
		{
			Name:            "a slug is unique",
			Method:          http.MethodPost,
			URL:             "/api/content/",
			Headers:         auth(fx.admin),
			Body:            body(`{"slug":"about","title":"About again"}`),
			BeforeTestFunc:  withPages,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"slug":["A record with this value already exists."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "bad input is 400",
			Method:          http.MethodPost,
			URL:             "/api/content/",
			Headers:         auth(fx.admin),
			Body:            body(`{"slug":"Not A Slug","kind":"POST","published":"perhaps"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"slug":["Enter a valid \"slug\"`, `"title":["This field is required."]`, `"kind":["\"POST\" is not a valid choice."]`, `"published":["Must be a valid boolean."]`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a client may not create pages",
			Method:          http.MethodPost,
			URL:             "/api/content/",
			Headers:         auth(fx.client),
			Body:            body(`{"slug":"spam","title":"Spam"}`),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "anonymous may not create pages",
			Method:          http.MethodPost,
			URL:             "/api/content/",
			Body:            body(`{"slug":"spam","title":"Spam"}`),
			ExpectedStatus:  401,
			ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "an admin publishes a draft, audited with before and after",
			Method:          http.MethodPatch,
			URL:             "/api/content/roadmap/",
			Headers:         auth(fx.admin),
			Body:            body(`{"published":true}`),
			BeforeTestFunc:  withPages,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"slug":"roadmap"`, `"published":true`, `"updated_by":"` + fx.admin.id + `"`},
			TestAppFactory:  testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				row := lastAudit(t, app, "page.update")
				if !strings.Contains(row.GetString(c.AuditBefore), `"published":false`) || !strings.Contains(row.GetString(c.AuditAfter), `"published":true`) {
					t.Errorf("audit %s → %s", row.GetString(c.AuditBefore), row.GetString(c.AuditAfter))
				}
			},
		},
		{
			Name:            "a client may not edit a published page",
			Method:          http.MethodPatch,
			URL:             "/api/content/about/",
			Headers:         auth(fx.client),
			Body:            body(`{"title":"Hacked"}`),
			BeforeTestFunc:  withPages,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:            "a client may not delete a page",
			Method:          http.MethodDelete,
			URL:             "/api/content/about/",
			Headers:         auth(fx.client),
			BeforeTestFunc:  withPages,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`},
			TestAppFactory:  testAppFactory,
		},
		{
			Name:           "an admin deletes a page, audited",
			Method:         http.MethodDelete,
			URL:            "/api/content/about/",
			Headers:        auth(fx.admin),
			BeforeTestFunc: withPages,
			ExpectedStatus: 204,
			TestAppFactory: testAppFactory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := count(t, app, c.SitePages, nil); n != 2 {
					t.Errorf("%d pages", n)
				}
				row := c.AsAudit(lastAudit(t, app, "page.delete"))
				if row.Target() != c.SitePages+"/"+pageID || !strings.Contains(row.GetString(c.AuditBefore), `"slug":"about"`) {
					t.Errorf("audit row %v", row.PublicExport())
				}
			},
		},
		{
			Name:            "an unknown page is 404",
			Method:          http.MethodDelete,
			URL:             "/api/content/nothing-here/",
			Headers:         auth(fx.admin),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"detail":"Not found."`},
			TestAppFactory:  testAppFactory,
		},
	}
	for _, s := range scenarios {
		verifiedAfter(&s)
		s.Test(t)
	}
}
