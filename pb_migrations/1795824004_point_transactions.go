package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	c "toolbase/collections"
)

// Creates point_transactions: the append-only ledger behind every balance.
func init() {
	m.Register(func(app core.App) error {
		ids, err := collectionIDs(app, c.Users, c.ToolUsage)
		if err != nil {
			return err
		}

		ledger := core.NewBaseCollection(c.PointTransactions)
		ledger.Fields.Add(
			relation(c.TxUser, ids[c.Users], true),
			&core.SelectField{Name: c.TxAccount, Values: []string{c.AccountPoints, c.AccountRevenue}, MaxSelect: 1, Required: true},
			&core.SelectField{Name: c.TxKind, Values: c.Kinds, MaxSelect: 1, Required: true, Presentable: true},
			&core.NumberField{Name: c.TxAmount, OnlyInt: true, Required: true, Presentable: true,
				Min: types.Pointer(-float64(c.MaxPoints)), Max: types.Pointer(float64(c.MaxPoints))},
			points(c.TxBalanceAfter, 0),
			relation(c.TxUsage, ids[c.ToolUsage], false),
			relation(c.TxActor, ids[c.Users], false),
			&core.TextField{Name: c.TxNote, Max: c.MaxNoteChars},
		)
		ledger.Fields.Add(timestamps()...)

		ledger.AddIndex("idx_ledger_user_created", false, "`user`, `created_at`", "")
		ledger.AddIndex("idx_ledger_usage", false, "`usage`", "`usage` != ''")

		ledger.ListRule = types.Pointer(c.TransactionsViewRule)
		ledger.ViewRule = types.Pointer(c.TransactionsViewRule)

		return app.Save(ledger)
	}, deleteCollection(c.PointTransactions))
}
