package hooks

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"toolbase/hooks/internal/middleware"
)

// The filter guard closes the "oracles" of client-side filters and sorts: a
// filter is a yes/no question about rows, so whatever it may name, the
// caller can read one answer at a time. PocketBase applies the list rule of
// a collection reached through a single forward relation (`tool.name`), but
// not inside the multi-match subqueries it builds for back-relations
// (`ticket_messages_via_ticket.body`), multiple relations and
// `@collection.*` ("joins are not applied for multi-match conditions",
// core/record_field_resolver.go), and it filters on fields that toolbase
// strips from responses only (privateFields).
//
// So for every caller but superusers, on the records API (list and view:
// `filter`, `sort`) and on realtime subscriptions (`options.query.filter`
// and `sort`), the guard parses the expressions with PocketBase's own parser
// and allows only identifiers it can vouch for:
//   - a field of the collection, then single forward relations to
//     collections with a list rule (which PocketBase applies to the join),
//     ending on a field, with `:lower`, `:each` or `:length`, or a JSON path;
//   - never a field Hidden in the schema, nor a private field unless the
//     caller is an admin (who is shown every private field);
//   - never a back-relation (`x_via_y`), a multiple relation traversed, or
//     `@collection.*`;
//   - never `@request.*` nor `@collection.*` (PocketBase itself refuses
//     them on the records API with a 403, which the guard repeats, also
//     for realtime, where PocketBase would accept and silently ignore them);
//   - literals, `true`/`false`/`null`, macros (`@now`) and, in sorts,
//     `@random` and `@rowid`.
// Anything else is refused with a 400 before any query runs. `expand` needs
// no guard: PocketBase applies each expanded record's view rule and runs the
// enrich hooks (hidePrivateFields) on it.

const msgFilterRefused = "The filter or sort uses %s, which is not allowed: %s"

var viaPattern = regexp.MustCompile(`^\w+_via_\w+$`)

// filterRefusal is why an expression is refused.
type filterRefusal struct{ ident, why string }

func (r *filterRefusal) Error() string { return fmt.Sprintf(msgFilterRefused, r.ident, r.why) }

func bindFilterGuard(app core.App) {
	middleware.Bind(app, "toolbaseFilterGuard", 0, guardRecordsQuery)
	app.OnRealtimeSubscribeRequest().BindFunc(guardSubscriptions)
}

// recordsRouteCollection returns the collection segment of a records API
// path (/api/collections/{collection}/records[/…]), or "".
func recordsRouteCollection(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 4 || parts[0] != "api" || parts[1] != "collections" || parts[3] != "records" {
		return ""
	}
	return parts[2]
}

// guardRecordsQuery refuses the records API requests whose filter or sort
// the caller may not use.
func guardRecordsQuery(e *core.RequestEvent) error {
	name := recordsRouteCollection(e.Request.URL.Path)
	if name == "" || e.HasSuperuserAuth() {
		return e.Next()
	}
	query := e.Request.URL.Query()
	if len(query[search.FilterQueryParam]) == 0 && len(query[search.SortQueryParam]) == 0 {
		return e.Next()
	}
	col, err := e.App.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return e.Next() // PocketBase answers 404
	}
	for _, f := range query[search.FilterQueryParam] {
		if err := checkClientFilter(e.App, col, e.Auth, f); err != nil {
			return guardError(err)
		}
	}
	for _, s := range query[search.SortQueryParam] {
		if err := checkClientSort(e.App, col, e.Auth, s); err != nil {
			return guardError(err)
		}
	}
	return e.Next()
}

// guardSubscriptions refuses a realtime subscription request when one of
// its record topics carries a filter or sort the caller may not use. The
// options are read by PocketBase's own subscription parser.
func guardSubscriptions(e *core.RealtimeSubscribeRequestEvent) error {
	if e.HasSuperuserAuth() {
		return e.Next()
	}
	scratch := subscriptions.NewDefaultClient()
	scratch.Subscribe(e.Subscriptions...)
	for sub, options := range scratch.Subscriptions() {
		filter, sort := options.Query[search.FilterQueryParam], options.Query[search.SortQueryParam]
		if filter == "" && sort == "" {
			continue
		}
		topic, _, _ := strings.Cut(sub, "?")
		name, _, _ := strings.Cut(topic, "/")
		col, err := e.App.FindCachedCollectionByNameOrId(name)
		if err != nil {
			continue // not a records topic: PocketBase sends it nothing
		}
		if err := checkClientFilter(e.App, col, e.Auth, filter); err != nil {
			return guardError(err)
		}
		if err := checkClientSort(e.App, col, e.Auth, sort); err != nil {
			return guardError(err)
		}
	}
	return e.Next()
}

// guardError is the answer to a refused filter or sort: PocketBase's error
// shape, 400 unless the check chose another status.
func guardError(err error) error {
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return apis.NewBadRequestError(err.Error(), nil)
}

// checkClientFilter tells whether auth (nil: a guest) may filter col by filter.
func checkClientFilter(app core.App, col *core.Collection, auth *core.Record, filter string) error {
	if strings.TrimSpace(filter) == "" || (auth != nil && auth.IsSuperuser()) {
		return nil
	}
	groups, err := fexpr.Parse(filter)
	if err != nil {
		return &filterRefusal{"an expression", "it does not parse"}
	}
	var walk func(groups []fexpr.ExprGroup) error
	var token func(t fexpr.Token) error
	token = func(t fexpr.Token) error {
		switch t.Type {
		case fexpr.TokenIdentifier:
			return checkIdentifier(app, col, auth, t.Literal)
		case fexpr.TokenFunction:
			args, _ := t.Meta.([]fexpr.Token)
			for _, a := range args {
				if err := token(a); err != nil {
					return err
				}
			}
		}
		return nil
	}
	walk = func(groups []fexpr.ExprGroup) error {
		for _, g := range groups {
			switch item := g.Item.(type) {
			case fexpr.Expr:
				if err := token(item.Left); err != nil {
					return err
				}
				if err := token(item.Right); err != nil {
					return err
				}
			case []fexpr.ExprGroup:
				if err := walk(item); err != nil {
					return err
				}
			default:
				return &filterRefusal{"an expression", "it is not understood"}
			}
		}
		return nil
	}
	return walk(groups)
}

// checkClientSort tells whether auth (nil: a guest) may sort col by sort.
func checkClientSort(app core.App, col *core.Collection, auth *core.Record, sort string) error {
	if strings.TrimSpace(sort) == "" || (auth != nil && auth.IsSuperuser()) {
		return nil
	}
	for _, f := range search.ParseSortFromString(sort) {
		switch f.Name {
		case "", "@random", "@rowid":
			continue
		}
		if err := checkIdentifier(app, col, auth, f.Name); err != nil {
			return err
		}
	}
	return nil
}

// checkIdentifier tells whether auth may name ident in a filter or sort of col.
func checkIdentifier(app core.App, col *core.Collection, auth *core.Record, ident string) error {
	refuse := func(why string) error { return &filterRefusal{fmt.Sprintf("%q", ident), why} }
	if strings.HasPrefix(ident, "@") {
		if !strings.Contains(ident, ".") {
			return nil // a macro (@now, …); PocketBase refuses unknown ones
		}
		// @collection.* (read without its list rule) and @request.*:
		// PocketBase refuses them on the records API itself, with this answer
		return apis.NewForbiddenError("Only superusers can filter by "+strings.SplitAfter(ident, ".")[0], nil)
	}
	switch strings.ToLower(ident) {
	case "true", "false", "null":
		if col.Fields.GetByName(ident) == nil {
			return nil
		}
	}
	props := strings.Split(ident, ".")
	cur := col
	for i, prop := range props {
		last := i == len(props)-1
		name, modifier, hasModifier := strings.Cut(prop, ":")
		if hasModifier && !last {
			return refuse("a modifier ends a path")
		}
		field := cur.Fields.GetByName(name)
		if field == nil {
			if viaPattern.MatchString(name) {
				return refuse("back-relations are not filterable (their rows are read without their collection's rules)")
			}
			return refuse(fmt.Sprintf("%s has no field %q", cur.Name, name))
		}
		if field.GetHidden() {
			return refuse(fmt.Sprintf("%s.%s is not filterable", cur.Name, name))
		}
		if isPrivateField(cur.Name, name) && !seesPrivateFields(auth) {
			return refuse(fmt.Sprintf("%s.%s is private", cur.Name, name))
		}
		if last {
			switch modifier {
			case "", "lower", "each", "length":
				return nil
			}
			return refuse(fmt.Sprintf("unknown modifier %q", modifier))
		}
		switch f := field.(type) {
		case *core.JSONField, *core.GeoPointField:
			return nil // the rest is a path inside this (readable) value
		case *core.RelationField:
			if f.IsMultiple() {
				return refuse("multiple relations are not traversable in filters")
			}
			target, err := app.FindCachedCollectionByNameOrId(f.CollectionId)
			if err != nil || target.ListRule == nil {
				return refuse(fmt.Sprintf("%s.%s leads to a collection you may not list", cur.Name, name))
			}
			cur = target
		default:
			return refuse(fmt.Sprintf("%s.%s is not a relation", cur.Name, name))
		}
	}
	return refuse("the path is empty")
}
