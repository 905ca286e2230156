package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// Site content: pages and announcements, public once published, written by
// admins. Every write is audited by the model hooks in audit.go.

func bindContent(app core.App) {
	stamp := func(e *core.RecordEvent) error {
		if e.Record.GetString(c.PageKind) == "" {
			e.Record.Set(c.PageKind, c.PageKindPage)
		}
		// the last writer, whatever the body claims (a superuser is no user)
		if who := actorOf(e.Record); who.role != c.ActorSuperuser {
			e.Record.Set(c.PageUpdatedBy, who.id)
		} else {
			e.Record.Set(c.PageUpdatedBy, "")
		}
		return e.Next()
	}
	app.OnRecordCreate(c.SitePages).BindFunc(stamp)
	app.OnRecordUpdate(c.SitePages).BindFunc(stamp)
}
