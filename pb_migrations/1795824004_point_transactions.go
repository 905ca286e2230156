package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Creates point_transactions: the append-only ledger behind every balance.
func init() {
	m.Register(func(app core.App) error {
		ids, err := collectionIDs(app, "users", "tool_usage")
		if err != nil {
			return err
		}

		ledger := core.NewBaseCollection("point_transactions")
		ledger.Fields.Add(
			relation("user", ids["users"], true),
			&core.SelectField{Name: "account", Values: []string{"points", "revenue"}, MaxSelect: 1, Required: true},
			&core.SelectField{Name: "kind", Values: []string{"GRANT", "DEDUCT", "USAGE", "EARNING", "REFUND", "PAYOUT", "ADJUSTMENT"}, MaxSelect: 1, Required: true, Presentable: true},
			&core.NumberField{Name: "amount", OnlyInt: true, Required: true, Presentable: true,
				Min: types.Pointer(-float64(1e+12)), Max: types.Pointer(float64(1e+12))},
			points("balance_after", 0),
			relation("usage", ids["tool_usage"], false),
			relation("actor", ids["users"], false),
			&core.TextField{Name: "note", Max: 500},
		)
		ledger.Fields.Add(timestamps()...)

		ledger.AddIndex("idx_ledger_user_created", false, "`user`, `created_at`", "")
		ledger.AddIndex("idx_ledger_usage", false, "`usage`", "`usage` != ''")

		ledger.ListRule = types.Pointer(`@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN")`)
		ledger.ViewRule = types.Pointer(`@request.auth.id != "" && (user = @request.auth.id || @request.auth.role = "ADMIN")`)

		return app.Save(ledger)
	}, deleteCollection("point_transactions"))
}
