package hooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// request sends a request with a JSON body (or none) and returns the status
// and body.
func request(t testing.TB, method, url, auth, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// getJSON GETs url and decodes a 200 answer into out.
func getJSON(t testing.TB, url, auth string, out any) {
	t.Helper()
	status, body := request(t, http.MethodGet, url, auth, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, body)
	}
}

// scripted is one use of the workload, placed at a chosen time.
type scripted struct {
	user, tool string
	at         time.Time
	usage      string // id, once recorded
}

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// workload is the app and its scripted history of uses.
type workload struct {
	app     *tests.TestApp
	tb      *toolbase
	base    string
	toolB   string // a second ACTIVE tool of fx.creator, cost 3
	client3 fixtureUser
	uses    []scripted
	cost    map[string]int64  // tool → points_cost
	creator map[string]string // tool → creator
	roles   map[string]string // user → role
	email   map[string]string // user → email
}

// newWorkload records the scripted uses through UseTool (the real path), then
// moves each usage to its scripted time with SQL.
func newWorkload(t *testing.T) *workload {
	t.Helper()
	app, tb := newTestBase(t)
	w := &workload{app: app, tb: tb, base: serve(t, app)}
	toolB, err := createTool(app, fx.creator.id, c.StatusActive, 3)
	if err != nil {
		t.Fatal(err)
	}
	w.toolB = toolB.Id
	client3, err := createUser(app, "client3", c.RoleClient, fixturePoints)
	if err != nil {
		t.Fatal(err)
	}
	w.client3 = fixtureUser{id: client3.Id, email: client3.Email(), auth: authOf(t, client3)}
	w.cost = map[string]int64{fx.active: activeCost, fx.other: otherCost, w.toolB: 3}
	w.creator = map[string]string{fx.active: fx.creator.id, fx.other: fx.creator2.id, w.toolB: fx.creator.id}
	w.roles = map[string]string{fx.client.id: c.RoleClient, fx.client2.id: c.RoleClient, client3.Id: c.RoleClient,
		fx.admin.id: c.RoleAdmin, fx.creator.id: c.RoleToolCreator, fx.creator2.id: c.RoleToolCreator}
	w.email = map[string]string{fx.client.id: fx.client.email, fx.client2.id: fx.client2.email, client3.Id: client3.Email(),
		fx.admin.id: fx.admin.email, fx.creator.id: fx.creator.email, fx.creator2.id: fx.creator2.email}

	c1, c2, c3 := fx.client.id, fx.client2.id, client3.Id
	w.uses = []scripted{
		{user: c1, tool: fx.active, at: ts("2026-02-28 23:59:59.999")}, // Saturday, last ms of February
		{user: c1, tool: fx.active, at: ts("2026-03-01 00:00:00.000")}, // Sunday: month start, inside the week of Feb 23
		{user: c2, tool: fx.active, at: ts("2026-03-01 23:59:59.999")}, // the last ms of that week
		{user: c2, tool: fx.other, at: ts("2026-03-02 00:00:00.000")},  // Monday: a week starts
		{user: c3, tool: w.toolB, at: ts("2026-03-02 12:00:00.000")},
		{user: c1, tool: w.toolB, at: ts("2026-03-02 12:00:00.000")},
		{user: fx.admin.id, tool: fx.active, at: ts("2026-03-15 08:00:00.000")},   // free
		{user: fx.creator.id, tool: fx.active, at: ts("2026-03-15 09:00:00.000")}, // own tool: free
		{user: c3, tool: fx.active, at: ts("2026-03-31 23:59:59.999")},            // after two empty weeks
		{user: c1, tool: fx.other, at: ts("2026-04-01 00:00:00.000")},             // month start
		{user: c2, tool: fx.active, at: ts("2026-02-16 00:00:00.000")},            // before ?from, inside its week
		{user: c1, tool: fx.active, at: ts("2026-02-15 23:59:59.999")},            // before that week, inside its month
		{user: c2, tool: fx.other, at: ts("2026-01-31 23:59:59.999")},             // before every range
		{user: c2, tool: w.toolB, at: ts("2026-04-05 23:59:59.999")},              // the last ms of ?to
		{user: c3, tool: fx.active, at: ts("2026-04-06 00:00:00.000")},            // after ?to's week, inside its month
	}
	// enough uses of one tool for recent_usage to keep only 10
	for i := range 4 {
		w.uses = append(w.uses, scripted{user: c2, tool: fx.active, at: ts("2026-03-20 10:00:00.000").Add(time.Duration(i) * time.Hour)})
	}
	for i := range w.uses {
		u := &w.uses[i]
		user, err := app.FindRecordById(c.Users, u.user)
		if err != nil {
			t.Fatal(err)
		}
		tool, err := app.FindRecordById(c.Tools, u.tool)
		if err != nil {
			t.Fatal(err)
		}
		res, err := useTool(app, ledger.UseRequest{Tool: tool, User: user, Input: fmt.Appendf(nil, `{"i":%d}`, i)})
		if err != nil {
			t.Fatalf("use %d: %v", i, err)
		}
		u.usage = res.Usage.Id
		if _, err := app.DB().NewQuery("UPDATE tool_usage SET created_at = {:at} WHERE id = {:id}").
			Bind(dbx.Params{"at": storedTime(u.at), "id": u.usage}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	// client3 signed up in March; everyone else when the fixtures were made
	if _, err := app.DB().NewQuery("UPDATE users SET created_at = '2026-03-02 10:00:00.000Z' WHERE id = {:id}").
		Bind(dbx.Params{"id": c3}).Execute(); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, app)
	mustMatchEarnings(t, app)
	return w
}

// mustMatchEarnings fails when a usage's creator_earning differs from its
// EARNING ledger rows.
func mustMatchEarnings(t testing.TB, app core.App) {
	t.Helper()
	var wrong []string
	if err := app.DB().NewQuery(`SELECT u.id FROM tool_usage u WHERE u.creator_earning !=
		COALESCE((SELECT SUM(pt.amount) FROM point_transactions pt WHERE pt.usage = u.id AND pt.kind = 'EARNING'), 0)`).Column(&wrong); err != nil {
		t.Fatal(err)
	}
	if len(wrong) > 0 {
		t.Errorf("creator_earning differs from the ledger for usage %v", wrong)
	}
}

// spent is what a scripted use cost its user (spec section 3).
func (w *workload) spent(u scripted) int64 {
	if w.roles[u.user] == c.RoleAdmin || w.creator[u.tool] == u.user {
		return 0
	}
	return w.cost[u.tool]
}

// earning is the creator's share of a scripted use (fee 20 %, floored).
func (w *workload) earning(u scripted) int64 {
	s := w.spent(u)
	return s - s*20/100
}

// The expected numbers are computed here, in Go, from the script: not with
// the SQL under test.

// expectBucket is the first day of the bucket of t, found by walking back.
func expectBucket(interval string, t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch interval {
	case "week":
		for d.Weekday() != time.Monday {
			d = d.AddDate(0, 0, -1)
		}
	case "month":
		for d.Day() != 1 {
			d = d.AddDate(0, 0, -1)
		}
	}
	return d
}

// expectRange is the range's buckets (first days) and its bounds [start, end).
func expectRange(interval, from, to string) (periods []string, start, end time.Time) {
	first, _ := time.Parse(dateLayout, from)
	last, _ := time.Parse(dateLayout, to)
	start = expectBucket(interval, first)
	end = start
	for d := start; !d.After(last) || expectBucket(interval, d) == expectBucket(interval, last); d = d.AddDate(0, 0, 1) {
		p := expectBucket(interval, d).Format(dateLayout)
		if len(periods) == 0 || periods[len(periods)-1] != p {
			periods = append(periods, p)
		}
		end = d.AddDate(0, 0, 1)
	}
	return periods, start, end
}

// expectSeries aggregates the scripted uses matching keep over the range.
func (w *workload) expectSeries(interval, from, to string, keep func(scripted) bool) []seriesPoint {
	periods, start, end := expectRange(interval, from, to)
	users := map[string]map[string]bool{}
	points := map[string]*seriesPoint{}
	for _, p := range periods {
		points[p] = &seriesPoint{Period: p}
		users[p] = map[string]bool{}
	}
	for _, u := range w.uses {
		if !keep(u) || u.at.Before(start) || !u.at.Before(end) {
			continue
		}
		p := expectBucket(interval, u.at).Format(dateLayout)
		points[p].Uses++
		points[p].PointsSpent += w.spent(u)
		users[p][u.user] = true
	}
	out := make([]seriesPoint, len(periods))
	for i, p := range periods {
		points[p].UniqueUsers = int64(len(users[p]))
		out[i] = *points[p]
	}
	return out
}

// expectTotals sums the range's scripted uses matching keep.
func (w *workload) expectTotals(interval, from, to string, keep func(scripted) bool) (uses, users, spent, earned int64) {
	_, start, end := expectRange(interval, from, to)
	seen := map[string]bool{}
	for _, u := range w.uses {
		if keep(u) && !u.at.Before(start) && u.at.Before(end) {
			uses++
			spent += w.spent(u)
			earned += w.earning(u)
			seen[u.user] = true
		}
	}
	return uses, int64(len(seen)), spent, earned
}

func (w *workload) expectByTool(interval, from, to string, tools []string, keep func(scripted) bool) []toolUse {
	_, start, end := expectRange(interval, from, to)
	byID := map[string]*toolUse{}
	for _, id := range tools {
		tool, _ := w.app.FindRecordById(c.Tools, id)
		byID[id] = &toolUse{Tool: id, ToolName: c.AsTool(tool).Name()}
	}
	for _, u := range w.uses {
		if keep(u) && !u.at.Before(start) && u.at.Before(end) {
			if byID[u.tool] == nil {
				tool, _ := w.app.FindRecordById(c.Tools, u.tool)
				byID[u.tool] = &toolUse{Tool: u.tool, ToolName: c.AsTool(tool).Name()}
			}
			byID[u.tool].Uses++
			byID[u.tool].PointsSpent += w.spent(u)
		}
	}
	var out []toolUse
	for _, t := range byID {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Uses != b.Uses {
			return a.Uses > b.Uses
		}
		if a.PointsSpent != b.PointsSpent {
			return a.PointsSpent > b.PointsSpent
		}
		return a.Tool < b.Tool
	})
	return out
}

func assertJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	wa, _ := json.Marshal(want)
	if !bytes.Equal(g, wa) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, wa)
	}
}

var statsRanges = []struct{ interval, from, to string }{
	{"day", "2026-02-20", "2026-04-05"},
	{"week", "2026-02-20", "2026-04-05"},
	{"month", "2026-02-20", "2026-04-05"},
	{"day", "2026-03-01", "2026-03-01"},
	{"week", "2026-03-16", "2026-03-29"}, // two empty weeks
}

func rangeQuery(interval, from, to string) string {
	return fmt.Sprintf("?from=%s&to=%s&interval=%s", from, to, interval)
}

func TestStatsWorkload(t *testing.T) {
	t.Parallel()
	w := newWorkload(t)
	clients := []fixtureUser{fx.client, fx.client2, w.client3}
	ownTools := []string{fx.active, fx.draft, fx.pending, fx.inactive, fx.suspended, w.toolB}

	for _, r := range statsRanges {
		q := rangeQuery(r.interval, r.from, r.to)
		periods, start, end := expectRange(r.interval, r.from, r.to)
		wantRange := rangeView{From: start.Format(dateLayout), To: end.AddDate(0, 0, -1).Format(dateLayout), Interval: r.interval}
		if len(periods) == 0 {
			t.Fatalf("no buckets for %v", r)
		}

		t.Run("clients "+q, func(t *testing.T) {
			for _, cl := range clients {
				mine := func(u scripted) bool { return u.user == cl.id }
				var got ClientStatsBody
				getJSON(t, w.base+"/api/tools/usage/stats/"+q, cl.auth, &got)
				uses, _, spent, _ := w.expectTotals(r.interval, r.from, r.to, mine)
				want := ClientStatsBody{Role: c.RoleClient, TotalUses: uses, PointsSpent: spent,
					ByTool: w.expectByTool(r.interval, r.from, r.to, nil, mine),
					Series: w.expectSeries(r.interval, r.from, r.to, mine), Range: wantRange}
				if want.ByTool == nil {
					want.ByTool = []toolUse{}
				}
				assertJSON(t, cl.email, got, want)
			}
		})

		t.Run("creators "+q, func(t *testing.T) {
			for _, cr := range []struct {
				user  fixtureUser
				tools []string
			}{{fx.creator, ownTools}, {fx.creator2, []string{fx.other}}} {
				owns := func(u scripted) bool { return w.creator[u.tool] == cr.user.id }
				var got CreatorStatsBody
				getJSON(t, w.base+"/api/tools/usage/stats/"+q, cr.user.auth, &got)
				uses, users, spent, earned := w.expectTotals(r.interval, r.from, r.to, owns)
				want := CreatorStatsBody{Role: c.RoleToolCreator, TotalUses: uses, TotalRevenue: spent, CreatorEarnings: earned,
					UniqueUsers: users, ByTool: w.expectByTool(r.interval, r.from, r.to, cr.tools, owns),
					Series: w.expectSeries(r.interval, r.from, r.to, owns), Range: wantRange}
				assertJSON(t, cr.user.email, got, want)
			}
		})

		t.Run("admin "+q, func(t *testing.T) {
			all := func(scripted) bool { return true }
			var got PlatformStatsBody
			getJSON(t, w.base+"/api/tools/usage/stats/"+q, fx.admin.auth, &got)
			uses, _, spent, earned := w.expectTotals(r.interval, r.from, r.to, all)
			top := w.expectByTool(r.interval, r.from, r.to, nil, all)
			if len(top) > statsTopN {
				top = top[:statsTopN]
			}
			if top == nil {
				top = []toolUse{}
			}
			// creators: fold the tools' numbers
			byCreator := map[string]*creatorUse{}
			for _, tu := range w.expectByTool(r.interval, r.from, r.to, nil, all) {
				id := w.creator[tu.Tool]
				if byCreator[id] == nil {
					name := strings.TrimSuffix(w.email[id], "@test.example")
					byCreator[id] = &creatorUse{Creator: id, CreatorName: name, CreatorEmail: w.email[id]}
				}
				byCreator[id].Uses += tu.Uses
				byCreator[id].PointsSpent += tu.PointsSpent
			}
			creators := []creatorUse{}
			for _, cu := range byCreator {
				creators = append(creators, *cu)
			}
			sort.Slice(creators, func(i, j int) bool {
				if creators[i].PointsSpent != creators[j].PointsSpent {
					return creators[i].PointsSpent > creators[j].PointsSpent
				}
				if creators[i].Uses != creators[j].Uses {
					return creators[i].Uses > creators[j].Uses
				}
				return creators[i].Creator < creators[j].Creator
			})
			series := w.expectSeries(r.interval, r.from, r.to, all)
			platform := make([]platformPoint, len(series))
			var newUsers int64
			for i, p := range series {
				_, _, spent, earned := w.expectTotals(r.interval, p.Period, p.Period, all)
				platform[i] = platformPoint{Period: p.Period, Uses: p.Uses, UniqueUsers: p.UniqueUsers, PointsSpent: p.PointsSpent,
					PlatformFees: spent - earned}
				// client3 signed up on 2026-03-02; the grants are dated today, outside these ranges
				if p.Period == expectBucket(r.interval, ts("2026-03-02 10:00:00.000")).Format(dateLayout) {
					platform[i].NewUsers = 1
					newUsers = 1
				}
			}
			want := PlatformStatsBody{Role: c.RoleAdmin, TotalUses: uses, PointsSpent: spent, PlatformFees: spent - earned, NewUsers: newUsers,
				TopTools: top, TopCreators: creators, Series: platform, Range: wantRange}
			assertJSON(t, "admin", got, want)
		})

		t.Run("tool stats "+q, func(t *testing.T) {
			for _, tc := range []struct {
				tool string
				as   fixtureUser
			}{{fx.active, fx.creator}, {fx.active, fx.admin}, {w.toolB, fx.creator}, {fx.other, fx.creator2}, {fx.draft, fx.creator}} {
				of := func(u scripted) bool { return u.tool == tc.tool }
				var got ToolStatsBody
				getJSON(t, w.base+"/api/tools/tools/"+tc.tool+"/stats/"+q, tc.as.auth, &got)
				_, users, _, earned := w.expectTotals(r.interval, r.from, r.to, of)
				var lifeUses, lifeSpent int64
				var history []scripted
				for _, u := range w.uses {
					if of(u) {
						lifeUses++
						lifeSpent += w.spent(u)
						history = append(history, u)
					}
				}
				// newest first; of two at the same time, the one recorded later
				slices.Reverse(history)
				slices.SortStableFunc(history, func(a, b scripted) int { return b.at.Compare(a.at) })
				if got.TotalUses != lifeUses || got.TotalRevenue != lifeSpent || got.UniqueUsers != users || got.CreatorEarnings != earned {
					t.Errorf("tool %s as %s: totals %d/%d users %d earnings %d, want %d/%d users %d earnings %d", tc.tool, tc.as.email,
						got.TotalUses, got.TotalRevenue, got.UniqueUsers, got.CreatorEarnings, lifeUses, lifeSpent, users, earned)
				}
				assertJSON(t, "series of "+tc.tool, got.Series, w.expectSeries(r.interval, r.from, r.to, of))
				assertJSON(t, "range", got.Range, wantRange)
				if len(history) > statsRecentUsage {
					history = history[:statsRecentUsage]
				}
				if len(got.RecentUsage) != len(history) {
					t.Fatalf("recent_usage of %s: %d rows, want %d", tc.tool, len(got.RecentUsage), len(history))
				}
				for i, u := range history {
					g := got.RecentUsage[i]
					if g.ID != u.usage || g.User != u.user || g.UserEmail != w.email[u.user] || g.PointsSpent != w.spent(u) || g.Tool != tc.tool {
						t.Errorf("recent_usage[%d] of %s: %+v, want usage %s of %s", i, tc.tool, g, u.usage, w.email[u.user])
					}
				}
			}
		})
	}
}

// TestStatsNeverShowOthersNumbers: each client's numbers are its own, and
// change only with its own uses.
func TestStatsNeverShowOthersNumbers(t *testing.T) {
	t.Parallel()
	w := newWorkload(t)
	q := rangeQuery("month", "2026-01-01", "2026-04-30")
	before := map[string]ClientStatsBody{}
	for _, cl := range []fixtureUser{fx.client, fx.client2, w.client3} {
		var b ClientStatsBody
		getJSON(t, w.base+"/api/tools/usage/stats/"+q, cl.auth, &b)
		before[cl.id] = b
		var want int64
		for _, u := range w.uses {
			if u.user == cl.id {
				want++
			}
		}
		if b.TotalUses != want {
			t.Errorf("%s sees %d uses, has %d", cl.email, b.TotalUses, want)
		}
	}
	// client2 uses a tool many times in the range: nobody else's numbers move
	user, _ := w.app.FindRecordById(c.Users, fx.client2.id)
	tool, _ := w.app.FindRecordById(c.Tools, fx.other)
	for range 5 {
		res, err := useTool(w.app, ledger.UseRequest{Tool: tool, User: user})
		if err != nil {
			t.Fatal(err)
		}
		w.app.DB().NewQuery("UPDATE tool_usage SET created_at = '2026-03-10 10:00:00.000Z' WHERE id = {:id}").Bind(dbx.Params{"id": res.Usage.Id}).Execute()
	}
	for _, cl := range []fixtureUser{fx.client, w.client3} {
		var b ClientStatsBody
		getJSON(t, w.base+"/api/tools/usage/stats/"+q, cl.auth, &b)
		assertJSON(t, cl.email+" after client2's uses", b, before[cl.id])
	}
	var b ClientStatsBody
	getJSON(t, w.base+"/api/tools/usage/stats/"+q, fx.client2.auth, &b)
	if b.TotalUses != before[fx.client2.id].TotalUses+5 || b.PointsSpent != before[fx.client2.id].PointsSpent+5*otherCost {
		t.Errorf("client2 after 5 uses: %+v", b)
	}
	// creator sees none of creator2's tool's usage, and the reverse
	var cr CreatorStatsBody
	getJSON(t, w.base+"/api/tools/usage/stats/"+q, fx.creator.auth, &cr)
	for _, bt := range cr.ByTool {
		if bt.Tool == fx.other {
			t.Errorf("creator's by_tool lists creator2's tool")
		}
	}
	getJSON(t, w.base+"/api/tools/usage/stats/"+q, fx.creator2.auth, &cr)
	if len(cr.ByTool) != 1 || cr.ByTool[0].Tool != fx.other {
		t.Errorf("creator2's by_tool: %+v", cr.ByTool)
	}
	// another creator's tool, visible (ACTIVE): 403; a draft of another: 404
	if status, body := request(t, http.MethodGet, w.base+"/api/tools/tools/"+fx.active+"/stats/", fx.creator2.auth, ""); status != 403 {
		t.Errorf("creator2 on creator's tool stats: %d %s", status, body)
	}
	if status, body := request(t, http.MethodGet, w.base+"/api/tools/tools/"+fx.draft+"/stats/", fx.creator2.auth, ""); status != 404 {
		t.Errorf("creator2 on creator's draft stats: %d %s", status, body)
	}
}

// TestStatsDefaultRange: the last 30 days (today included) by day, and the
// points granted and users signed up in it.
func TestStatsDefaultRange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	today := time.Now().UTC()
	user, _ := app.FindRecordById(c.Users, fx.client.id)
	tool, _ := app.FindRecordById(c.Tools, fx.active)
	place := func(at time.Time) {
		res, err := useTool(app, ledger.UseRequest{Tool: tool, User: user})
		if err != nil {
			t.Fatal(err)
		}
		app.DB().NewQuery("UPDATE tool_usage SET created_at = {:at} WHERE id = {:id}").
			Bind(dbx.Params{"at": storedTime(at), "id": res.Usage.Id}).Execute()
	}
	day := func(back int) time.Time {
		d := today.AddDate(0, 0, -back)
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	}
	place(day(29))                                      // first day of the range
	place(day(30).Add(24*time.Hour - time.Millisecond)) // last ms before it
	place(today)

	var got ClientStatsBody
	getJSON(t, base+"/api/tools/usage/stats/", fx.client.auth, &got)
	if len(got.Series) != 30 || got.Series[0].Period != day(29).Format(dateLayout) || got.Series[29].Period != day(0).Format(dateLayout) {
		t.Fatalf("default series: %d buckets, %+v", len(got.Series), got.Range)
	}
	if got.TotalUses != 2 || got.Series[0].Uses != 1 || got.Series[29].Uses != 1 {
		t.Errorf("default range: %+v", got)
	}
	var admin PlatformStatsBody
	getJSON(t, base+"/api/tools/usage/stats/", fx.admin.auth, &admin)
	// the fixtures: five users, 1000 points granted to each client
	if admin.NewUsers != 5 || admin.PointsGranted != 2*fixturePoints {
		t.Errorf("admin default range: new_users %d, points_granted %d", admin.NewUsers, admin.PointsGranted)
	}
	var sumNew, sumGranted int64
	for _, p := range admin.Series {
		sumNew += p.NewUsers
		sumGranted += p.PointsGranted
	}
	if sumNew != admin.NewUsers || sumGranted != admin.PointsGranted {
		t.Errorf("admin series sums: new_users %d, points_granted %d", sumNew, sumGranted)
	}
}

func TestParseStatsRange(t *testing.T) {
	t.Parallel()
	now := ts("2026-03-04 15:00:00.000") // a Wednesday
	for _, tc := range []struct {
		from, to, interval string
		first, last        string
		n                  int
	}{
		{"", "", "", "2026-02-03", "2026-03-04", 30},
		{"", "", "week", "2026-02-02", "2026-03-02", 5},
		{"2026-03-01", "2026-03-01", "week", "2026-02-23", "2026-02-23", 1},
		{"2026-03-02", "2026-03-08", "week", "2026-03-02", "2026-03-02", 1},
		{"2026-01-31", "2026-03-01", "month", "2026-01-01", "2026-03-01", 3},
		{"2025-03-05", "2026-03-04", "day", "2025-03-05", "2026-03-04", 365},
		{"2024-01-01", "2024-12-31", "day", "2024-01-01", "2024-12-31", 366},
		{"1996-01-01", "2026-06-30", "month", "1996-01-01", "2026-06-01", 366},
		{"2026-03-04", "", "", "2026-03-04", "2026-03-04", 1},
		{"", "2026-01-10", "", "2025-12-12", "2026-01-10", 30},
	} {
		r, errs := parseStatsRange(tc.from, tc.to, tc.interval, now)
		if errs != nil {
			t.Errorf("%+v: %v", tc, errs)
			continue
		}
		if len(r.periods) != tc.n || r.periods[0] != tc.first || r.periods[len(r.periods)-1] != tc.last {
			t.Errorf("%+v: %d buckets %s…%s", tc, len(r.periods), r.periods[0], r.periods[len(r.periods)-1])
		}
		if !r.end.Equal(nextBucket(r.interval, bucketStart(r.interval, r.end.AddDate(0, 0, -1)))) {
			t.Errorf("%+v: end %s is not a bucket's end", tc, r.end)
		}
	}
	for _, tc := range []struct{ from, to, interval, field string }{
		{"2026-03-05", "2026-03-04", "", "non_field_errors"},
		{"", "", "year", "interval"},
		{"yesterday", "", "", "from"},
		{"", "2026-02-30", "", "to"},
		{"2026-03-04T00:00:00Z", "", "", "from"},
		{"2024-01-01", "2025-01-01", "day", "non_field_errors"}, // 367 days
		{"1996-01-01", "2026-07-01", "month", "non_field_errors"},
		{"0001-01-01", "9999-12-31", "day", "non_field_errors"},
	} {
		if _, errs := parseStatsRange(tc.from, tc.to, tc.interval, now); len(errs[tc.field]) == 0 {
			t.Errorf("%+v: errors %v, want one on %s", tc, errs, tc.field)
		}
	}
}

func statsURL(tool string) string {
	if tool == "" {
		return "/api/tools/usage/stats/"
	}
	return "/api/tools/tools/" + tool + "/stats/"
}

// TestStatsRoutes: one case per status code of each route, and bad input is
// a DRF 4xx, never a 500.
func TestStatsRoutes(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		{Name: "tool stats: anonymous 401", Method: http.MethodGet, URL: statsURL(fx.active),
			ExpectedStatus: 401, ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`}},
		{Name: "tool stats: bad token 401", Method: http.MethodGet, URL: statsURL(fx.active), Headers: map[string]string{"Authorization": "Bearer nope"},
			ExpectedStatus: 401, ExpectedContent: []string{`"code":"token_not_valid"`}},
		{Name: "tool stats: visible, not owned 403", Method: http.MethodGet, URL: statsURL(fx.active), Headers: map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus: 403, ExpectedContent: []string{`"detail":"You do not have permission to perform this action."`}},
		{Name: "tool stats: another creator's draft 404", Method: http.MethodGet, URL: statsURL(fx.draft), Headers: map[string]string{"Authorization": fx.creator2.auth},
			ExpectedStatus: 404, ExpectedContent: []string{`"detail":"Not found."`}},
		{Name: "tool stats: unknown id 404", Method: http.MethodGet, URL: statsURL("doesnotexist123"), Headers: map[string]string{"Authorization": fx.admin.auth},
			ExpectedStatus: 404, ExpectedContent: []string{`"detail":"Not found."`}},
		{Name: "tool stats: invisible and bad range is still 404", Method: http.MethodGet, URL: statsURL(fx.draft) + "?from=x", Headers: map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus: 404, ExpectedContent: []string{`"detail":"Not found."`}},
		{Name: "tool stats: owner's draft 200", Method: http.MethodGet, URL: statsURL(fx.draft) + "?interval=month", Headers: map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus: 200, ExpectedContent: []string{`"tool":"` + fx.draft + `"`, `"recent_usage":[]`, `"series":[{"period":"`, `"interval":"month"`}},
		{Name: "tool stats: admin 200", Method: http.MethodGet, URL: statsURL(fx.other), Headers: map[string]string{"Authorization": fx.admin.auth},
			ExpectedStatus: 200, ExpectedContent: []string{`"total_uses":0`, `"creator_earnings":0`}},
		{Name: "tool stats: from after to 400", Method: http.MethodGet, URL: statsURL(fx.active) + "?from=2026-03-02&to=2026-03-01", Headers: map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus: 400, ExpectedContent: []string{`"non_field_errors":["from must be on or before to."]`}},
		{Name: "tool stats: too many buckets 400", Method: http.MethodGet, URL: statsURL(fx.active) + "?from=2020-01-01&to=2026-01-01", Headers: map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus: 400, ExpectedContent: []string{`"non_field_errors":["The range holds 2193 day buckets`}},
		{Name: "tool stats: unparseable dates 400", Method: http.MethodGet, URL: statsURL(fx.active) + "?from=03%2F01%2F2026&to=%27%3BDROP", Headers: map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus: 400, ExpectedContent: []string{`"from":["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]`, `"to":["Date has wrong format`}},
		{Name: "tool stats: unknown interval 400", Method: http.MethodGet, URL: statsURL(fx.active) + "?interval=hour", Headers: map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus: 400, ExpectedContent: []string{`"interval":["\"hour\" is not a valid choice."]`}},
		{Name: "tool stats: POST 405", Method: http.MethodPost, URL: statsURL(fx.active), Headers: map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus: 405, ExpectedContent: []string{`"detail":"Method \"POST\" not allowed."`}},

		{Name: "usage stats: anonymous 401", Method: http.MethodGet, URL: statsURL(""),
			ExpectedStatus: 401, ExpectedContent: []string{`"detail":"Authentication credentials were not provided."`}},
		{Name: "usage stats: client 200", Method: http.MethodGet, URL: statsURL("") + "?interval=week", Headers: map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus: 200, ExpectedContent: []string{`"role":"CLIENT"`, `"total_uses":0`, `"points_spent":0`, `"by_tool":[]`, `"series":[{`},
			NotExpectedContent: []string{`"points_granted"`, `"creator_earnings"`}},
		{Name: "usage stats: creator 200", Method: http.MethodGet, URL: statsURL(""), Headers: map[string]string{"Authorization": fx.creator.auth},
			ExpectedStatus: 200, ExpectedContent: []string{`"role":"TOOL_CREATOR"`, `"creator_earnings":0`, `"tool":"` + fx.suspended + `"`}},
		{Name: "usage stats: admin 200", Method: http.MethodGet, URL: statsURL(""), Headers: map[string]string{"Authorization": fx.admin.auth},
			ExpectedStatus: 200, ExpectedContent: []string{`"role":"ADMIN"`, `"points_granted":2000`, `"new_users":5`, `"top_tools":[]`, `"top_creators":[]`}},
		{Name: "usage stats: bad range 400", Method: http.MethodGet, URL: statsURL("") + "?from=2026-13-01", Headers: map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus: 400, ExpectedContent: []string{`"from":["Date has wrong format`}},
		{Name: "usage stats: DELETE 405", Method: http.MethodDelete, URL: statsURL(""), Headers: map[string]string{"Authorization": fx.client.auth},
			ExpectedStatus: 405, ExpectedContent: []string{`"detail":"Method \"DELETE\" not allowed."`}},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testAppFactory
		s.Test(t)
	}
}

// TestStatsBadInputNever500 throws odd query strings at both routes.
func TestStatsBadInputNever500(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	for _, q := range []string{
		"?from=", "?to=", "?interval=", "?from=0000-00-00", "?from=9999-12-31&to=9999-12-31", "?from=0001-01-01&to=0001-01-01",
		"?from=0001-01-01&to=9999-12-31&interval=month", "?from=%00", "?interval=DAY", "?from=2026-02-29", "?from=2024-02-29&to=2024-02-29",
		"?from=" + strings.Repeat("9", 5000), "?interval=week&interval=day", "?from[]=1", "?to=-2026-01-01",
	} {
		for _, path := range []string{statsURL(""), statsURL(fx.active)} {
			for _, who := range []fixtureUser{fx.client, fx.creator, fx.admin} {
				status, body := request(t, http.MethodGet, base+path+q, who.auth, `[]`) // a GET's body is ignored
				if status >= 500 || (status != 200 && !json.Valid(body)) {
					t.Errorf("%s%s as %s: %d %s", path, q, who.email, status, body)
				}
			}
		}
	}
}

// Refunded uses (an approved refund, a failed remote call) are left out of
// the statistics, as they are of the tool's counters.
func TestStatsLeaveOutRefundedUses(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	usages := useTimes(t, app, fx.client.id, fx.active, 3)
	if _, err := ledger.RefundUsage(app, usages[0], fx.admin.id, "refund"); err != nil {
		t.Fatal(err)
	}
	failUsage(t, app, usages[1])
	mustVerify(t, app)
	base := serve(t, app)
	for _, tc := range []struct {
		who  fixtureUser
		want []string
	}{
		{fx.client, []string{`"total_uses":1,`, `"points_spent":10,`}},
		{fx.creator, []string{`"total_uses":1,`, `"creator_earnings":8,`}},
	} {
		status, body := get(t, base+"/api/tools/usage/stats/", tc.who.auth)
		for _, w := range tc.want {
			if status != 200 || !strings.Contains(body, w) {
				t.Errorf("%s: %d %s, want %s", tc.who.email, status, body, w)
			}
		}
	}
}

// The platform's fees are what its uses cost minus its creators' earnings,
// at the configured fee percent (floored per use), with refunded uses left
// out; the series has them per bucket, and `ledger verify` still holds.
func TestStatsPlatformFees(t *testing.T) {
	t.Parallel()
	app, tb := newTestBase(t, func(cfg *Config) { cfg.FeePercent = 30 })
	// fx.active costs 10 and fx.other 5 (by creator2): fees 3 and 1 (1.5 floored) a use
	fee := func(cost int64) int64 { return cost * 30 / 100 }
	uses := func(user, tool string, n int) []string {
		t.Helper()
		toolRec, _ := app.FindRecordById(c.Tools, tool)
		userRec, _ := app.FindRecordById(c.Users, user)
		ids := make([]string, n)
		for i := range ids {
			res, err := tb.UseTool(app, ledger.UseRequest{Tool: toolRec, User: userRec, Input: fmt.Appendf(nil, `{"i":%d}`, i)})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = res.Usage.Id
		}
		return ids
	}
	active := uses(fx.client.id, fx.active, 3)
	uses(fx.client2.id, fx.other, 2)
	uses(fx.admin.id, fx.active, 1) // free: no fee
	// a refunded use is left out
	if _, err := ledger.RefundUsage(app, active[0], fx.admin.id, "refund"); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, app)
	want := 2*fee(activeCost) + 2*fee(otherCost)
	if want != 2*3+2*1 {
		t.Fatalf("fixture costs changed: fees %d", want)
	}

	base := serve(t, app)
	var got PlatformStatsBody
	getJSON(t, base+"/api/tools/usage/stats/", fx.admin.auth, &got)
	if got.PlatformFees != want || got.PointsSpent != 2*activeCost+2*otherCost || got.TotalUses != 5 {
		t.Errorf("platform_fees %d, points_spent %d, total_uses %d; want %d, %d, 5", got.PlatformFees, got.PointsSpent, got.TotalUses,
			want, 2*activeCost+2*otherCost)
	}
	var inSeries int64
	for _, p := range got.Series {
		inSeries += p.PlatformFees
	}
	if inSeries != want || got.Series[len(got.Series)-1].PlatformFees != want {
		t.Errorf("series fees: %d in all, %d today; want %d", inSeries, got.Series[len(got.Series)-1].PlatformFees, want)
	}
	// the same number from the ledger: debits minus earnings of the uses not refunded
	var ledgerFees int64
	if err := app.DB().NewQuery(`SELECT COALESCE(-SUM(pt.amount), 0) FROM point_transactions pt JOIN tool_usage u ON u.id = pt.usage
		WHERE pt.kind IN ('USAGE', 'EARNING') AND u.refunded_at = '' AND u.state != 'FAILED'`).Row(&ledgerFees); err != nil {
		t.Fatal(err)
	}
	if ledgerFees != want {
		t.Errorf("the ledger says the fees are %d, the statistics %d", ledgerFees, want)
	}
}
