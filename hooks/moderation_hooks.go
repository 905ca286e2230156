package hooks

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// A tool's moderation note (tools.moderation_note) is an admin's reason for
// sending the tool back to DRAFT or suspending it. It is written in the same
// save as the status move (one call, one transaction: the move, the note and
// the "tool.status" audit row commit together), on every surface: the DRF
// route PATCH /api/tools/tools/{id}/, the records API, batch, the dashboard.
//
//   - Only staff (admins, superusers, toolbase itself) write it: anyone else's
//     value is ignored, as the guards ignore server-owned fields.
//   - Staff write it only together with a status move: a changed note on a
//     save that keeps the status is refused (400 on moderation_note).
//   - A move to ACTIVE (approved, reinstated, resumed) or PENDING (submitted
//     again) clears it.
//
// It is shown to the tool's creator and admins only: the privateFields table
// (guard_private.go) strips it from everyone else's records API answers and
// realtime messages and keeps it out of their filters and sorts; the DRF
// views show it to the same readers (toolView).

// msgNoteWithoutMove refuses a note written without a status move.
const msgNoteWithoutMove = "A moderation note is written together with a status move (to DRAFT or SUSPENDED)."

func bindModeration(app core.App) {
	app.OnRecordCreate(c.Tools).BindFunc(func(e *core.RecordEvent) error {
		settleModerationNote(e.Record, "", "")
		return e.Next()
	})
	app.OnRecordUpdate(c.Tools).BindFunc(func(e *core.RecordEvent) error {
		original := e.Record.Original()
		settleModerationNote(e.Record, original.GetString(c.ToolStatus), original.GetString(c.ToolModerationNote))
		return e.Next()
	})
	app.OnRecordValidate(c.Tools).BindFunc(func(e *core.RecordEvent) error {
		if !e.Record.IsNew() {
			original := e.Record.Original()
			if e.Record.GetString(c.ToolModerationNote) != original.GetString(c.ToolModerationNote) &&
				e.Record.GetString(c.ToolStatus) == original.GetString(c.ToolStatus) {
				return validation.Errors{c.ToolModerationNote: validation.NewError("toolbase_note_without_move", msgNoteWithoutMove)}
			}
		}
		return e.Next()
	})
}

// settleModerationNote applies the note's rules to rec, a tool moving from
// status wasStatus with note wasNote ("" and "" for a new tool).
func settleModerationNote(rec *core.Record, wasStatus, wasNote string) {
	if !actorOf(rec).isStaff() {
		rec.Set(c.ToolModerationNote, wasNote)
	}
	if status := rec.GetString(c.ToolStatus); status != wasStatus && (status == c.StatusActive || status == c.StatusPending) {
		rec.Set(c.ToolModerationNote, "")
	}
}
