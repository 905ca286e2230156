package hooks

import (
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// statsRangeOf reads the range of a request's query string, or a 400.
func statsRangeOf(e *core.RequestEvent) (statsRange, error) {
	q := e.Request.URL.Query()
	r, errs := parseStatsRange(q.Get("from"), q.Get("to"), q.Get("interval"), time.Now())
	if errs != nil {
		return r, errs.Err()
	}
	return r, nil
}

func (tb *toolbase) bindStatsRoutes(authed group) {
	route(authed, "/tools/tools/{id}/stats/", map[string]handler{http.MethodGet: tb.toolStatsRoute})
	route(authed, "/tools/usage/stats/", map[string]handler{http.MethodGet: tb.usageStatsRoute})
}

// toolStatsRoute is GET /api/tools/tools/{id}/stats/: for the tool's creator
// or an admin; 404 for a tool the caller can't see, 403 for one it sees but
// doesn't own.
func (tb *toolbase) toolStatsRoute(e *core.RequestEvent) error {
	tool, err := findVisible(e, c.Tools, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	rule := c.ToolStatsRule
	if ok, err := allowed(e, tool, &rule); err != nil {
		return err
	} else if !ok {
		return errForbidden
	}
	r, err := statsRangeOf(e)
	if err != nil {
		return err
	}
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	body, err := tb.stats.get("tool "+tool.Id+" "+e.Auth.Id+" "+r.key(), func() (any, error) {
		return ToolStats(e.App, info, tool, r)
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, body)
}

// usageStatsRoute is GET /api/tools/usage/stats/: own spending for a client,
// own tools for a creator, the platform for an admin.
func (tb *toolbase) usageStatsRoute(e *core.RequestEvent) error {
	r, err := statsRangeOf(e)
	if err != nil {
		return err
	}
	// the platform's numbers are the same for every admin
	who := e.Auth.Id
	if c.AsUser(e.Auth).IsAdmin() {
		who = c.RoleAdmin
	}
	body, err := tb.stats.get("usage "+who+" "+r.key(), func() (any, error) {
		body, queries := usageStatsQueries(r, e.Auth)
		return body, runStats(e.App, queries)
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, body)
}
