package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// transactionView is a ledger row as the DRF API shows it.
type transactionView struct {
	ID           string `json:"id"`
	User         string `json:"user"`
	Account      string `json:"account"`
	Kind         string `json:"kind"`
	Amount       int64  `json:"amount"`
	BalanceAfter int64  `json:"balance_after"`
	Usage        any    `json:"usage"`
	Actor        any    `json:"actor"`
	Note         string `json:"note"`
	CreatedAt    any    `json:"created_at"`
}

func showTransaction(r *core.Record) any {
	tx := c.AsTransaction(r)
	return transactionView{
		ID:           r.Id,
		User:         tx.User(),
		Account:      tx.Account(),
		Kind:         tx.Kind(),
		Amount:       tx.Amount(),
		BalanceAfter: tx.BalanceAfter(),
		Usage:        nullIfEmpty(tx.Usage()),
		Actor:        nullIfEmpty(tx.Actor()),
		Note:         tx.Note(),
		CreatedAt:    rfc3339(r.GetDateTime(c.FieldCreatedAt)),
	}
}
