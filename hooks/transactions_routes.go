package hooks

import (
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

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
	return listing{collection: c.PointTransactions, show: each(showTransaction)}.
		list(e, dbx.HashExp{c.PointTransactions + "." + c.TxUser: user})
}
