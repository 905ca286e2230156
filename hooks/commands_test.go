package hooks

import (
	"bytes"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// runCommand executes one of toolbase's CLI commands (args[0] names it) on app
// the way the binary does, and returns what it printed.
func runCommand(t testing.TB, app core.App, args ...string) (string, error) {
	t.Helper()
	for _, cmd := range Commands(app, testConfig()) {
		if cmd.Name() != args[0] {
			continue
		}
		var out bytes.Buffer
		cmd.SetArgs(args[1:])
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		err := cmd.Execute()
		return out.String(), err
	}
	t.Fatalf("no command %q", args[0])
	return "", nil
}

// freshApp is an app on a brand-new data directory: PocketBase's system
// migrations only, none of toolbase's, as `./toolbase seed` finds it.
func freshApp(t testing.TB) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.ClearBootstrap() })
	Register(app, testConfig())
	return app
}
