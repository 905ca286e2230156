package hooks

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// storedNote reads a tool's moderation note straight from the database.
func storedNote(t *testing.T, app core.App, id string) string {
	t.Helper()
	tool, err := app.FindRecordById(c.Tools, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.AsTool(tool).ModerationNote()
}

// lastToolAudit is the newest tool.status audit row of a tool.
func lastToolAudit(t *testing.T, app core.App, id string) *core.Record {
	t.Helper()
	rows, err := app.FindRecordsByFilter(c.AuditLog, "action = 'tool.status' && target = {:target}", "-created_at,-id", 1, 0,
		dbx.Params{"target": "tools/" + id})
	if err != nil || len(rows) == 0 {
		t.Fatalf("no tool.status audit row of %s: %v", id, err)
	}
	return rows[0]
}

// An admin sends a tool back to DRAFT with a reason in one call of the DRF
// route: the move, the note and the audit row together. Its creator sees the
// note, cannot write it, and clears it by submitting the tool again; a note
// without a move is refused.
func TestModerationNoteDRF(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	path := "/api/tools/tools/" + fx.pending + "/"
	const reason = "The documentation link is broken: fix it and submit again."

	status, body := builtinCall(t, base, http.MethodPatch, path, fx.admin.auth, map[string]any{"status": c.StatusDraft, "moderation_note": reason})
	if status != 200 || body["status"] != c.StatusDraft || body["moderation_note"] != reason {
		t.Fatalf("admin sends back with a reason: %d %v", status, body)
	}
	if got := storedNote(t, app, fx.pending); got != reason {
		t.Errorf("stored note %q", got)
	}
	row := lastToolAudit(t, app, fx.pending)
	if row.GetString(c.AuditBefore) != `{"status":"PENDING"}` || row.GetString(c.AuditAfter) != `{"moderation_note":"`+reason+`","status":"DRAFT"}` ||
		row.GetString(c.AuditActor) != fx.admin.id {
		t.Errorf("audit row: before %s after %s by %s", row.GetString(c.AuditBefore), row.GetString(c.AuditAfter), row.GetString(c.AuditActor))
	}

	// the creator reads it, on the detail and on its own tools
	if status, body := builtinCall(t, base, http.MethodGet, path, fx.creator.auth, nil); status != 200 || body["moderation_note"] != reason {
		t.Errorf("creator's view: %d %v", status, body["moderation_note"])
	}
	// the creator's own write of it is ignored, the rest of its edit saved
	status, body = builtinCall(t, base, http.MethodPatch, path, fx.creator.auth, map[string]any{"moderation_note": "All fine!", "version": "1.0.1"})
	if status != 200 || body["moderation_note"] != reason || body["version"] != "1.0.1" {
		t.Errorf("creator writes the note: %d %v", status, body)
	}
	// an admin's note without a status move is refused
	status, body = builtinCall(t, base, http.MethodPatch, path, fx.admin.auth, map[string]any{"moderation_note": "Another thought."})
	if status != 400 || body["moderation_note"] == nil {
		t.Errorf("a note without a move: %d %v", status, body)
	}
	if got := storedNote(t, app, fx.pending); got != reason {
		t.Errorf("stored note %q after the refusals", got)
	}
	// submitting again clears it
	status, body = builtinCall(t, base, http.MethodPatch, path, fx.creator.auth, map[string]any{"status": c.StatusPending})
	if status != 200 || body["moderation_note"] != "" || storedNote(t, app, fx.pending) != "" {
		t.Errorf("submitted again: %d %v", status, body)
	}

	// suspending a live tool with a reason; approving it again clears the reason
	active := "/api/tools/tools/" + fx.active + "/"
	if status, body := builtinCall(t, base, http.MethodPatch, active, fx.admin.auth, map[string]any{"status": c.StatusSuspended, "moderation_note": "Reported as spam."}); status != 200 || body["moderation_note"] != "Reported as spam." {
		t.Fatalf("suspend with a reason: %d %v", status, body)
	}
	if status, body := builtinCall(t, base, http.MethodPatch, active, fx.admin.auth, map[string]any{"status": c.StatusActive}); status != 200 || body["moderation_note"] != "" {
		t.Errorf("reinstated: %d %v", status, body)
	}
	if row := lastToolAudit(t, app, fx.active); row.GetString(c.AuditBefore) != `{"moderation_note":"Reported as spam.","status":"SUSPENDED"}` || row.GetString(c.AuditAfter) != `{"status":"ACTIVE"}` {
		t.Errorf("reinstatement audit: before %s after %s", row.GetString(c.AuditBefore), row.GetString(c.AuditAfter))
	}
	// a creator's note on create is ignored too
	status, body = builtinCall(t, base, http.MethodPost, "/api/tools/tools/", fx.creator.auth, map[string]any{"name": "Fresh", "moderation_note": "self-approved"})
	if status != 201 || body["moderation_note"] != "" {
		t.Errorf("creator's create with a note: %d %v", status, body)
	}
}

// The records API: the same rules, and the privacy of the note. A client
// who can see a tool never reads its note (the DRF views and the records
// API strip it) nor asks about it in a filter or a sort; its creator and
// admins read it.
func TestModerationNoteRecordsAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	rec := "/api/collections/tools/records/"

	status, body := builtinCall(t, base, http.MethodPatch, rec+fx.pending, fx.admin.auth, map[string]any{"status": c.StatusDraft, "moderation_note": "Too vague."})
	if status != 200 || body[c.ToolModerationNote] != "Too vague." {
		t.Fatalf("admin's move with a note: %d %v", status, body)
	}
	if row := lastToolAudit(t, app, fx.pending); row.GetString(c.AuditAfter) != `{"moderation_note":"Too vague.","status":"DRAFT"}` {
		t.Errorf("audit after %s", row.GetString(c.AuditAfter))
	}
	status, body = builtinCall(t, base, http.MethodPatch, rec+fx.pending, fx.creator.auth, map[string]any{"moderation_note": "", "description": "Now precise."})
	if status != 200 || body[c.ToolModerationNote] != "Too vague." || body[c.ToolDescription] != "Now precise." {
		t.Errorf("creator clears the note: %d %v", status, body)
	}
	if status, body := builtinCall(t, base, http.MethodPatch, rec+fx.pending, fx.admin.auth, map[string]any{"moderation_note": "Changed my mind."}); status != 400 {
		t.Errorf("admin's note without a move: %d %v", status, body)
	}
	if got := storedNote(t, app, fx.pending); got != "Too vague." {
		t.Errorf("stored note %q", got)
	}

	// an ACTIVE tool that carries a note (written behind the hooks' back):
	// what each reader is shown
	if _, err := app.DB().Update(c.Tools, dbx.Params{c.ToolModerationNote: "internal remark"}, dbx.HashExp{c.FieldID: fx.active}).Execute(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who   fixtureUser
		shown bool
	}{{fx.client, false}, {fx.creator2, false}, {fx.creator, true}, {fx.admin, true}} {
		_, drf := builtinCall(t, base, http.MethodGet, "/api/tools/tools/"+fx.active+"/", tc.who.auth, nil)
		_, view := builtinCall(t, base, http.MethodGet, rec+fx.active, tc.who.auth, nil)
		_, search := builtinCall(t, base, http.MethodGet, "/api/collections/tools/records?filter="+url.QueryEscape(`id = "`+fx.active+`"`)+"&expand=", tc.who.auth, nil)
		items, _ := search["items"].([]any)
		var listed map[string]any
		if len(items) == 1 {
			listed, _ = items[0].(map[string]any)
		}
		note, inView := view[c.ToolModerationNote]
		_, inList := listed[c.ToolModerationNote]
		if tc.shown {
			if drf["moderation_note"] != "internal remark" || note != "internal remark" || !inList {
				t.Errorf("%s: the note is not shown: drf %v, view %v, list %v", tc.who.email, drf["moderation_note"], note, listed)
			}
		} else if drf["moderation_note"] != "" || inView || inList {
			t.Errorf("%s is shown the note: drf %v, view %v, list %v", tc.who.email, drf["moderation_note"], view, listed)
		}
		// through a usage's tool, expanded
		_, usage := builtinCall(t, base, http.MethodGet, "/api/collections/tool_usage/records?expand=tool", tc.who.auth, nil)
		for _, it := range usage["items"].([]any) {
			if tool, ok := it.(map[string]any)["expand"].(map[string]any)["tool"].(map[string]any); ok && tool["id"] == fx.active {
				if _, in := tool[c.ToolModerationNote]; in != tc.shown {
					t.Errorf("%s: expanded tool shows the note: %t", tc.who.email, in)
				}
			}
		}
	}
	// filters and sorts: refused to everyone but admins
	for _, q := range []string{"filter=" + url.QueryEscape(`moderation_note ~ "internal"`), "sort=moderation_note",
		"filter=" + url.QueryEscape(`moderation_note != ""`)} {
		for _, who := range []fixtureUser{fx.client, fx.creator} {
			if status, body := builtinCall(t, base, http.MethodGet, "/api/collections/tools/records?"+q, who.auth, nil); status != 400 {
				t.Errorf("%s asks %s: %d %v", who.email, q, status, body)
			}
		}
		if status, _ := builtinCall(t, base, http.MethodGet, "/api/collections/tools/records?"+q, fx.admin.auth, nil); status != 200 {
			t.Errorf("admin asks %s: %d", q, status)
		}
	}
	// through a usage's tool relation, too
	if status, _ := builtinCall(t, base, http.MethodGet, "/api/collections/tool_usage/records?filter="+url.QueryEscape(`tool.moderation_note != ""`), fx.client.auth, nil); status != 400 {
		t.Errorf("client filters usage on tool.moderation_note: %d", status)
	}
}
