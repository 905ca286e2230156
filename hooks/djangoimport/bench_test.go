package djangoimport_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestImportMillionRows imports a generated dump of TOOLBASE_IMPORT_BENCH_ROWS
// usage rows (1000 users, 100 tools, a review per user) with the real binary
// and prints its time and peak RSS. It is not part of `make test`:
//
//	TOOLBASE_IMPORT_BENCH_ROWS=1000000 go test -run TestImportMillionRows -v -timeout 30m ./hooks/djangoimport/
func TestImportMillionRows(t *testing.T) {
	rows, _ := strconv.Atoi(os.Getenv("TOOLBASE_IMPORT_BENCH_ROWS"))
	if rows <= 0 {
		t.Skip("set TOOLBASE_IMPORT_BENCH_ROWS to run (e.g. 1000000)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "toolbase")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dump := filepath.Join(dir, "dump.json")
	if err := generateDump(dump, 1000, 100, rows); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(dump)
	t.Logf("dump: %d usage rows, %.0f MB", rows, float64(info.Size())/(1<<20))

	for _, args := range [][]string{{"--dry-run"}, {}, {}} {
		cmd := exec.Command(bin, append([]string{"import", "django", dump, "--dir", filepath.Join(dir, "pb_data")}, args...)...)
		started := time.Now()
		out, err := cmd.CombinedOutput()
		elapsed := time.Since(started)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
		t.Logf("import %v: %s, peak RSS %.1f MB, %.0f usage rows/s\n%s", args, elapsed.Round(time.Millisecond),
			float64(rss)/1024, float64(rows)/elapsed.Seconds(), firstLines(string(out), 16))
	}
	verify := exec.Command(bin, "ledger", "verify", "--dir", filepath.Join(dir, "pb_data"))
	started := time.Now()
	out, err := verify.CombinedOutput()
	if err != nil {
		t.Fatalf("ledger verify: %v\n%s", err, out)
	}
	t.Logf("ledger verify: %s (%s)", out, time.Since(started).Round(time.Millisecond))
}

// generateDump writes a dumpdata-shaped file (indented as --indent 2 would).
func generateDump(path string, users, tools, usage int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	sep := "[\n"
	row := func(model string, pk int, fields string) {
		fmt.Fprintf(w, "%s{\n  \"model\": %q,\n  \"pk\": %d,\n  \"fields\": {\n%s\n  }\n}", sep, model, pk, fields)
		sep = ",\n"
	}
	hash := "pbkdf2_sha256$260000$V1CA8cOJZLjnyWFy2SUrpv$k9m0h8D+tKqm6Od2FhkJd9jUXbcLiMhejJ8B6cdDPlE="
	at := "2026-01-01T00:00:00.000Z"
	for u := 1; u <= users; u++ {
		role := "CLIENT"
		if u <= tools/5 {
			role = "TOOL_CREATOR"
		}
		row("users.user", u, fmt.Sprintf(`    "password": %q, "last_login": null, "is_superuser": false, "username": "user%d",
    "first_name": "First", "last_name": "Last", "is_staff": false, "is_active": true, "date_joined": %q,
    "email": "user%d@example.org", "role": %q, "phone_number": null, "company_name": null, "bio": null, "avatar": "",
    "points_balance": %d, "api_key": null, "total_revenue": "0.00", "total_payouts": "0.00", "created_at": %q, "updated_at": %q,
    "groups": [], "user_permissions": []`, hash, u, at, u, role, 1000+u, at, at))
	}
	for u := 1; u <= users; u++ {
		row("users.userprofile", u, fmt.Sprintf(`    "user": %d, "website": null, "location": null, "skills": [], "email_notifications": true,
    "marketing_emails": false, "created_at": %q, "updated_at": %q`, u, at, at))
	}
	// the counters the platform would show for what follows
	uses, sums, counts := make([]int, tools+1), make([]int, tools+1), make([]int, tools+1)
	for g := 1; g <= usage; g++ {
		uses[g%tools+1]++
	}
	for u := tools/5 + 1; u <= users; u++ {
		sums[u%tools+1] += u%5 + 1
		counts[u%tools+1]++
	}
	for t := 1; t <= tools; t++ {
		avg := 0
		if counts[t] > 0 {
			avg = (sums[t]*200 + counts[t]) / (2 * counts[t])
		}
		row("tools.tool", t, fmt.Sprintf(`    "name": "Tool %d", "description": "Does thing", "category": "AI", "status": "ACTIVE",
    "creator": %d, "points_cost": %d, "api_endpoint": null, "api_documentation": null, "tags": ["demo"], "version": "1.0.0",
    "total_uses": %d, "total_revenue": "%d.00", "average_rating": "%d.%02d", "created_at": %q, "updated_at": %q`,
			t, t%(tools/5)+1, t%7, uses[t], uses[t]*(t%7), avg/100, avg%100, at, at))
	}
	// rows in the order of their ids, which is the order of their times, as
	// the platform's database gives them
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for g := 1; g <= usage; g++ {
		tool, user := g%tools+1, g%(users-tools/5)+tools/5+1
		row("tools.toolusage", g, fmt.Sprintf(`    "tool": %d, "user": %d,
    "input_data": {"text": "hello %d", "n": %d},
    "output_data": {"result": "Processed data from Tool %d", "status": "success"},
    "points_spent": %d, "execution_time": "00:00:00.100000", "success": true, "error_message": null,
    "created_at": %q`, tool, user, g, g%100, tool, tool%7, start.Add(time.Duration(g)*7*time.Second).Format("2006-01-02T15:04:05.000Z")))
	}
	for u := tools/5 + 1; u <= users; u++ {
		row("tools.toolfeedback", u, fmt.Sprintf(`    "tool": %d, "user": %d, "rating": %d, "comment": "", "is_public": true,
    "created_at": %q, "updated_at": %q`, u%tools+1, u, u%5+1, at, at))
	}
	fmt.Fprint(w, "\n]\n")
	return w.Flush()
}

func firstLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…\n")
	}
	return strings.Join(lines, "")
}
