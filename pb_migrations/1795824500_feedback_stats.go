package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Issue 6, reviews and statistics:
//   - opens tool_feedback writes to their authors through the records API (a
//     record hook checks the reviewer and keeps the tools' rating counters
//     exact on every surface);
//   - adds tool_usage.creator_earning, the creator's EARNING for the use,
//     copied from the ledger in the use's transaction (a record hook), and
//     fills it for the usage recorded so far;
//   - adds the indexes that let every statistics query walk an index range
//     without touching a table row.
func init() {
	m.Register(func(app core.App) error {
		feedback, err := app.FindCollectionByNameOrId("tool_feedback")
		if err != nil {
			return err
		}
		feedback.CreateRule = types.Pointer(`@request.auth.id != "" && (@request.body.user:isset = false || @request.body.user = @request.auth.id)`)
		feedback.UpdateRule = types.Pointer(`@request.auth.id != "" && user = @request.auth.id && @request.body.tool:changed = false && @request.body.user:changed = false`)
		feedback.DeleteRule = types.Pointer(`@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN")`)
		if err := app.Save(feedback); err != nil {
			return err
		}

		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		earning := points("creator_earning", 0)
		earning.Help = "The creator's earning from this use (its EARNING ledger row); computed by toolbase."
		usage.Fields.AddAt(len(usage.Fields)-2, earning)
		if err := app.Save(usage); err != nil {
			return err
		}
		if _, err := app.DB().NewQuery(`UPDATE tool_usage SET creator_earning = COALESCE((SELECT SUM(pt.amount)
			FROM point_transactions pt WHERE pt.usage = tool_usage.id AND pt.kind = 'EARNING'), 0)`).Execute(); err != nil {
			return err
		}

		for _, ix := range statsIndexes {
			col, err := app.FindCollectionByNameOrId(ix.collection)
			if err != nil {
				return err
			}
			col.AddIndex(ix.name, false, ix.columns, "")
			if err := app.Save(col); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
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
		usage, err := app.FindCollectionByNameOrId("tool_usage")
		if err != nil {
			return err
		}
		usage.Fields.RemoveByName("creator_earning")
		if err := app.Save(usage); err != nil {
			return err
		}
		feedback, err := app.FindCollectionByNameOrId("tool_feedback")
		if err != nil {
			return err
		}
		feedback.CreateRule, feedback.UpdateRule, feedback.DeleteRule = nil, nil, nil
		return app.Save(feedback)
	})
}

// statsIndexes cover the columns the statistics read, so that each aggregate
// walks an index range and never touches a table row: usage by time (the
// platform), usage by tool and time (a tool, a creator's tools), a user's
// use of a tool (may it review it), ledger rows by kind and time (points
// granted), users by sign-up time (new users).
var statsIndexes = []struct{ collection, name, columns string }{
	{"tool_usage", "idx_usage_created_stats", "`created_at`, `user`, `points_spent`"},
	{"tool_usage", "idx_usage_tool_stats", "`tool`, `created_at`, `user`, `points_spent`, `creator_earning`"},
	{"tool_usage", "idx_usage_user_tool", "`user`, `tool`"},
	{"point_transactions", "idx_ledger_kind_created", "`kind`, `created_at`, `amount`"},
	{"users", "idx_users_created", "`created_at`"},
}
