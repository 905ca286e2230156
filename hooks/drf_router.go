package hooks

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	c "toolbase/collections"
)

// requireUser lets through requests authenticated as a users record: 401 for
// none or a bad credential, 403 for a superuser (who uses the records API).
func requireUser(e *core.RequestEvent) error {
	if e.Auth == nil {
		e.Response.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		if e.Request.Header.Get("Authorization") != "" {
			return &apiError{status: http.StatusUnauthorized, body: map[string]string{
				"detail": msgTokenNotValid, "code": "token_not_valid",
			}}
		}
		return errDetail(http.StatusUnauthorized, msgNotAuthenticated)
	}
	if e.Auth.Collection().Name != c.Users {
		return errDetail(http.StatusForbidden, "The DRF API is for user accounts; superusers use the records API.")
	}
	return e.Next()
}

// only returns a subgroup of g whose routes answer 403 to users without one of
// roles, before anything else: DRF checks a view's permissions before its
// methods, so a client's POST to an admin-only GET path is 403, not 405.
func only(g group, roles ...string) group {
	return group{g.Group("").BindFunc(func(e *core.RequestEvent) error {
		return withRoles(func(e *core.RequestEvent) error { return e.Next() }, roles...)(e)
	}), g.routes}
}

// withRoles runs h for users of one of roles (after requireUser) and
// answers 403 to the others: for one method of a path.
func withRoles(h handler, roles ...string) handler {
	return func(e *core.RequestEvent) error {
		if slices.Contains(roles, e.Auth.GetString(c.UserRole)) {
			return h(e)
		}
		return errForbidden
	}
}

// group is a router group of the DRF API, with the table its routes are
// listed in.
type group struct {
	*router.RouterGroup[*core.RequestEvent]
	routes *routeTable
}

type handler = func(e *core.RequestEvent) error

// with is g with more middlewares, run after g's own, for the routes then
// registered on it.
func (g group) with(middlewares ...handler) group {
	return group{g.Group("").BindFunc(middlewares...), g.routes}
}

// refuseKeyWrites is the middleware of a group whose writes an API key may
// never make: 403 with msg for any unsafe method, before the handler reads
// anything (keyPolicy refuses them first, by route; this keeps the refusal
// with the routes whatever its table says).
func refuseKeyWrites(msg string) handler {
	return func(e *core.RequestEvent) error {
		safe := e.Request.Method == http.MethodGet || e.Request.Method == http.MethodHead || e.Request.Method == http.MethodOptions
		if !safe && apiKeyOf(e) != "" {
			return errDetail(http.StatusForbidden, msg)
		}
		return e.Next()
	}
}

// drfPrefix is where the DRF API's paths start.
const drfPrefix = "/api"

// routeTable lists the DRF API's method and path routes as they are
// registered, for the API description's test.
type routeTable struct {
	mu     sync.Mutex
	byPath map[string][]string
}

func (rt *routeTable) add(path string, methods []string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.byPath[path] = methods
}

// DRFRoutes returns the DRF API paths registered for the app (with their
// {id}-style parameters) and, for each, its methods, sorted.
func (tb *toolbase) DRFRoutes() map[string][]string {
	tb.routes.mu.Lock()
	defer tb.routes.mu.Unlock()
	out := make(map[string][]string, len(tb.routes.byPath))
	for path, methods := range tb.routes.byPath {
		out[path] = slices.Clone(methods)
	}
	return out
}

// route registers one DRF API path (exact, trailing slash included) with a
// handler per method, and DRF's 405 for the other methods. (A method-less
// catch-all would conflict in ServeMux with sibling wildcard paths.)
func route(g group, path string, handlers map[string]handler) {
	allow := []string{http.MethodOptions}
	for method := range handlers {
		allow = append(allow, method)
	}
	slices.Sort(allow)
	g.routes.add(drfPrefix+path, slices.DeleteFunc(slices.Clone(allow), func(m string) bool { return m == http.MethodOptions }))
	notAllowed := func(e *core.RequestEvent) error {
		e.Response.Header().Set("Allow", strings.Join(allow, ", "))
		return errDetail(http.StatusMethodNotAllowed, `Method "`+e.Request.Method+`" not allowed.`)
	}
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		h, ok := handlers[method]
		if !ok {
			h = notAllowed
		}
		g.Route(method, path+"{$}", h)
	}
}

// withChecks runs middlewares (requireUser, …) and then the handler, for one
// method of a route (on the public group, a write that needs a user).
func withChecks(fns ...handler) handler {
	return func(e *core.RequestEvent) error {
		return (&hook.Hook[*core.RequestEvent]{}).Trigger(e, fns...)
	}
}
