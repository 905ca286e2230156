package djangoimport_test

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/djangoimport"
	"toolbase/hooks/ledger"
)

// TestImportFixture imports the dump the real platform made and shows that
// nobody notices the move: the same passwords sign in on both APIs (and the
// stored hash becomes PocketBase's), the same keys use the same tools,
// balances, revenue, counters and averages are the platform's, the ledger
// verifies, and a second import adds nothing.
func TestImportFixture(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	rows, passwords := readFixture(t)
	path := filepath.Join(fixtureDir, "dumpdata.json")

	rep, err := djangoimport.Run(app, path, djangoimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		if p.Level != djangoimport.LevelNote {
			t.Errorf("problem: %+v", p)
		}
	}
	perModel := map[string]int{}
	for _, r := range rows {
		perModel[r.Model]++
	}
	for model, n := range perModel {
		if got := rep.Counts[model]; got.InFile != n || got.Imported != n || got.Skipped != 0 {
			t.Errorf("%s: %+v, want %d imported", model, got, n)
		}
	}
	mustVerify(t, app)

	byPK := map[string]map[int64]*core.Record{}
	for _, col := range []string{c.Users, c.Tools, c.ToolAPIKeys} {
		recs, err := app.FindAllRecords(col, dbx.NewExp("legacy_id != 0"))
		if err != nil {
			t.Fatal(err)
		}
		byPK[col] = map[int64]*core.Record{}
		for _, r := range recs {
			byPK[col][r.GetInt64(c.FieldLegacyID)] = r
		}
	}

	// users: fields, balances through OPENING rows, the Django hash kept
	spentByTool := map[int64]int64{}
	for _, r := range rows {
		if r.Model == "tools.toolusage" {
			spentByTool[int64(r.Fields["tool"].(float64))] += int64(r.Fields["points_spent"].(float64))
		}
	}
	for _, r := range rows {
		switch r.Model {
		case "users.user":
			u := byPK[c.Users][r.PK]
			if u == nil {
				t.Fatalf("user %d not imported", r.PK)
			}
			f := r.Fields
			if u.Email() != f["email"] || u.GetString(c.UserUsername) != f["username"] || u.GetString(c.UserFirstName) != f["first_name"] ||
				u.GetString(c.UserLastName) != f["last_name"] || u.GetString(c.UserRole) != f["role"] {
				t.Errorf("user %d: %v, dump %v", r.PK, u.PublicExport(), f)
			}
			if got := u.GetDateTime(c.FieldCreatedAt).Time().Format("2006-01-02T15:04:05.000Z"); got != f["created_at"] {
				t.Errorf("user %d created_at %s, dump %s", r.PK, got, f["created_at"])
			}
			if u.GetInt64(c.UserPointsBalance) != int64(f["points_balance"].(float64)) ||
				fmt.Sprintf("%d.00", u.GetInt64(c.UserTotalRevenue)) != f["total_revenue"] ||
				fmt.Sprintf("%d.00", u.GetInt64(c.UserTotalPayouts)) != f["total_payouts"] {
				t.Errorf("user %d balances %d/%d/%d, dump %v/%v/%v", r.PK, u.GetInt64(c.UserPointsBalance), u.GetInt64(c.UserTotalRevenue),
					u.GetInt64(c.UserTotalPayouts), f["points_balance"], f["total_revenue"], f["total_payouts"])
			}
			if n := int64(f["points_balance"].(float64)); n > 0 {
				var opening int64
				if err := app.DB().NewQuery("SELECT amount FROM point_transactions WHERE user = {:u} AND kind = 'OPENING' AND account = 'points'").
					Bind(dbx.Params{"u": u.Id}).Row(&opening); err != nil || opening != n {
					t.Errorf("user %d: OPENING row %d (%v), want %d", r.PK, opening, err, n)
				}
			}
			if hash := u.GetString(c.UserPassword + ":hash"); hash != f["password"] {
				t.Errorf("user %d: stored hash %q, want Django's", r.PK, hash)
			}
		case "tools.tool":
			tool := byPK[c.Tools][r.PK]
			f := r.Fields
			if tool.GetString(c.ToolName) != f["name"] || tool.GetString(c.ToolStatus) != f["status"] || tool.GetString(c.ToolCategory) != f["category"] ||
				tool.GetString(c.ToolCreator) != byPK[c.Users][int64(f["creator"].(float64))].Id {
				t.Errorf("tool %d: %v, dump %v", r.PK, tool.PublicExport(), f)
			}
			if tool.GetInt64(c.ToolTotalUses) != int64(f["total_uses"].(float64)) ||
				fmt.Sprintf("%.2f", tool.GetFloat(c.ToolAverageRating)) != f["average_rating"] {
				t.Errorf("tool %d counters: uses %d, average %.2f; dump %v, %v", r.PK, tool.GetInt64(c.ToolTotalUses),
					tool.GetFloat(c.ToolAverageRating), f["total_uses"], f["average_rating"])
			}
			// gross revenue: the points its usage spent (the platform left it at 0.00)
			if tool.GetInt64(c.ToolTotalRevenue) != spentByTool[r.PK] {
				t.Errorf("tool %d total_revenue %d, want %d", r.PK, tool.GetInt64(c.ToolTotalRevenue), spentByTool[r.PK])
			}
		}
	}
	var usage struct {
		Input   string `db:"input_data"`
		Ms      int64  `db:"execution_time_ms"`
		Created string `db:"created_at"`
		Spent   int64  `db:"points_spent"`
	}
	if err := app.DB().NewQuery("SELECT input_data, execution_time_ms, created_at, points_spent FROM tool_usage WHERE legacy_id = 1").One(&usage); err != nil {
		t.Fatal(err)
	}
	if usage.Input != `{"text":"hello 0.2551","n":63}` || usage.Ms != 100 || usage.Created != "2026-12-06 23:13:39.123Z" {
		t.Errorf("usage 1: %+v", usage)
	}

	base := serve(t, app)

	// each user signs in with its Django password, on one API and then the
	// other; the first sign-in replaced the hash by PocketBase's
	k := 0
	for _, r := range rows {
		if r.Model != "users.user" {
			continue
		}
		email := r.Fields["email"].(string)
		password := passwords[email]
		viaToken := func() int {
			status, _ := call(t, "POST", base+"/api/token/", map[string]string{"email": email, "password": password})
			return status
		}
		viaPB := func() int {
			status, _ := call(t, "POST", base+"/api/collections/users/auth-with-password", map[string]string{"identity": email, "password": password})
			return status
		}
		first, second := viaToken, viaPB
		if k%2 == 1 {
			first, second = viaPB, viaToken
		}
		k++
		if status := first(); status != 200 {
			t.Errorf("%s: first login %d", email, status)
		}
		u, err := app.FindAuthRecordByEmail(c.Users, email)
		if err != nil {
			t.Fatal(err)
		}
		if hash := u.GetString(c.UserPassword + ":hash"); !strings.HasPrefix(hash, "$2") || !u.ValidatePassword(password) {
			t.Errorf("%s: the stored hash did not become bcrypt: %q", email, hash)
		}
		if status := second(); status != 200 {
			t.Errorf("%s: second login %d", email, status)
		}
		if status, _ := call(t, "POST", base+"/api/token/", map[string]string{"email": email, "password": password + "x"}); status != 401 {
			t.Errorf("%s: a wrong password got %d", email, status)
		}
	}

	// each active key uses its tool (its owner given points for it); the
	// inactive one is refused
	for _, r := range rows {
		if r.Model != "tools.toolapikey" {
			continue
		}
		f := r.Fields
		owner := byPK[c.Users][int64(f["user"].(float64))]
		tool := byPK[c.Tools][int64(f["tool"].(float64))]
		if _, err := ledger.Post(app, ledger.Entry{User: owner.Id, Account: c.AccountPoints, Kind: c.KindGrant, Amount: 100}); err != nil {
			t.Fatal(err)
		}
		status, body := call(t, "POST", base+"/api/tools/tools/"+tool.Id+"/use/", map[string]any{"input_data": map[string]any{"k": r.PK}},
			"X-API-Key", f["api_key"].(string))
		active := f["is_active"].(bool)
		switch {
		case active && status != 200:
			t.Errorf("active key %d: %d %v", r.PK, status, body)
		case !active && status != 401:
			t.Errorf("inactive key %d: %d %v", r.PK, status, body)
		}
		key := byPK[c.ToolAPIKeys][r.PK]
		if key.GetString(c.APIKeyPrefix) != f["api_key"].(string)[:11] || key.GetInt64(c.APIKeyDailyLimit) != int64(f["daily_limit"].(float64)) ||
			key.GetBool(c.APIKeyIsActive) != active || key.GetString(c.APIKeyTool) != tool.Id {
			t.Errorf("key %d: %v", r.PK, key.PublicExport())
		}
		if active {
			fresh, _ := app.FindRecordById(c.ToolAPIKeys, key.Id)
			if fresh.GetInt64(c.APIKeyDailyUsage) != int64(f["daily_usage"].(float64))+1 {
				t.Errorf("key %d: daily_usage %d after one use", r.PK, fresh.GetInt64(c.APIKeyDailyUsage))
			}
		}
	}
	mustVerify(t, app)

	// a second import adds nothing
	before := map[string]int{}
	for _, table := range []string{"users", "tools", "tool_usage", "tool_feedback", "tool_api_keys", "point_transactions"} {
		before[table] = total(t, app, table)
	}
	rep, err = djangoimport.Run(app, path, djangoimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for model, n := range perModel {
		if got := rep.Counts[model]; got.Present != n || got.Imported != 0 {
			t.Errorf("second run, %s: %+v", model, got)
		}
	}
	for table, n := range before {
		if got := total(t, app, table); got != n {
			t.Errorf("second run: %s has %d rows, had %d", table, got, n)
		}
	}
	mustVerify(t, app)
}

// TestDjangoLoginThrottled: a wrong password against a Django hash is a
// failed login like any other, on both APIs.
func TestDjangoLoginThrottled(t *testing.T) {
	t.Parallel()
	app := newApp(t)
	if _, err := djangoimport.Run(app, filepath.Join(fixtureDir, "dumpdata.json"), djangoimport.Options{}); err != nil {
		t.Fatal(err)
	}
	_, passwords := readFixture(t)
	base := serve(t, app)
	for k, email := range []string{"client0-44cb63@example.org", "client1-44cb63@example.org"} {
		for n := 0; n < 5; n++ {
			var status int
			if k == 0 {
				status, _ = call(t, "POST", base+"/api/token/", map[string]string{"email": email, "password": "wrong-" + strconv.Itoa(n)})
			} else {
				status, _ = call(t, "POST", base+"/api/collections/users/auth-with-password", map[string]string{"identity": email, "password": "wrong"})
			}
			if status != 401 && status != 400 {
				t.Fatalf("%s: wrong password %d", email, status)
			}
		}
		// locked now: even the right password waits, on both APIs
		if status, _ := call(t, "POST", base+"/api/token/", map[string]string{"email": email, "password": passwords[email]}); status != 429 {
			t.Errorf("%s: after 5 failures /api/token/ answered %d, want 429", email, status)
		}
		if status, _ := call(t, "POST", base+"/api/collections/users/auth-with-password", map[string]string{"identity": email, "password": passwords[email]}); status != 429 {
			t.Errorf("%s: after 5 failures auth-with-password answered %d, want 429", email, status)
		}
		u, _ := app.FindAuthRecordByEmail(c.Users, email)
		if !strings.HasPrefix(u.GetString(c.UserPassword+":hash"), "pbkdf2_sha256$") {
			t.Errorf("%s: the hash changed without a successful login", email)
		}
	}
}
