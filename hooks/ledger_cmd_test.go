package hooks

import (
	"errors"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
)

// ledger verify fails (ErrLedgerBroken, which makes the binary exit 1) naming
// the user whose balance was changed behind the ledger's back.
func TestLedgerVerifyCommand(t *testing.T) {
	t.Parallel()
	emails := []string{fx.admin.email, fx.creator.email, fx.creator2.email, fx.client.email, fx.client2.email}
	for _, tc := range []struct {
		name, sql, email string
	}{
		{"points_balance raised", "UPDATE users SET points_balance = points_balance + 7 WHERE email = {:email}", fx.client2.email},
		{"points_balance lowered", "UPDATE users SET points_balance = points_balance - 1 WHERE email = {:email}", fx.client.email},
		{"total_revenue raised", "UPDATE users SET total_revenue = total_revenue + 3 WHERE email = {:email}", fx.creator.email},
		{"total_payouts raised", "UPDATE users SET total_payouts = total_payouts + 3 WHERE email = {:email}", fx.creator2.email},
		{"points granted to an admin", "UPDATE users SET points_balance = 50 WHERE email = {:email}", fx.admin.email},
		{"ledger row removed", "DELETE FROM point_transactions WHERE kind = 'GRANT' AND user = (SELECT id FROM users WHERE email = {:email})", fx.client2.email},
		{"ledger row changed", "UPDATE point_transactions SET amount = amount + 1 WHERE kind = 'GRANT' AND user = (SELECT id FROM users WHERE email = {:email})", fx.client.email},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := rulesApp(t)
			out, err := runCommand(t, app, "ledger", "verify")
			if err != nil || !strings.Contains(out, "ledger verify: OK (6 users, 6 ledger rows, 2 usages)") {
				t.Fatalf("verify before tampering: %v\n%s", err, out)
			}
			if _, err := app.DB().NewQuery(tc.sql).Bind(dbx.Params{"email": tc.email}).Execute(); err != nil {
				t.Fatal(err)
			}
			out, err = runCommand(t, app, "ledger", "verify")
			if !errors.Is(err, ErrLedgerBroken) {
				t.Fatalf("verify after tampering: err %v, want ErrLedgerBroken\n%s", err, out)
			}
			if !strings.Contains(out, "problem(s)") || !strings.Contains(out, "user "+tc.email+" (") {
				t.Errorf("the report should name %s:\n%s", tc.email, out)
			}
			for _, e := range emails {
				if e != tc.email && strings.Contains(out, e) {
					t.Errorf("the report names %s, which is intact:\n%s", e, out)
				}
			}
		})
	}
}
