// Package testserve serves a PocketBase test app on 127.0.0.1 for tests
// that need a real HTTP server. It imports no toolbase package, so that the
// hooks package's own tests and the ops packages' tests (through opstest)
// share it.
package testserve

import (
	"net/http/httptest"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// Serve starts app's router, with its OnServe hooks run, on 127.0.0.1 and
// returns its base URL; the server stops when the test ends.
func Serve(t testing.TB, app *tests.TestApp) string {
	t.Helper()
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	se := &core.ServeEvent{App: app, Router: r}
	if err := app.OnServe().Trigger(se, func(*core.ServeEvent) error { return nil }); err != nil {
		t.Fatal(err)
	}
	mux, err := r.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}
