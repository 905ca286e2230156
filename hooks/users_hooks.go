package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// bindUsers binds the users' record hooks.
func bindUsers(app core.App) {
	app.OnRecordUpdateRequest(c.Users).BindFunc(dropForbiddenUserFields)
}

// dropForbiddenUserFields makes a records API edit of a user ignore a role the
// caller may not set, as update_me ignores read-only fields, instead of
// refusing the whole edit: only an admin (or a superuser) changes a role, and
// never its own. (Balances are kept by the users guard on every save but
// toolbase's own; a superuser's balance edit becomes an ADJUSTMENT.) The role
// changes that remain are audited by the users model hook.
func dropForbiddenUserFields(e *core.RecordRequestEvent) error {
	if !e.HasSuperuserAuth() {
		mayRole := e.Auth != nil && e.Auth.Collection().Name == c.Users &&
			e.Auth.GetString(c.UserRole) == c.RoleAdmin && e.Auth.Id != e.Record.Id
		if !mayRole {
			e.Record.Set(c.UserRole, e.Record.Original().GetString(c.UserRole))
		}
	}
	return e.Next()
}
