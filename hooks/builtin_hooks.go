package hooks

import (
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/builtin"
)

// Built-in tools (hooks/builtin) are tools whose api_endpoint is a reserved
// address, https://builtin.invalid/<name>. Creators cannot register them:
// on every save of a tool, whatever the surface (DRF routes, records API,
// batch, dashboard), an api_endpoint newly set on the reserved host must come
// from an admin, a superuser or toolbase itself (seed --demo), and must name
// an existing built-in. A tool that already is a built-in keeps its address
// through its creator's other edits, and its creator may move it off the
// reserved host (to its own endpoint).

// builtinEndpointProblem says why actor may not set endpoint on a tool, or "".
func builtinEndpointProblem(actor actorInfo, endpoint string) string {
	if !builtin.Reserved(endpoint) {
		return ""
	}
	if !actor.isStaff() {
		return "Built-in tools (https://" + builtin.Host + "/…) are set up by admins: enter your tool's own https endpoint."
	}
	if _, err := builtin.Parse(endpoint); err != nil {
		msg := err.Error()
		return strings.ToUpper(msg[:1]) + msg[1:] + "."
	}
	return ""
}

func bindBuiltins(app core.App) {
	app.OnRecordValidate(c.Tools).BindFunc(func(e *core.RecordEvent) error {
		endpoint := c.AsTool(e.Record).APIEndpoint()
		if endpoint != e.Record.Original().GetString(c.ToolAPIEndpoint) {
			if msg := builtinEndpointProblem(actorOf(e.Record), endpoint); msg != "" {
				return validation.Errors{c.ToolAPIEndpoint: validation.NewError("toolbase_builtin", msg)}
			}
		}
		return e.Next()
	})
}
