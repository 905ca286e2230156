package hooks

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// TestStatsCommand: `toolbase stats` prints the numbers the routes answer.
func TestStatsCommand(t *testing.T) {
	t.Parallel()
	w := newWorkload(t)
	run := func(args ...string) (string, error) {
		cmd := w.tb.newStatsCommand(w.app)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(args)
		err := cmd.Execute()
		return out.String(), err
	}
	out, err := run("--from", "2026-02-20", "--to", "2026-04-05", "--interval", "week")
	if err != nil {
		t.Fatal(err)
	}
	var admin PlatformStatsBody
	getJSON(t, w.base+"/api/tools/usage/stats/"+rangeQuery("week", "2026-02-20", "2026-04-05"), fx.admin.auth, &admin)
	for _, want := range []string{
		fmt.Sprintf("platform, %s to %s by week", admin.Range.From, admin.Range.To),
		fmt.Sprintf("total_uses      %d", admin.TotalUses),
		fmt.Sprintf("points_spent    %d", admin.PointsSpent),
		fmt.Sprintf("platform_fees   %d", admin.PlatformFees),
		fmt.Sprintf("new_users       %d", admin.NewUsers),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stats output lacks %q:\n%s", want, out)
		}
	}
	for _, p := range admin.Series {
		line := fmt.Sprintf("%s  %d", p.Period, p.Uses)
		if !strings.Contains(out, line) {
			t.Errorf("stats output lacks bucket %q:\n%s", line, out)
		}
	}
	for _, tt := range admin.TopTools {
		if !strings.Contains(out, tt.Tool) {
			t.Errorf("stats output lacks top tool %s", tt.Tool)
		}
	}

	out, err = run("--tool", fx.active, "--from", "2026-03-01", "--to", "2026-03-31", "--interval", "month")
	if err != nil {
		t.Fatal(err)
	}
	var tool ToolStatsBody
	getJSON(t, w.base+"/api/tools/tools/"+fx.active+"/stats/"+rangeQuery("month", "2026-03-01", "2026-03-31"), fx.creator.auth, &tool)
	for _, want := range []string{
		fmt.Sprintf("total_uses (lifetime)      %d", tool.TotalUses),
		fmt.Sprintf("unique_users               %d", tool.UniqueUsers),
		fmt.Sprintf("creator_earnings           %d", tool.CreatorEarnings),
		fmt.Sprintf("2026-03-01  %d", tool.Series[0].Uses),
		tool.RecentUsage[0].UserEmail,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stats --tool output lacks %q:\n%s", want, out)
		}
	}

	for _, args := range [][]string{
		{"--from", "2026-04-01", "--to", "2026-03-01"},
		{"--from", "soon"},
		{"--interval", "year"},
		{"--tool", "nosuchtool"},
		{"extra"},
	} {
		if _, err := run(args...); err == nil {
			t.Errorf("stats %v: no error", args)
		}
	}
}

// TestBenchSeedCommand: the bench's hidden seeder records real, ledgered
// uses spread over the past days, and refuses to run unconfirmed.
func TestBenchSeedCommand(t *testing.T) {
	t.Parallel()
	app, tb := newTestBase(t)
	run := func(args ...string) (string, error) {
		cmd := tb.newStatsCommand(app)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(append([]string{"bench-seed"}, args...))
		err := cmd.Execute()
		return out.String(), err
	}
	ids := "--tools=" + fx.active + "," + fx.other
	users := "--users=" + fx.client.id + "," + fx.client2.id
	if _, err := run(ids, users, "--rows=10", "--days=5"); err == nil {
		t.Fatal("bench-seed ran without --" + benchSeedConfirm)
	}
	if _, err := run("--tools=nope", users, "--rows=10", "--days=5", "--"+benchSeedConfirm); err == nil {
		t.Fatal("bench-seed ran with an unknown tool")
	}
	if count(t, app, c.ToolUsage, nil) != 0 {
		t.Fatal("a refused bench-seed wrote usage")
	}
	out, err := run(ids, users, "--rows=60", "--days=6", "--"+benchSeedConfirm)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "bench-seed: 60 uses of 2 tools by 2 users over 6 days") {
		t.Errorf("output: %s", out)
	}
	if n := count(t, app, c.ToolUsage, nil); n != 60 {
		t.Errorf("%d usage rows", n)
	}
	// spread over the past 6 days, oldest first, ledger rows dated with their usage
	var days int
	app.DB().NewQuery("SELECT COUNT(DISTINCT substr(created_at, 1, 10)) FROM tool_usage").Row(&days)
	if days < 6 {
		t.Errorf("uses on %d days", days)
	}
	if n := count(t, app, c.PointTransactions, dbx.NewExp(
		"usage != '' AND created_at != (SELECT u.created_at FROM tool_usage u WHERE u.id = usage)")); n != 0 {
		t.Errorf("%d ledger rows dated apart from their usage", n)
	}
	mustVerify(t, app)
	mustMatchEarnings(t, app)
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
