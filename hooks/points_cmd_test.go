package hooks

import (
	"errors"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	c "toolbase/collections"
)

func TestPointsCommands(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	email := fx.client.email
	rows := func() int { return count(t, app, c.PointTransactions, nil) }
	rows0 := rows()

	out, err := runCommand(t, app, "points", "add", email, "250", "--reason", "welcome bonus")
	if err != nil {
		t.Fatalf("points add: %v\n%s", err, out)
	}
	if want := email + " now has 1250 points"; !strings.Contains(out, want) {
		t.Errorf("points add printed %q, want %q", out, want)
	}
	grant, err := app.FindFirstRecordByFilter(c.PointTransactions, "user = {:u} && note = 'welcome bonus'", dbx.Params{"u": fx.client.id})
	if err != nil {
		t.Fatalf("no GRANT row with the reason: %v", err)
	}
	if tx := c.AsTransaction(grant); tx.Kind() != c.KindGrant || tx.Amount() != 250 || tx.BalanceAfter() != 1250 || tx.Account() != c.AccountPoints {
		t.Errorf("GRANT row: kind %s amount %d balance_after %d account %s", tx.Kind(), tx.Amount(), tx.BalanceAfter(), tx.Account())
	}

	out, err = runCommand(t, app, "points", "deduct", email, "1000", "--reason", "chargeback")
	if err != nil {
		t.Fatalf("points deduct: %v\n%s", err, out)
	}
	if want := email + " now has 250 points"; !strings.Contains(out, want) {
		t.Errorf("points deduct printed %q, want %q", out, want)
	}
	deduct, err := app.FindFirstRecordByFilter(c.PointTransactions, "user = {:u} && kind = 'DEDUCT'", dbx.Params{"u": fx.client.id})
	if err != nil {
		t.Fatal(err)
	}
	if tx := c.AsTransaction(deduct); tx.Amount() != -1000 || tx.BalanceAfter() != 250 || tx.Note() != "chargeback" {
		t.Errorf("DEDUCT row: amount %d balance_after %d note %q", tx.Amount(), tx.BalanceAfter(), tx.Note())
	}
	if got := rows(); got != rows0+2 {
		t.Fatalf("%d ledger rows, want %d", got, rows0+2)
	}
	mustVerify(t, app)

	// refused: nothing written
	out, err = runCommand(t, app, "points", "deduct", email, "251", "--reason", "too much")
	if !errors.Is(err, ErrInsufficientPoints) || !strings.Contains(err.Error(), "only 250 available") {
		t.Errorf("deducting below zero: err %v, want ErrInsufficientPoints saying what is available\n%s", err, out)
	}
	for _, args := range [][]string{
		{"add", email, "abc"},
		{"add", email, "0"},
		{"add", email, "1.5"},
		{"add", email, "-5"},
		{"deduct", email, "--", "-5"},
		{"add", email, "1000000001"},
		{"add", email, "99999999999999999999"},
		{"add", email, ""},
		{"add", email},
		{"add", "nobody@test.example", "5"},
		{"add", email, "5", "--reason", strings.Repeat("r", c.MaxNoteChars+1)},
	} {
		if out, err := runCommand(t, app, append([]string{"points"}, args...)...); err == nil {
			t.Errorf("points %q succeeded:\n%s", args, out)
		}
	}
	if got := rows(); got != rows0+2 {
		t.Errorf("%d ledger rows after refused commands, want %d", got, rows0+2)
	}
	if got := balance(t, app, fx.client.id); got != 250 {
		t.Errorf("balance %d after refused commands, want 250", got)
	}
	mustVerify(t, app)
}

// points add/deduct: a reason is required, negative amounts are refused with
// a message saying so, and the audit rows name the CLI and the OS user.
func TestPointsCommandsRefuseAndAudit(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	email := fx.client.email
	rows0 := count(t, app, c.PointTransactions, nil)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"add", email, "5"}, "--reason is required"},
		{[]string{"add", email, "5", "--reason", "   "}, "--reason is required"},
		{[]string{"deduct", email, "5"}, "--reason is required"},
		{[]string{"add", email, "-5", "--reason", "x"}, "negative amounts are refused (-5): to take points away use `points deduct EMAIL N`"},
		{[]string{"deduct", email, "-5", "--reason", "x"}, "negative amounts are refused (-5): N is the positive number of points to deduct"},
		{[]string{"add", email, "--reason", "x", "--", "-5"}, "negative amounts are refused (-5)"},
		{[]string{"add", email, "0", "--reason", "x"}, "N must be at least 1 point"},
		{[]string{"add", email, "1000000001", "--reason", "x"}, "N is too large"},
		{[]string{"add", email, "99999999999999999999", "--reason", "x"}, "N is too large"},
		{[]string{"deduct", email, "1001", "--reason", "x"}, "cannot deduct 1001 points from " + email + ": only 1000 available"},
	} {
		out, err := runCommand(t, app, append([]string{"points"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("points %q: err %v, want one line with %q\n%s", tc.args, err, tc.want, out)
		}
	}
	if got := count(t, app, c.PointTransactions, nil); got != rows0 {
		t.Fatalf("%d ledger rows after refused commands, want %d", got, rows0)
	}

	for _, args := range [][]string{{"add", email, "30", "--reason", "goodwill"}, {"deduct", email, "10", "--reason", "fee"}} {
		if out, err := runCommand(t, app, append([]string{"points"}, args...)...); err != nil {
			t.Fatalf("points %q: %v\n%s", args, err, out)
		}
	}
	actor := cliActor()
	if !strings.HasPrefix(actor.email, "cli:") || len(actor.email) == len("cli:") {
		t.Fatalf("cli actor %q, want cli:<os user>", actor.email)
	}
	for _, action := range []string{"points.grant", "points.deduct"} {
		rows, err := app.FindAllRecords(c.AuditLog, dbx.HashExp{c.AuditAction: action, c.AuditTarget: c.Users + "/" + fx.client.id, c.AuditActorRole: ActorCLI})
		if err != nil || len(rows) != 1 {
			t.Fatalf("%d %s audit rows (err %v), want 1", len(rows), action, err)
		}
		a := c.AsAudit(rows[0])
		if a.ActorEmail() != actor.email || a.ActorRole() != ActorCLI || a.Actor() != "" {
			t.Errorf("%s audit: actor %q email %q role %q, want \"\" %q %q", action, a.Actor(), a.ActorEmail(), a.ActorRole(), actor.email, ActorCLI)
		}
	}
	mustVerify(t, app)
}
