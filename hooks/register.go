// Package hooks holds toolbase's business logic: record hooks, custom routes
// and CLI commands, one file per capability, all bound from Register. The
// money core is the ledger sub-package.
package hooks

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/spf13/cobra"

	"toolbase/hooks/djangoimport"
	"toolbase/hooks/ledger"
	"toolbase/hooks/realtimebalance"
)

// Register binds every toolbase hook and route to app, with cfg (see
// LoadConfig) and the services made from it once, for this app.
func Register(app core.App, cfg Config) {
	register(app, cfg)
}

// register is Register, returning what it made (tests reach the services
// through it).
func register(app core.App, cfg Config) *toolbase {
	tb := newToolbase(cfg)

	bindDefaults(app)
	bindGuards(app)
	bindFilterGuard(app)
	bindAdjustments(app)
	bindUsers(app)
	bindAuth(app)
	tb.bindNativeAuth(app)
	bindUse(app)
	tb.bindRemote(app)
	tb.bindAPIKeys(app)
	bindLogRedaction(app)
	bindFeedback(app)
	tb.bindPlatform(app)
	realtimebalance.Bind(app) // balance changes reach their owners live
	djangoimport.Bind(app)    // imported Django password hashes, deactivated users

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := ledger.Prepare(se.App); err != nil {
			return err
		}
		// the seed API: DRF-shaped answers; authenticated unless a route says otherwise
		public := group{se.Router.Group(seedPrefix).BindFunc(drfBoundary), tb.routes}
		authed := group{se.Router.Group(seedPrefix).BindFunc(drfBoundary, requireUser), tb.routes}
		tb.bindTokenRoutes(public)
		bindUserRoutes(public, authed)
		bindToolRoutes(authed)
		bindUsageRoutes(authed)
		tb.bindUseRoutes(authed)
		bindPointsRoutes(authed)
		bindTransactionRoutes(authed)
		tb.bindKeyRoutes(authed)
		bindFeedbackRoutes(authed)
		tb.bindStatsRoutes(authed)
		bindPlatformRoutes(public, authed)
		bindDocsRoutes(public)
		return se.Next()
	})
	return tb
}

// Commands returns toolbase's CLI commands, to add to PocketBase's root
// command, with cfg (see LoadConfig).
func Commands(app core.App, cfg Config) []*cobra.Command {
	tb := newToolbase(cfg)
	cmds := []*cobra.Command{
		newSeedCommand(app),
		newPointsCommand(app),
		newLedgerCommand(app),
		tb.newStatsCommand(app),
		djangoimport.NewCommand(app),
	}
	for _, cmd := range cmds {
		silenceUsage(cmd)
	}
	return cmds
}

// silenceUsage keeps a failing command from burying its error under the usage text.
func silenceUsage(cmd *cobra.Command) {
	cmd.SilenceUsage = true
	for _, sub := range cmd.Commands() {
		silenceUsage(sub)
	}
}

// group is a router group of the seed API, with the table its routes are
// listed in.
type group struct {
	*router.RouterGroup[*core.RequestEvent]
	routes *routeTable
}

type handler = func(e *core.RequestEvent) error

// seedPrefix is where the seed API's paths start.
const seedPrefix = "/api"

// routeTable lists the seed API's method and path routes as they are
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

// SeedRoutes returns the seed API paths registered for the app (with their
// {id}-style parameters) and, for each, its methods, sorted.
func (tb *toolbase) SeedRoutes() map[string][]string {
	tb.routes.mu.Lock()
	defer tb.routes.mu.Unlock()
	out := make(map[string][]string, len(tb.routes.byPath))
	for path, methods := range tb.routes.byPath {
		out[path] = slices.Clone(methods)
	}
	return out
}

// route registers one seed API path (exact, trailing slash included) with a
// handler per method, and DRF's 405 for the other methods. (A method-less
// catch-all would conflict in ServeMux with sibling wildcard paths.)
func route(g group, path string, handlers map[string]handler) {
	allow := []string{http.MethodOptions}
	for method := range handlers {
		allow = append(allow, method)
	}
	slices.Sort(allow)
	g.routes.add(seedPrefix+path, slices.DeleteFunc(slices.Clone(allow), func(m string) bool { return m == http.MethodOptions }))
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
