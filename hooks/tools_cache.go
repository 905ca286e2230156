package hooks

import (
	"database/sql"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// visibleTool returns tool id for the use route, from the tools cache, if
// auth (a users record) may see it by the tools view rule,
// collections.ToolsViewRule: an ACTIVE tool, one's own, or any for an admin;
// sql.ErrNoRows if not (the records API's 404). It spares the use a query
// joining the caller's role. Where the collection's rule is not that one
// (changed in the dashboard), it returns fallback's answer: the rule
// evaluated by the caller. Money never depends on the cache: the use's
// transaction checks the tool's status itself (ledger.ErrToolNotUsable).
func (tb *toolbase) visibleTool(app core.App, auth *core.Record, id string, fallback func() (*core.Record, error)) (*core.Record, error) {
	if auth == nil || auth.Collection().Name != c.Users {
		return fallback()
	}
	col, err := app.FindCachedCollectionByNameOrId(c.Tools)
	if err != nil {
		return nil, err
	}
	if col.ViewRule == nil || *col.ViewRule != c.ToolsViewRule {
		return fallback()
	}
	tool, err := tb.tools.Get(app, id)
	if err != nil {
		return nil, err
	}
	if !toolVisible(tool, auth) {
		return nil, sql.ErrNoRows
	}
	return tool, nil
}

// toolVisible is collections.ToolsViewRule for a signed-in user.
func toolVisible(tool, auth *core.Record) bool {
	return auth.Id != "" && (tool.GetString(c.ToolStatus) == c.StatusActive ||
		tool.GetString(c.ToolCreator) == auth.Id || auth.GetString(c.UserRole) == c.RoleAdmin)
}
