package hooks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// The tool cache decides visibility as the tools view rule does, for every
// role on every status, and leaves a changed rule to the rule itself.
func TestToolCacheMirrorsTheViewRule(t *testing.T) {
	t.Parallel()
	app, tb := newTestBase(t)
	col, err := app.FindCollectionByNameOrId(c.Tools)
	if err != nil {
		t.Fatal(err)
	}
	tools := []string{fx.active, fx.draft, fx.pending, fx.inactive, fx.suspended, fx.other}
	users := []fixtureUser{fx.admin, fx.creator, fx.creator2, fx.client, fx.client2}
	fallback := func() (*core.Record, error) { return nil, fmt.Errorf("fallback") }
	for _, u := range users {
		auth, err := app.FindRecordById(c.Users, u.id)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range tools {
			tool, err := app.FindRecordById(c.Tools, id)
			if err != nil {
				t.Fatal(err)
			}
			want, err := app.CanAccessRecord(tool, &core.RequestInfo{Auth: auth}, col.ViewRule)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tb.visibleTool(app, auth, id, fallback)
			if (got != nil) != want || (err != nil) == want {
				t.Errorf("%s on the %s tool: cache says %v (%v), the rule %v", u.email, tool.GetString(c.ToolStatus), got != nil, err, want)
			}
		}
	}
	// a rule changed in the dashboard is evaluated, not mirrored
	rule := c.ToolsViewRule + ` && name != "x"`
	col.ViewRule = &rule
	if err := app.Save(col); err != nil {
		t.Fatal(err)
	}
	auth, _ := app.FindRecordById(c.Users, fx.client.id)
	if _, err := tb.visibleTool(app, auth, fx.active, fallback); err == nil || err.Error() != "fallback" {
		t.Errorf("a changed rule was not left to the rule: %v", err)
	}
}

// Under a load of uses, a tool's status changes (through the records API)
// never let a use through once the change is answered: no usage row of the
// tool is added after it, and every use sent after it is refused; when the
// tool is ACTIVE again, uses go through again.
func TestUseToolStatusChangeUnderLoad(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	loader, err := createUser(app, "loader", c.RoleClient, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	auth := authOf(t, loader)
	type sent struct {
		at, done time.Time
		status   int
	}
	var mu sync.Mutex
	var log []sent
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				at := time.Now()
				status, _ := post(t, base+useURL(fx.active), auth, "", `{"input_data":{}}`)
				mu.Lock()
				log = append(log, sent{at, time.Now(), status})
				mu.Unlock()
			}
		}()
	}
	usages := func() int { return count(t, app, c.ToolUsage, dbx.HashExp{c.UsageTool: fx.active}) }
	patch := func(status string) time.Time {
		code, body := request(t, http.MethodPatch, base+"/api/collections/tools/records/"+fx.active, fx.admin.auth, `{"status":"`+status+`"}`)
		if code != 200 {
			t.Fatalf("setting %s: %d %s", status, code, body)
		}
		return time.Now()
	}
	type window struct{ from, to time.Time }
	var closed []window
	for _, status := range []string{c.StatusInactive, c.StatusSuspended, c.StatusPending} {
		time.Sleep(150 * time.Millisecond)
		at := patch(status)
		n := usages()
		time.Sleep(200 * time.Millisecond)
		if now := usages(); now != n {
			t.Errorf("%d uses of the tool recorded after it became %s", now-n, status)
		}
		// until the tool is ACTIVE again: the change back is sent now
		closed = append(closed, window{at, time.Now()})
		patch(c.StatusActive)
	}
	time.Sleep(150 * time.Millisecond)
	close(stop)
	wg.Wait()

	ok, refusedAfter := 0, 0
	for _, s := range log {
		if s.status == 200 {
			ok++
		}
		for _, w := range closed {
			// sent after the change was answered, answered before the change
			// back was sent: the use ran all along while the tool was not ACTIVE
			if s.at.After(w.from) && s.done.Before(w.to) {
				if s.status == 200 {
					t.Errorf("a use sent %s after the change went through", s.at.Sub(w.from))
				}
				refusedAfter++
			}
		}
	}
	if ok == 0 || refusedAfter == 0 {
		t.Fatalf("no load: %d uses went through, %d refused after a change", ok, refusedAfter)
	}
	t.Logf("%d uses, %d through, %d refused while the tool was not ACTIVE", len(log), ok, refusedAfter)
	mustVerify(t, app)
}

// sseActions connects to base's realtime API as auth, subscribes to topics,
// and sends each record event it receives as "action id".
func sseActions(t *testing.T, base, auth string, topics ...string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	events := subscribe(t, ctx, base, auth, topics...)
	actions := make(chan string, 100)
	go func() {
		for ev := range events {
			var m struct {
				Action string         `json:"action"`
				Record map[string]any `json:"record"`
			}
			if json.Unmarshal([]byte(ev.data), &m) != nil || m.Action == "" {
				continue
			}
			select {
			case actions <- fmt.Sprintf("%s %v", m.Action, m.Record["id"]):
			case <-ctx.Done():
				return
			}
		}
	}()
	return actions
}

// A creator watching its tools' usage hears each committed use once, as a
// create, after its group's commit; a refused use is never announced.
func TestUseRealtimeUsageEventsAfterCommit(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	events := sseActions(t, base, fx.creator.auth, c.ToolUsage)
	poor, err := createUser(app, "poor", c.RoleClient, activeCost)
	if err != nil {
		t.Fatal(err)
	}
	auth := authOf(t, poor)
	var ids []string
	for range 2 {
		status, body := post(t, base+useURL(fx.active), auth, "", `{"input_data":{}}`)
		var res struct {
			UsageID string `json:"usage_id"`
		}
		json.Unmarshal([]byte(body), &res)
		ids = append(ids, fmt.Sprintf("%d %s", status, res.UsageID))
	}
	if !strings.HasPrefix(ids[0], "200 ") || !strings.HasPrefix(ids[1], "400 ") {
		t.Fatalf("uses: %v, want one through and one refused", ids)
	}
	select {
	case ev := <-events:
		if want := "create " + strings.TrimPrefix(ids[0], "200 "); ev != want {
			t.Errorf("event %q, want %q", ev, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no create event for the use")
	}
	select {
	case ev := <-events:
		t.Errorf("a second event: %q", ev)
	case <-time.After(300 * time.Millisecond):
	}
}

// TOOLBASE_DURABLE_COMMITS=1 opens data.db with synchronous=FULL (its
// commits fsynced before they return) and leaves auxiliary.db at NORMAL.
func TestDurableCommitsConfig(t *testing.T) {
	t.Setenv("TOOLBASE_DURABLE_COMMITS", "1")
	cfg, err := LoadConfig()
	if err != nil || !cfg.DurableCommits {
		t.Fatalf("LoadConfig: %v, DurableCommits %v", err, cfg.DurableCommits)
	}
	t.Setenv("TOOLBASE_DURABLE_COMMITS", "maybe")
	if _, err := LoadConfig(); err == nil {
		t.Error("TOOLBASE_DURABLE_COMMITS=maybe accepted")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		durable bool
		file    string
		want    int
	}{{true, "data.db", 2}, {true, "auxiliary.db", 1}, {false, "data.db", 1}} {
		db, err := DBConnect(false, tc.durable)(dir + "/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var sync int
		if err := db.NewQuery("PRAGMA synchronous").Row(&sync); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if sync != tc.want {
			t.Errorf("durable=%v %s: synchronous=%d, want %d", tc.durable, tc.file, sync, tc.want)
		}
	}
}
