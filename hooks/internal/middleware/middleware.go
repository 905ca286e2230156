// Package middleware binds router middlewares for toolbase's packages (hooks and
// its operations sub-packages), the one way they all do it.
package middleware

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Bind binds fn, under id and at priority, as a middleware of the
// router of every server that app starts (a serve hook of the same id binds
// it when the server starts, since the router exists only then).
func Bind(app core.App, id string, priority int, fn func(e *core.RequestEvent) error) {
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Id: id,
		Func: func(se *core.ServeEvent) error {
			se.Router.Bind(&hook.Handler[*core.RequestEvent]{Id: id, Priority: priority, Func: fn})
			return se.Next()
		},
	})
}
