package hooks

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	osuser "os/user"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// The audit log: one append-only row per admin action (who, what, to what,
// when, the state before and after), written in the same transaction as the
// action itself, so that an action without its row (or a row without its
// action) cannot exist.
//
// Where the action is a record change, a model hook writes the row, whatever
// surface made the change (DRF route, records API, dashboard, CLI):
//   - users.role changes ("user.role"), and users created with a role other
//     than CLIENT;
//   - tools.status changes ("tool.status", with the moderation note the move
//     wrote or cleared), except a creator moving its own tool,
//     and tools created by someone with a status past review (ACTIVE, INACTIVE,
//     SUSPENDED: "tool.status" from null);
//   - GRANT, DEDUCT and ADJUSTMENT ledger rows ("points.grant", "points.deduct",
//     "points.adjust"), with the ledger row's actor (postAudited);
//   - site_pages writes, support_tickets changes and ticket_messages by admins.
// A model hook cannot see the request, so the actor reaches it with the save:
// the records API's request hooks attach the caller (superusers included); a
// DRF route saves with saveAs(app, e.Auth, rec) or marks the record with
// actingAs(rec, e.Auth). Routes whose action is not a record change (payout
// and refund decisions) call audit themselves, inside their transaction.

// actorInfo identifies who acted: a user, a superuser, or nobody (toolbase
// itself or the CLI).
type actorInfo struct {
	id, email, role string
}

// ActorCLI is the actor_role of a change made with toolbase's CLI; its
// actor_email is "cli:" and the OS user who ran it.
const ActorCLI = "CLI"

// cliActor describes the CLI as an actor: "cli:<os user>".
func cliActor() actorInfo {
	name := ""
	if u, err := osuser.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = cmp.Or(os.Getenv("USER"), os.Getenv("USERNAME"), "unknown")
	}
	return actorInfo{email: "cli:" + name, role: ActorCLI}
}

// actorInfoOf describes a users or _superusers record (nil: nobody).
func actorInfoOf(r *core.Record) actorInfo {
	if r == nil {
		return actorInfo{}
	}
	if r.Collection().Name == core.CollectionNameSuperusers {
		return actorInfo{id: r.Id, email: r.Email(), role: c.ActorSuperuser}
	}
	return actorInfo{id: r.Id, email: r.Email(), role: r.GetString(c.UserRole)}
}

// isStaff reports whether the actor is an admin, a superuser or toolbase
// itself: whose changes are admin actions.
func (a actorInfo) isStaff() bool {
	return a.id == "" || a.role == c.RoleAdmin || a.role == c.ActorSuperuser
}

// actorStash is the key under which a record carries its actor (custom record
// data: never stored, never shown).
const actorStash = "@toolbase.actor"

// actingAs marks rec as saved or deleted by actor, for the model hooks that
// audit the change.
func actingAs(rec, actor *core.Record) {
	rec.SetRaw(actorStash, actorInfoOf(actor))
}

// saveAs saves rec as changed by actor.
func saveAs(app core.App, actor, rec *core.Record) error {
	actingAs(rec, actor)
	return app.Save(rec)
}

// deleteAs deletes rec as removed by actor.
func deleteAs(app core.App, actor, rec *core.Record) error {
	actingAs(rec, actor)
	return app.Delete(rec)
}

// actorOf returns who made a change, from the record's mark, or nobody.
func actorOf(rec *core.Record) actorInfo {
	if rec != nil {
		if a, ok := rec.GetRaw(actorStash).(actorInfo); ok {
			return a
		}
	}
	return actorInfo{}
}

// audit appends an audit row: actor (a users or _superusers record, nil for
// toolbase itself) did action (e.g. "payout.mark_paid") to target
// ("collection/id"), with the state before and after (any JSON value, or nil).
// Call it with the transaction of the action, so both commit or neither.
func audit(app core.App, actor *core.Record, action, target string, before, after any) error {
	return writeAudit(app, actorInfoOf(actor), action, target, before, after)
}

func writeAudit(app core.App, who actorInfo, action, target string, before, after any) error {
	col, err := app.FindCachedCollectionByNameOrId(c.AuditLog)
	if err != nil {
		return err
	}
	row := core.NewRecord(col)
	row.Set(c.AuditActor, who.id)
	row.Set(c.AuditActorEmail, who.email)
	row.Set(c.AuditActorRole, who.role)
	row.Set(c.AuditAction, action)
	row.Set(c.AuditTarget, target)
	for field, v := range map[string]any{c.AuditBefore: before, c.AuditAfter: after} {
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("audit %s: encoding %s: %w", action, field, err)
		}
		row.Set(field, types.JSONRaw(raw))
	}
	if err := ledger.SaveSystem(app, row); err != nil {
		return fmt.Errorf("audit %s of %s: %w", action, target, err)
	}
	return nil
}

// targetOf names a record in the audit log.
func targetOf(r *core.Record) string { return r.Collection().Name + "/" + r.Id }

// fieldsOf returns the named fields of r as a JSON-ready map.
func fieldsOf(r *core.Record, fields ...string) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		out[f] = r.Get(f)
	}
	return out
}

// equalValues reports whether two field values encode alike.
func equalValues(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// auditedNext runs the rest of a record save or delete and appends its audit
// row in one transaction; before is taken now, after once the write is done.
func auditedNext(e *core.RecordEvent, action string, before any, after func() any) error {
	outer := e.App
	defer func() { e.App = outer }()
	return outer.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if err := e.Next(); err != nil {
			return err
		}
		var a any
		if after != nil {
			a = after()
		}
		return writeAudit(tx, actorOf(e.Record), action, targetOf(e.Record), before, a)
	})
}

// postAudited posts an admin point change to the ledger with its audit row,
// in one transaction: ledger.Post moves the money, and each GRANT, DEDUCT or
// ADJUSTMENT entry gets its audit row ("points.grant", …) with the balance
// before and after and the ledger row's id. The actor is by when it is no
// users record (a superuser, the CLI), else the entry's Actor (a user id),
// else toolbase itself. Other kinds are posted without an audit row.
// ledger.Post audits nothing: every admin point change (the points routes and
// command, a superuser's balance edit, the demo seed) posts through here. It
// returns the balances after each entry, or ledger.ErrInsufficient and writes
// nothing.
func postAudited(app core.App, by actorInfo, entries ...ledger.Entry) ([]int64, error) {
	after := make([]int64, len(entries))
	err := app.RunInTransaction(func(tx core.App) error {
		posted, err := ledger.Post(tx, entries...)
		if err != nil {
			return err
		}
		for i, e := range entries {
			after[i] = posted[i].BalanceAfter
			if err := auditPoints(tx, by, e, posted[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return after, nil
}

// auditPoints appends the audit row of a posted entry that is an admin (or
// CLI) point change, in its transaction; other entries are not audited.
func auditPoints(tx core.App, by actorInfo, e ledger.Entry, row ledger.Posted) error {
	action := pointsActions[e.Kind]
	if action == "" {
		return nil
	}
	who := actorInfo{id: e.Actor}
	if by != (actorInfo{}) {
		who = by
	} else if who.id != "" {
		if actor, err := tx.FindRecordById(c.Users, who.id); err == nil {
			who = actorInfoOf(actor)
		}
	}
	return writeAudit(tx, who, action, c.Users+"/"+e.User,
		map[string]any{e.Account: row.BalanceAfter - e.Amount},
		map[string]any{e.Account: row.BalanceAfter, c.TxAmount: e.Amount, c.TxNote: e.Note, "ledger_row": row.ID})
}
