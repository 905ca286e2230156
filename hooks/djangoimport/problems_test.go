package djangoimport_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	c "toolbase/collections"
	"toolbase/hooks/djangoimport"
	"toolbase/hooks/ledger"
)

// TestImportRefusesBrokenFiles: a truncated or corrupted dump is refused
// whole, with a message that says where and why, and nothing is written.
func TestImportRefusesBrokenFiles(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	good, err := os.ReadFile(filepath.Join(fixtureDir, "dumpdata.json"))
	if err != nil {
		t.Fatal(err)
	}
	corrupted := bytes.Clone(good)
	at := bytes.Index(corrupted, []byte(`"tools.toolusage"`)) + 30
	corrupted[at] = '}'
	for name, tc := range map[string]struct {
		content []byte
		want    string
	}{
		"truncated at the end":    {good[:len(good)-3], "truncated"},
		"truncated in a usage":    {good[:bytes.LastIndex(good, []byte(`"tools.toolusage"`))+40], "truncated"},
		"a byte changed":          {corrupted, "not valid JSON"},
		"not a list":              {[]byte(`{"model": "users.user"}`), "not a JSON list"},
		"empty":                   {nil, "the file is empty"},
		"garbage after the list":  {append(bytes.Clone(good), []byte("[]")...), "after the end of the list"},
		"a row without its model": {[]byte(`[{"pk": 1, "fields": {}}]`), `without "model"`},
		"fields not an object":    {[]byte(`[{"model": "users.user", "pk": 1, "fields": []}]`), `"fields" is not an object`},
	} {
		t.Run(name, func(t *testing.T) {
			for _, dry := range []bool{true, false} {
				_, err := djangoimport.Run(app, writeFile(t, "dump.json", tc.content), djangoimport.Options{DryRun: dry})
				var fe *djangoimport.FileError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing was imported") {
					t.Errorf("dry %v: %v, want a refusal saying %q", dry, err, tc.want)
				}
			}
		})
	}
	for _, table := range []string{"users", "tools", "tool_usage", "tool_feedback", "tool_api_keys", "point_transactions"} {
		if n := total(t, app, table); n != 0 {
			t.Errorf("%s: %d rows written", table, n)
		}
	}
}

// problemDump has one problem of each kind the import reports.
const problemDump = `[
{"model": "users.user", "pk": 1, "fields": {"password": "pbkdf2_sha256$10000$NaCl1234$ksTvsw/FYZwOIe0EgD03HrBnBzhx+AGhYk6mWidtzBQ=", "username": "ok", "email": "Ok@Example.org", "role": "TOOL_CREATOR", "is_active": true, "points_balance": 5, "total_revenue": "40.00", "total_payouts": "15.00", "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-02T00:00:00.000Z"}},
{"model": "users.user", "pk": 2, "fields": {"password": "!unusable", "username": "dup", "email": "ok@example.ORG", "role": "CLIENT", "points_balance": 0, "total_revenue": "0.00", "total_payouts": "0.00", "created_at": "2026-01-01T00:00:00.000Z"}},
{"model": "users.user", "pk": 3, "fields": {"password": "", "username": "neg", "email": "neg@example.org", "role": "CLIENT", "points_balance": -4, "total_revenue": "0.00", "total_payouts": "0.00", "created_at": "2026-01-01T00:00:00.000Z"}},
{"model": "users.user", "pk": 4, "fields": {"password": "argon2$argon2id$v=19$m=1,t=2,p=1$c2FsdA$aGFzaA", "username": "李雷", "email": "li@example.org", "role": "CLIENT", "is_active": false, "points_balance": 7, "total_revenue": "0.00", "total_payouts": "0.00", "created_at": "2026-01-01T00:00:00.000Z", "phone_number": "+33 1 23 45 67 89 00 11 22 33"}},
{"model": "users.user", "pk": 5, "fields": {"password": "!x", "username": "cents", "email": "cents@example.org", "role": "TOOL_CREATOR", "points_balance": 0, "total_revenue": "10.50", "total_payouts": "0.00", "created_at": "2026-01-01T00:00:00.000Z"}},
{"model": "auth.group", "pk": 1, "fields": {"name": "editors", "permissions": []}},
{"model": "tools.tool", "pk": 1, "fields": {"name": "T", "description": "", "category": "AI", "status": "ACTIVE", "creator": 1, "points_cost": 2, "api_endpoint": null, "api_documentation": "not a url", "tags": ["a"], "version": "1.0.0", "total_uses": 2, "total_revenue": "0.00", "average_rating": "4.00", "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z"}},
{"model": "tools.tool", "pk": 2, "fields": {"name": "Orphan", "category": "AI", "status": "ACTIVE", "creator": 99, "points_cost": 2, "created_at": "2026-01-01T00:00:00.000Z"}},
{"model": "tools.toolusage", "pk": 1, "fields": {"tool": 1, "user": 4, "input_data": {"a": 1}, "output_data": null, "points_spent": 2, "execution_time": "00:00:00.250000", "success": true, "error_message": null, "created_at": "2026-01-03T00:00:00.000Z"}},
{"model": "tools.toolusage", "pk": 2, "fields": {"tool": 1, "user": 99, "input_data": {}, "points_spent": 2, "success": true, "created_at": "2026-01-03T00:00:00.000Z"}},
{"model": "tools.toolusage", "pk": 3, "fields": {"tool": 1, "user": 4, "input_data": {}, "points_spent": 2, "success": false, "error_message": "boom", "created_at": "2026-01-03T00:00:00.000Z"}},
{"model": "tools.toolfeedback", "pk": 1, "fields": {"tool": 1, "user": 4, "rating": 4, "comment": "good", "is_public": true, "created_at": "2026-01-04T00:00:00.000Z", "updated_at": "2026-01-04T00:00:00.000Z"}},
{"model": "tools.toolfeedback", "pk": 2, "fields": {"tool": 1, "user": 4, "rating": 2, "comment": "again", "created_at": "2026-01-04T00:00:00.000Z"}},
{"model": "tools.toolapikey", "pk": 1, "fields": {"tool": 1, "user": 4, "key_name": "k", "api_key": "tk_DQv3otuaqufGfUH5-nXbCFQ6sCL2mEKAb9rqDq_EiGA", "is_active": true, "daily_limit": 10, "monthly_limit": 100, "daily_usage": 0, "monthly_usage": 0, "created_at": "2026-01-05T00:00:00.000Z", "last_used": null}},
{"model": "tools.toolapikey", "pk": 2, "fields": {"tool": 1, "user": 1, "key_name": "same", "api_key": "tk_DQv3otuaqufGfUH5-nXbCFQ6sCL2mEKAb9rqDq_EiGA", "is_active": true, "daily_limit": 10, "monthly_limit": 100, "daily_usage": 0, "monthly_usage": 0, "created_at": "2026-01-05T00:00:00.000Z"}},
{"model": "tools.toolapikey", "pk": 3, "fields": {"tool": 1, "user": 1, "key_name": "short", "api_key": "plain-old-key", "is_active": true, "daily_limit": 10, "monthly_limit": 100, "daily_usage": 0, "monthly_usage": 0, "created_at": "2026-01-05T00:00:00.000Z"}}
]`

// TestImportProblems: a dry run reports each problem with its JSON path and
// writes nothing; the real run imports the good rows, skips the bad ones
// (and the rows that refer to them), and the ledger verifies.
func TestImportProblems(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	path := writeFile(t, "dump.json", []byte(problemDump))
	want := map[string]string{ // path → part of its message
		"$[1].fields.email":             "the email of $[0] too, ignoring case",
		"$[2].fields.points_balance":    "negative balance -4",
		"$[3].fields.username":          `imported as "django_4"`,
		"$[3].fields.phone_number":      "cut to 20 characters",
		"$[4].fields.total_revenue":     "not a whole number of points",
		"$[5]":                          "unknown model auth.group",
		"$[6].fields.api_documentation": "dropped",
		"$[7].fields.creator":           "user 99 is not imported",
		"$[9].fields.user":              "user 99 is not imported",
		"$[12].fields.user":             "a second review of tool 1 by user 4",
		"$[14].fields.api_key":          "the same key as $[13]: a key collides",
		"$[15].fields.api_key":          "could never authenticate",
	}
	for _, dry := range []bool{true, false} {
		rep, err := djangoimport.Run(app, path, djangoimport.Options{DryRun: dry})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range rep.Problems {
			got[p.Path] += p.Msg
		}
		for path, msg := range want {
			if !strings.Contains(got[path], msg) {
				t.Errorf("dry %v: %s says %q, want %q", dry, path, got[path], msg)
			}
		}
		if !strings.Contains(strings.Join(rep.NeedReset, " "), "li@example.org") {
			t.Errorf("dry %v: the argon2 user is not listed as needing a reset: %v", dry, rep.NeedReset)
		}
		counts := map[string][3]int{"users.user": {2, 0, 3}, "tools.tool": {1, 0, 1}, "tools.toolusage": {2, 0, 1},
			"tools.toolfeedback": {1, 0, 1}, "tools.toolapikey": {1, 0, 2}, "auth.group": {0, 0, 1}}
		for model, n := range counts {
			if c := rep.Counts[model]; c.Imported != n[0] || c.Present != n[1] || c.Skipped != n[2] {
				t.Errorf("dry %v, %s: %+v, want imported/present/skipped %v", dry, model, c, n)
			}
		}
		if dry {
			for _, table := range []string{"users", "tools", "tool_usage", "point_transactions"} {
				if n := total(t, app, table); n != 0 {
					t.Fatalf("the dry run wrote %d rows to %s", n, table)
				}
			}
		}
	}
	mustVerify(t, app)
	// the creator: balances through OPENING rows (revenue 40 - payouts 15 pending)
	creator, err := app.FindFirstRecordByData(c.Users, c.FieldLegacyID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if creator.GetInt64(c.UserPointsBalance) != 5 || creator.GetInt64(c.UserTotalRevenue) != 40 || creator.GetInt64(c.UserTotalPayouts) != 15 {
		t.Errorf("creator balances: %v", creator.PublicExport())
	}
	// the imported failed use is history: charged on the platform, not refunded
	var failed struct {
		State   string `db:"state"`
		Success bool   `db:"success"`
		Err     string `db:"error_message"`
	}
	if err := app.DB().NewQuery("SELECT state, success, error_message FROM tool_usage WHERE legacy_id = 3").One(&failed); err != nil ||
		failed.State != c.StateSucceeded || failed.Success || failed.Err != "boom" {
		t.Errorf("failed usage: %+v %v", failed, err)
	}

	// the deactivated user cannot sign in on either API, nor use its key
	base := serve(t, app)
	li, err := app.FindFirstRecordByData(c.Users, c.FieldLegacyID, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !li.GetBool(c.UserDeactivated) {
		t.Fatal("is_active false was not carried")
	}
	li.SetPassword("a-new-password-1")
	if err := app.Save(li); err != nil {
		t.Fatal(err)
	}
	if status, _ := call(t, "POST", base+"/api/token/", map[string]string{"email": "li@example.org", "password": "a-new-password-1"}); status != 401 {
		t.Errorf("deactivated user: /api/token/ %d", status)
	}
	if status, _ := call(t, "POST", base+"/api/collections/users/auth-with-password", map[string]string{"identity": "li@example.org", "password": "a-new-password-1"}); status == 200 {
		t.Errorf("deactivated user: auth-with-password %d", status)
	}
	tool, _ := app.FindFirstRecordByData(c.Tools, c.FieldLegacyID, 1)
	if status, _ := call(t, "POST", base+"/api/tools/tools/"+tool.Id+"/use/", map[string]any{"input_data": map[string]any{}},
		"X-API-Key", "tk_DQv3otuaqufGfUH5-nXbCFQ6sCL2mEKAb9rqDq_EiGA"); status != 401 {
		t.Errorf("deactivated user's key: %d", status)
	}
	// the Django sha256 hash of the creator signs in
	if status, _ := call(t, "POST", base+"/api/token/", map[string]string{"email": "ok@example.org", "password": "correct horse"}); status != 200 {
		t.Errorf("creator's Django password: %d", status)
	}
	// the unusable password stays unusable
	if status, _ := call(t, "POST", base+"/api/token/", map[string]string{"email": "neg@example.org", "password": ""}); status == 200 {
		t.Errorf("an unusable password signed in")
	}
}

// TestImportResumes: an import stopped after the users and tools (here, a
// dump of those alone) goes on where it stopped; the ledger verifies at each
// step and nothing is imported twice.
func TestImportResumes(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	good, err := os.ReadFile(filepath.Join(fixtureDir, "dumpdata.json"))
	if err != nil {
		t.Fatal(err)
	}
	cut := bytes.Index(good, []byte(`{
  "model": "tools.toolusage"`))
	first := append(bytes.TrimRight(good[:cut], ",\n "), []byte("\n]\n")...)
	rep, err := djangoimport.Run(app, writeFile(t, "first.json", first), djangoimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts["tools.tool"].Imported != 6 || total(t, app, "tool_usage") != 0 {
		t.Fatalf("first part: %+v", rep.Counts)
	}
	mustVerify(t, app)
	rep, err = djangoimport.Run(app, filepath.Join(fixtureDir, "dumpdata.json"), djangoimport.Options{BatchSize: 7})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts["users.user"].Present != 9 || rep.Counts["tools.tool"].Present != 6 || rep.Counts["tools.toolusage"].Imported != 34 {
		t.Errorf("resumed: %+v", rep.Counts)
	}
	mustVerify(t, app)
	tool, _ := app.FindFirstRecordByData(c.Tools, c.FieldLegacyID, 4)
	if tool.GetInt64(c.ToolTotalUses) != 5 || tool.GetFloat(c.ToolAverageRating) != 3.5 {
		t.Errorf("tool 4 after the resumed import: %v", tool.PublicExport())
	}
}

// TestVerifyImportedUsage: ledger verify takes an imported usage for what it
// is (paid on the platform, no ledger rows), and still catches a usage that
// is not imported and has no debit, an imported one charged again, and an
// opening balance of an account that was not imported.
func TestVerifyImportedUsage(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	if _, err := djangoimport.Run(app, filepath.Join(fixtureDir, "dumpdata.json"), djangoimport.Options{}); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, app)
	var paid struct {
		ID    string `db:"id"`
		User  string `db:"user"`
		Spent int64  `db:"points_spent"`
	}
	if err := app.DB().NewQuery("SELECT id, user, points_spent FROM tool_usage WHERE points_spent > 0 LIMIT 1").One(&paid); err != nil {
		t.Fatal(err)
	}
	expect := func(what, want string) {
		t.Helper()
		problems, err := ledger.Verify(app)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(problems, "\n"), want) {
			t.Errorf("%s: verify says %v, want %q", what, problems, want)
		}
	}
	// not imported, then it is a paid usage without its debit
	if _, err := app.DB().Update(c.ToolUsage, dbx.Params{c.FieldLegacyID: 0}, dbx.HashExp{c.FieldID: paid.ID}).Execute(); err != nil {
		t.Fatal(err)
	}
	expect("a usage not imported without its debit", "usage "+paid.ID+" (points_spent")
	if _, err := app.DB().Update(c.ToolUsage, dbx.Params{c.FieldLegacyID: 999999}, dbx.HashExp{c.FieldID: paid.ID}).Execute(); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, app)
	// an imported usage charged again
	if _, err := ledger.Post(app, ledger.Entry{User: paid.User, Account: c.AccountPoints, Kind: c.KindGrant, Amount: paid.Spent},
		ledger.Entry{User: paid.User, Account: c.AccountPoints, Kind: c.KindUsage, Amount: -paid.Spent, Usage: paid.ID}); err != nil {
		t.Fatal(err)
	}
	expect("an imported usage debited", "usage "+paid.ID+" (points_spent")
}

// TestVerifyOpeningOfNonImported: an OPENING row belongs to an imported user.
func TestVerifyOpeningOfNonImported(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	users, _ := app.FindCollectionByNameOrId(c.Users)
	u := core_NewUser(t, app, users)
	if _, err := ledger.Post(app, ledger.Entry{User: u, Account: c.AccountPoints, Kind: c.KindOpening, Amount: 50}); err != nil {
		t.Fatal(err)
	}
	problems, err := ledger.Verify(app)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(problems, "\n"), "the user was not imported") {
		t.Errorf("verify says %v", problems)
	}
}
