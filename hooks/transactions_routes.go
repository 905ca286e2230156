package hooks

import (
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// transactionView is a ledger row as the seed API shows it.
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

// nullIfEmpty shows an unset relation as null, as DRF does.
func nullIfEmpty(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// newestFirst orders by creation, ties broken by insertion order (both are
// in the (user, created_at) index, whose entries end with the rowid).
func newestFirst(table string) []string {
	return []string{"[[" + table + "." + c.FieldCreatedAt + "]] DESC", "[[" + table + ".rowid]] DESC"}
}

func bindTransactionRoutes(authed group) {
	route(authed, "/users/users/me/transactions/", map[string]handler{
		http.MethodGet: func(e *core.RequestEvent) error { return listTransactions(e, e.Auth.Id) },
	})
	route(authed, "/users/users/{id}/transactions/", map[string]handler{
		// admins read anyone's ledger; others only their own (another user is 404)
		http.MethodGet: func(e *core.RequestEvent) error {
			user, err := findVisible(e, c.Users, e.Request.PathValue("id"))
			if err != nil {
				return err
			}
			return listTransactions(e, user.Id)
		},
	})
}

// listTransactions answers a page of user's ledger, newest first, through the
// ledger's list rule.
func listTransactions(e *core.RequestEvent, user string) error {
	build := func() (*dbx.SelectQuery, error) {
		q, err := listQuery(e, c.PointTransactions)
		if err != nil {
			return nil, err
		}
		return q.AndWhere(dbx.HashExp{c.PointTransactions + "." + c.TxUser: user}), nil
	}
	return paginate(e, build, newestFirst(c.PointTransactions), each(showTransaction))
}
