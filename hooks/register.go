// Package hooks holds toolbase's business logic: record hooks, custom routes
// and CLI commands, in files named <capability>_<layer>.go (routes, views,
// hooks, cmd; drf_* for the DRF API's machinery), all bound from Register
// in this file, which only wires. The money core is the ledger sub-package.
package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	c "toolbase/collections"
	"toolbase/hooks/djangoimport"
	"toolbase/hooks/ledger"
	"toolbase/hooks/realtimebalance"
	"toolbase/hooks/recordcache"
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
	tb.uses = ledger.NewGroup(app)
	tb.tools = recordcache.New(app, c.Tools, maxCachedTools, cachedRecordTTL)
	tb.users = recordcache.New(app, c.Users, maxCachedUsers, cachedRecordTTL)
	tb.keys = recordcache.New(app, c.ToolAPIKeys, maxCachedKeys, cachedRecordTTL)

	bindDefaults(app)
	bindGuards(app)
	bindFilterGuard(app)
	bindAdjustments(app)
	bindUsers(app)
	bindAuth(app)
	tb.bindNativeAuth(app)
	bindUse(app)
	tb.bindRemote(app)
	bindBuiltins(app)
	bindModeration(app)
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
		stmt, err := prepareKeyLookup(se.App)
		if err != nil {
			return err
		}
		if !tb.keyLookup.CompareAndSwap(nil, stmt) {
			stmt.Close() // served before: the first one stays
		}
		// the DRF API: DRF-shaped answers; authenticated unless a route says otherwise
		public := group{se.Router.Group(drfPrefix).BindFunc(drfBoundary), tb.routes}
		authed := group{se.Router.Group(drfPrefix).BindFunc(drfBoundary, requireUser), tb.routes}
		// routes that read only their caller's identity: cached authentication (auth_cache.go)
		identity := group{se.Router.Group(drfPrefix).Unbind(apis.DefaultLoadAuthTokenMiddlewareId).
			Bind(tb.identityAuth()).BindFunc(drfBoundary, requireUser), tb.routes}
		if !tb.cfg.LogUses {
			identity.BindFunc(skipSuccessfulUseLog)
		}
		tb.bindTokenRoutes(public)
		bindUserRoutes(public, authed)
		bindToolRoutes(authed)
		bindUsageRoutes(authed)
		tb.bindUseRoutes(authed, identity)
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

// bindPlatform binds the model hooks of payouts, refunds, support, site
// content and the audit log.
func (tb *toolbase) bindPlatform(app core.App) {
	bindAudit(app)
	// a payout request is checked against the balance, a refund request
	// against its usage, in the transaction that inserts it
	bindRequests(app, c.Payouts, c.PayoutCreator, tb.checkPayoutRequest)
	bindRequests(app, c.Refunds, c.RefundRequester, tb.checkRefundRequest)
	bindSupport(app)
	bindContent(app)
}

// bindPlatformRoutes binds their DRF API routes.
func bindPlatformRoutes(public, authed group) {
	route(only(authed, c.RoleAdmin), "/audit-log/", map[string]handler{http.MethodGet: auditList})
	bindPayoutRoutes(authed)
	bindRefundRoutes(authed)
	bindSupportRoutes(authed)
	bindContentRoutes(public)
}
