// Package hooks holds toolbase's business logic: record hooks, custom routes
// and CLI commands, one file per capability, all bound from Register.
package hooks

import (
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/spf13/cobra"

	"toolbase/hooks/realtimebalance"
)

// Register reads the configuration and binds every toolbase hook and route to app.
func Register(app core.App) error {
	cfg, err := LoadConfig()
	if err != nil {
		return err
	}
	app.Store().Set(configKey, cfg)

	bindDefaults(app)
	bindGuards(app)
	bindFilterGuard(app)
	bindAdjustments(app)
	bindUsers(app)
	bindAuth(app)
	bindNativeAuth(app)
	bindUse(app)
	bindRemote(app)
	bindAPIKeys(app)
	bindLogRedaction(app)
	bindFeedback(app)
	bindPlatform(app)
	realtimebalance.Bind(app) // balance changes reach their owners live

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := prepareHot(se.App); err != nil {
			return err
		}
		// the seed API: DRF-shaped answers; authenticated unless a route says otherwise
		public := se.Router.Group(seedPrefix).BindFunc(drfBoundary)
		authed := se.Router.Group(seedPrefix).BindFunc(drfBoundary, requireUser)
		bindTokenRoutes(public)
		bindUserRoutes(public, authed)
		bindToolRoutes(authed)
		bindUsageRoutes(authed)
		bindUseRoutes(authed)
		bindPointsRoutes(authed)
		bindTransactionRoutes(authed)
		bindKeyRoutes(authed)
		bindFeedbackRoutes(authed)
		bindStatsRoutes(authed)
		bindPlatformRoutes(public, authed)
		bindDocsRoutes(public)
		return se.Next()
	})
	return nil
}

// Commands returns toolbase's CLI commands, to add to PocketBase's root command.
func Commands(app core.App) []*cobra.Command {
	cmds := []*cobra.Command{
		newSeedCommand(app),
		newPointsCommand(app),
		newLedgerCommand(app),
		newStatsCommand(app),
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

type group = *router.RouterGroup[*core.RequestEvent]

type handler = func(e *core.RequestEvent) error

// seedPrefix is where the seed API's paths start.
const seedPrefix = "/api"

// seedRoutes records every method and path route registered, for the API
// description's test.
var seedRoutes = struct {
	sync.Mutex
	byPath map[string][]string
}{byPath: map[string][]string{}}

// SeedRoutes returns the registered seed API paths (with their {id}-style
// parameters) and, for each, its methods, sorted.
func SeedRoutes() map[string][]string {
	seedRoutes.Lock()
	defer seedRoutes.Unlock()
	out := make(map[string][]string, len(seedRoutes.byPath))
	for path, methods := range seedRoutes.byPath {
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
	seedRoutes.Lock()
	seedRoutes.byPath[seedPrefix+path] = slices.DeleteFunc(slices.Clone(allow), func(m string) bool { return m == http.MethodOptions })
	seedRoutes.Unlock()
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
