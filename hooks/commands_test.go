package hooks

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// runCommand executes one of toolbase's CLI commands (args[0] names it) on app
// the way the binary does, and returns what it printed.
func runCommand(t testing.TB, app core.App, args ...string) (string, error) {
	t.Helper()
	for _, cmd := range Commands(app, testConfig()) {
		if cmd.Name() != args[0] {
			continue
		}
		var out bytes.Buffer
		cmd.SetArgs(args[1:])
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		err := cmd.Execute()
		return out.String(), err
	}
	t.Fatalf("no command %q", args[0])
	return "", nil
}

// freshApp is an app on a brand-new data directory: PocketBase's system
// migrations only, none of toolbase's, as `./toolbase seed` finds it.
func freshApp(t testing.TB) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.ClearBootstrap() })
	Register(app, testConfig())
	return app
}

// seed --demo works on a brand-new data directory (it applies the migrations
// itself) and a second run creates nothing.
func TestSeedDemoTwice(t *testing.T) {
	t.Parallel()
	app := freshApp(t)
	if _, err := app.FindCollectionByNameOrId(c.Tools); err == nil {
		t.Fatal("the fresh data directory already has the schema")
	}
	if out, err := runCommand(t, app, "seed"); err == nil {
		t.Errorf("seed without --demo succeeded:\n%s", out)
	}

	out, err := runCommand(t, app, "seed", "--demo")
	if err != nil {
		t.Fatalf("seed --demo: %v\n%s", err, out)
	}
	want := len(demoUsers) + len(demoTools)
	if !strings.Contains(out, "seed --demo: "+strconv.Itoa(want)+" record(s) created") {
		t.Errorf("first run should report %d records:\n%s", want, out)
	}
	for _, d := range demoUsers {
		if !strings.Contains(out, d.email) || !strings.Contains(out, d.password) {
			t.Errorf("the logins list lacks %s:\n%s", d.email, out)
		}
	}
	users, tools, rows := count(t, app, c.Users, nil), count(t, app, c.Tools, nil), count(t, app, c.PointTransactions, nil)
	if users != len(demoUsers) || tools != len(demoTools) {
		t.Fatalf("after seeding: %d users, %d tools; want %d, %d", users, tools, len(demoUsers), len(demoTools))
	}

	out, err = runCommand(t, app, "seed", "--demo")
	if err != nil {
		t.Fatalf("second seed --demo: %v\n%s", err, out)
	}
	if !strings.Contains(out, "seed --demo: 0 record(s) created") {
		t.Errorf("second run should create nothing:\n%s", out)
	}
	if u, tl, r := count(t, app, c.Users, nil), count(t, app, c.Tools, nil), count(t, app, c.PointTransactions, nil); u != users || tl != tools || r != rows {
		t.Errorf("second run: %d users, %d tools, %d ledger rows; want %d, %d, %d", u, tl, r, users, tools, rows)
	}

	// every demo user once, with its points granted once through the ledger
	for _, d := range demoUsers {
		u, err := app.FindAuthRecordByEmail(c.Users, d.email)
		if err != nil {
			t.Fatalf("%s: %v", d.email, err)
		}
		if got := u.GetString(c.UserRole); got != d.role {
			t.Errorf("%s: role %s, want %s", d.email, got, d.role)
		}
		if got := u.GetInt64(c.UserPointsBalance); got != d.points {
			t.Errorf("%s: %d points, want %d", d.email, got, d.points)
		}
		grants := count(t, app, c.PointTransactions, dbx.HashExp{c.TxUser: u.Id, c.TxKind: c.KindGrant})
		if wantGrants := int(min(d.points, 1)); grants != wantGrants {
			t.Errorf("%s: %d GRANT rows, want %d", d.email, grants, wantGrants)
		}
		if !u.ValidatePassword(d.password) {
			t.Errorf("%s: the printed password does not log in", d.email)
		}
	}
	for _, d := range demoTools {
		if n := count(t, app, c.Tools, dbx.HashExp{c.ToolName: d.name, c.ToolStatus: c.StatusActive}); n != 1 {
			t.Errorf("%d active tools %q", n, d.name)
		}
	}

	out, err = runCommand(t, app, "ledger", "verify")
	if err != nil {
		t.Fatalf("ledger verify after seeding: %v\n%s", err, out)
	}
	if want := "ledger verify: OK (6 users, 3 ledger rows, 0 usages)"; !strings.Contains(out, want) {
		t.Errorf("ledger verify printed %q, want %q", out, want)
	}
}

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

// stats --tool takes a tool's id or exact name; a default range never
// reaches past today.
func TestStatsCommandToolAndRange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	seedUsage(t, app)
	name := c.AsTool(findTool(t, app, fx.other)).Name()
	for _, arg := range []string{fx.other, name} {
		out, err := runCommand(t, app, "stats", "--tool", arg, "--from", "2025-01-01", "--to", "2025-01-31")
		if err != nil {
			t.Fatalf("stats --tool %q: %v\n%s", arg, err, out)
		}
		if !strings.Contains(out, "tool "+name+" ("+fx.other+")") {
			t.Errorf("stats --tool %q printed another tool:\n%s", arg, out)
		}
	}
	// two tools of one name: the id is needed
	dup := core.NewRecord(findTool(t, app, fx.other).Collection())
	dup.Set(c.ToolName, name)
	dup.Set(c.ToolCreator, fx.creator.id)
	if err := app.Save(dup); err != nil {
		t.Fatal(err)
	}
	if out, err := runCommand(t, app, "stats", "--tool", name); err == nil || !strings.Contains(err.Error(), "2 tools are named") {
		t.Errorf("stats --tool of an ambiguous name: %v\n%s", err, out)
	}
	if out, err := runCommand(t, app, "stats", "--tool", "no such tool"); err == nil || !strings.Contains(err.Error(), `no tool with id or name "no such tool"`) {
		t.Errorf("stats --tool of an unknown tool: %v\n%s", err, out)
	}

	now := time.Now().UTC()
	today, weeksAgo := now.Format(dateLayout), now.AddDate(0, 0, -20).Format(dateLayout)
	for _, interval := range []string{"day", "week", "month"} {
		for _, args := range [][]string{{"--interval", interval}, {"--interval", interval, "--from", weeksAgo}} {
			out, err := runCommand(t, app, append([]string{"stats"}, args...)...)
			if err != nil {
				t.Fatalf("stats %q: %v\n%s", args, err, out)
			}
			if want := " to " + today + " by " + interval; !strings.Contains(out, want) {
				t.Errorf("stats %q should end today (%q):\n%.200s", args, want, out)
			}
		}
	}
}
