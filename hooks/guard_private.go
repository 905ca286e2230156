package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// privateField is a field that some of the users who may read a record are
// not shown. It is the one table of such fields: the records API and
// realtime strip them from responses (hidePrivateFields), and the filter
// guard (rules_filterguard.go) refuses them in filters, sorts and
// subscription filters of everyone who is not shown them on every record,
// since a field that can be compared can be read one answer at a time.
//
// Fields marked Hidden in the schema (tools.signing_secret,
// tool_api_keys.key_hash and previous_key_hash, users.password and
// tokenKey) are private to superusers: PocketBase strips them and the
// guard refuses them too.
type privateField struct {
	collection, field string
	// shownTo tells whether auth, neither a superuser nor an admin (nil for a
	// guest), is shown the field of rec. Superusers and admins see every
	// private field, and only they may filter or sort on one.
	shownTo func(auth, rec *core.Record) bool
}

var privateFields = []privateField{
	// the payer's balance after the use and its Idempotency-Key: the payer's
	// own business, not the tool creator's (who sees the usage of its tools)
	{c.ToolUsage, c.UsageRemainingPoints, isUsagePayer},
	{c.ToolUsage, c.UsageIdempotencyKey, isUsagePayer},
	// the creator's share of the price: the tool's side, not the payer's
	{c.ToolUsage, c.UsageCreatorEarning, func(auth, rec *core.Record) bool { return !isUsagePayer(auth, rec) }},
	// an admin's reason for sending a tool back or suspending it: for its
	// creator, not for the clients who see the tool once it is ACTIVE again
	{c.Tools, c.ToolModerationNote, isToolCreator},
}

func isToolCreator(auth, rec *core.Record) bool {
	return auth != nil && auth.Id == rec.GetString(c.ToolCreator)
}

// bindPrivateFields strips the private fields from every record the records
// API answers (expanded ones included) and every realtime message, for each
// collection of the table.
func bindPrivateFields(app core.App) {
	seen := map[string]bool{}
	for _, p := range privateFields {
		if seen[p.collection] {
			continue
		}
		seen[p.collection] = true
		app.OnRecordEnrich(p.collection).BindFunc(func(e *core.RecordEnrichEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			hidePrivateFields(e.RequestInfo, e.Record)
			return nil
		})
	}
}

func isUsagePayer(auth, rec *core.Record) bool {
	return auth != nil && auth.Id == rec.GetString(c.UsageUser)
}

// isPrivateField tells whether the field of the collection is in the table.
func isPrivateField(collection, field string) bool {
	for _, p := range privateFields {
		if p.collection == collection && p.field == field {
			return true
		}
	}
	return false
}

// seesPrivateFields tells whether the caller sees every private field of
// every record it may read: superusers and admins.
func seesPrivateFields(auth *core.Record) bool {
	if auth == nil {
		return false
	}
	return auth.IsSuperuser() || auth.GetString(c.UserRole) == c.RoleAdmin
}

// shownPrivateField is the value of rec's private field as reader (nil:
// nobody) is shown it: "" when the table keeps it from reader. For the DRF
// views, which show a private field as a plain string.
func shownPrivateField(reader, rec *core.Record, field string) string {
	if !seesPrivateFields(reader) {
		for _, p := range privateFields {
			if p.collection == rec.Collection().Name && p.field == field && !p.shownTo(reader, rec) {
				return ""
			}
		}
	}
	return rec.GetString(field)
}

// hidePrivateFields hides from rec the private fields its reader (info may
// be nil: no reader) is not shown.
func hidePrivateFields(info *core.RequestInfo, rec *core.Record) {
	var auth *core.Record
	if info != nil {
		auth = info.Auth
	}
	if seesPrivateFields(auth) {
		return
	}
	name := rec.Collection().Name
	for _, p := range privateFields {
		if p.collection == name && !p.shownTo(auth, rec) {
			rec.Hide(p.field)
		}
	}
}
