package hooks

import (
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	c "toolbase/collections"
)

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
