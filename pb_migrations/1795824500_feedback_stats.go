package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Opens tool_feedback writes to their authors through the records API (a
// record hook keeps the tools' rating counters exact on every surface), and
// adds the indexes that keep the statistics queries off full table scans:
// platform-wide ranges of usage, ledger rows by kind and users by sign-up
// date, and the "has this user used this tool" check of a review.
func init() {
	m.Register(func(app core.App) error {
		feedback, err := app.FindCollectionByNameOrId(c.ToolFeedback)
		if err != nil {
			return err
		}
		feedback.CreateRule = types.Pointer(c.FeedbackCreateRule)
		feedback.UpdateRule = types.Pointer(c.FeedbackUpdateRule)
		feedback.DeleteRule = types.Pointer(c.FeedbackDeleteRule)
		if err := app.Save(feedback); err != nil {
			return err
		}

		for _, ix := range statsIndexes {
			col, err := app.FindCollectionByNameOrId(ix.collection)
			if err != nil {
				return err
			}
			col.AddIndex(ix.name, false, ix.columns, ix.where)
			if err := app.Save(col); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		feedback, err := app.FindCollectionByNameOrId(c.ToolFeedback)
		if err != nil {
			return err
		}
		feedback.CreateRule, feedback.UpdateRule, feedback.DeleteRule = nil, nil, nil
		if err := app.Save(feedback); err != nil {
			return err
		}
		for _, ix := range statsIndexes {
			col, err := app.FindCollectionByNameOrId(ix.collection)
			if err != nil {
				return err
			}
			col.RemoveIndex(ix.name)
			if err := app.Save(col); err != nil {
				return err
			}
		}
		return nil
	})
}

// statsIndexes cover the columns the statistics read, so that each aggregate
// is an index range walk that never touches a table row: usage by time (the
// platform), by tool and time (a tool, a creator's tools; id joins the
// ledger), a user's use of a tool (may it review it), the ledger rows of a
// usage, ledger rows by kind and time (points granted), users by sign-up.
var statsIndexes = []struct{ collection, name, columns, where string }{
	{c.ToolUsage, "idx_usage_created_stats", "`created_at`, `user`, `points_spent`", ""},
	{c.ToolUsage, "idx_usage_tool_stats", "`tool`, `created_at`, `user`, `points_spent`, `id`", ""},
	{c.ToolUsage, "idx_usage_user_tool", "`user`, `tool`", ""},
	{c.PointTransactions, "idx_ledger_usage_kind", "`usage`, `kind`, `user`, `amount`", "`usage` != ''"},
	{c.PointTransactions, "idx_ledger_kind_created", "`kind`, `created_at`, `amount`", ""},
	{c.Users, "idx_users_created", "`created_at`", ""},
}
