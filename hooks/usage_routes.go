package hooks

import (
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// The DRF API's usage history (spec section 4): who may see a usage is the
// tool_usage collection's list/view rule (own usage; a creator also the usage
// of its tools; admins all). Usage is written only by the use-tool route.

// usageOrder is newest first, the id breaking ties so that pages are stable.
var usageOrder = []string{c.ToolUsage + "." + c.FieldCreatedAt + " DESC", c.ToolUsage + "." + c.FieldID + " DESC"}

func bindUsageRoutes(authed group) {
	route(authed, "/tools/usage/", map[string]handler{http.MethodGet: usageList})
	route(authed, "/tools/usage/my_usage/", map[string]handler{http.MethodGet: usageMine})
	route(authed, "/tools/usage/{id}/", map[string]handler{http.MethodGet: usageDetail})
}

// usageFilters reads ?tool=, ?since= and ?until= into SQL conditions. since
// and until take RFC 3339 or YYYY-MM-DD (UTC); both bounds are inclusive, a
// date-only until covering its whole day.
func usageFilters(e *core.RequestEvent) ([]dbx.Expression, error) {
	query := e.Request.URL.Query()
	var conds []dbx.Expression
	errs := FieldErrors{}
	if v := query.Get("tool"); v != "" {
		conds = append(conds, dbx.HashExp{c.ToolUsage + "." + c.UsageTool: v})
	}
	for _, bound := range []struct {
		param, op string
		until     bool
	}{{"since", ">=", false}, {"until", "<", true}} {
		v := strings.TrimSpace(query.Get(bound.param))
		if v == "" {
			continue
		}
		t, ok := parseBound(v, bound.until)
		if !ok {
			errs.Add(bound.param, "Enter a valid date/time: RFC 3339 (2006-01-02T15:04:05Z) or YYYY-MM-DD.")
			continue
		}
		if t.Year() > 9999 {
			// past the stored format's range (and its string order): no row
			// is that late
			if !bound.until {
				conds = append(conds, dbx.NewExp("1 = 0"))
			}
			continue
		}
		dt, err := types.ParseDateTime(t)
		if err != nil {
			errs.Add(bound.param, "Enter a valid date/time: RFC 3339 (2006-01-02T15:04:05Z) or YYYY-MM-DD.")
			continue
		}
		p := "tb_" + bound.param
		conds = append(conds, dbx.NewExp("[["+c.ToolUsage+"."+c.FieldCreatedAt+"]] "+bound.op+" {:"+p+"}", dbx.Params{p: dt.String()}))
	}
	return conds, errs.Err()
}

// parseBound parses a since/until value as the instant the stored times
// (millisecond precision) are compared with: since is rounded up to the next
// millisecond; until becomes the exclusive end of its millisecond, or of its
// day for a date.
func parseBound(v string, until bool) (time.Time, bool) {
	if d, err := time.ParseInLocation(time.DateOnly, v, time.UTC); err == nil {
		if until {
			d = d.AddDate(0, 0, 1)
		}
		return d, true
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false
	}
	t = t.UTC()
	ms := t.Truncate(time.Millisecond)
	if until {
		return ms.Add(time.Millisecond), true
	}
	if ms.Before(t) {
		ms = ms.Add(time.Millisecond)
	}
	return ms, true
}

// usageListing lists the usage the caller may see (the list rule).
var usageListing = listing{collection: c.ToolUsage, order: usageOrder, show: usageViews}

// GET /api/tools/usage/
func usageList(e *core.RequestEvent) error {
	conds, err := usageFilters(e)
	if err != nil {
		return err
	}
	return usageListing.list(e, conds...)
}

// GET /api/tools/usage/my_usage/: the caller's own usage, a bare array.
func usageMine(e *core.RequestEvent) error {
	conds, err := usageFilters(e)
	if err != nil {
		return err
	}
	return usageListing.bare(e, append(conds, dbx.HashExp{c.ToolUsage + "." + c.UsageUser: e.Auth.Id})...)
}

// GET /api/tools/usage/{id}/
func usageDetail(e *core.RequestEvent) error {
	return usageListing.detail(e)
}
