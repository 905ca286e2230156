// Command toolbase is the marketplace backend: PocketBase's CLI and server with
// toolbase's schema, hooks, routes and commands.
package main

import (
	"embed"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"strings"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/pocketbase/pocketbase/tools/hook"

	"toolbase/hooks"
	"toolbase/hooks/metrics"
	"toolbase/hooks/ratelimit"
	"toolbase/hooks/replica"
	_ "toolbase/pb_migrations"
)

// The landing page and API docs ship inside the binary.
//
//go:embed all:pb_public
var public embed.FS

func main() {
	// `restore` runs before PocketBase, whose bootstrap would create a database in --dir
	if replica.IsRestore(os.Args) {
		cmd := replica.RestoreCommand()
		cmd.SetArgs(os.Args[2:])
		cmd.SilenceErrors = true
		if err := cmd.Execute(); err != nil {
			fmt.Fprintln(os.Stderr, errorLine(err))
			os.Exit(1)
		}
		return
	}

	// the configuration is read once, here, and passed to what needs it
	cfg, err := hooks.LoadConfig()
	if err != nil {
		log.Fatal(err)
	}
	app := pocketbase.NewWithConfig(pocketbase.Config{
		DataMaxOpenConns: hooks.DataMaxOpenConns,
		DataMaxIdleConns: hooks.DataMaxIdleConns,
		// replicating, Litestream's connection commits too: writers lock at BEGIN
		DBConnect: hooks.DBConnect(os.Getenv(replica.EnvURL) != "", cfg.DurableCommits),
	})

	// schema changes are hand-written Go migrations; a dashboard edit must not
	// drop generated files next to the binary
	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{Automigrate: false})
	hooks.Register(app, cfg)
	app.RootCmd.AddCommand(hooks.Commands(app, cfg)...)
	// rate limits, metrics, continuous replication
	ratelimit.Bind(app)
	metrics.Bind(app)
	if err := replica.Bind(app); err != nil {
		log.Fatal(err)
	}
	app.RootCmd.AddCommand(replica.RestoreCommand()) // listed in --help; run above

	static, err := fs.Sub(public, "pb_public")
	if err != nil {
		log.Fatal(err)
	}
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(se *core.ServeEvent) error {
			if !se.Router.HasRoute(http.MethodGet, "/{path...}") {
				se.Router.GET("/{path...}", apis.Static(static, false))
			}
			return se.Next()
		},
		Priority: 999, // after every other route
	})

	// profiling for `make bench` investigations; never expose it beyond loopback
	if addr := os.Getenv("TOOLBASE_PPROF_ADDR"); addr != "" {
		go func() { log.Println(http.ListenAndServe(addr, nil)) }()
	}

	if err := app.Start(); err != nil {
		// a command's error is one line on stderr, without a log timestamp
		fmt.Fprintln(os.Stderr, errorLine(err))
		os.Exit(1)
	}
}

// errorLine is how the binary reports a failed command: "Error: " and the
// error on one line (joined errors and multi-line messages are folded).
func errorLine(err error) string {
	return "Error: " + strings.Join(strings.Fields(err.Error()), " ")
}
