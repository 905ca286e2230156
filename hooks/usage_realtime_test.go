package hooks

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	c "toolbase/collections"
)

// sseEvent is one server-sent event.
type sseEvent struct{ name, data string }

// connectRealtime opens PocketBase's realtime stream (GET /api/realtime) and
// returns its client id and its events until ctx ends.
func connectRealtime(t *testing.T, ctx context.Context, base string) (string, <-chan sseEvent) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/realtime", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan sseEvent, 100)
	connected := make(chan string, 1)
	go func() {
		defer res.Body.Close()
		defer close(events)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				ev.name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			case line == "":
				if ev.name == "PB_CONNECT" {
					var m struct{ ClientID string }
					json.Unmarshal([]byte(ev.data), &m)
					connected <- m.ClientID
				} else if ev.name != "" {
					select {
					case events <- ev:
					case <-ctx.Done():
						return
					}
				}
				ev = sseEvent{}
			}
		}
	}()
	select {
	case id := <-connected:
		return id, events
	case <-time.After(5 * time.Second):
		t.Fatal("no PB_CONNECT within 5s")
	}
	return "", nil
}

// subscribe opens PocketBase's realtime stream as the JS SDK does (GET
// /api/realtime, then POST /api/realtime with the client id, the topics and
// the user's token) and returns its events until ctx ends.
func subscribe(t *testing.T, ctx context.Context, base, auth string, topics ...string) <-chan sseEvent {
	t.Helper()
	id, events := connectRealtime(t, ctx, base)
	body, _ := json.Marshal(map[string]any{"clientId": id, "subscriptions": topics})
	if status, b := request(t, http.MethodPost, base+"/api/realtime", auth, string(body)); status != 204 {
		t.Fatalf("subscribing: %d %s", status, b)
	}
	return events
}

// collect reads events until want ids arrived (or the deadline), then for a
// grace period, and returns the record ids seen per topic.
func collect(events <-chan sseEvent, want int, deadline, grace time.Duration) map[string]map[string]any {
	seen := map[string]map[string]any{}
	timeout := time.After(deadline)
	var graceC <-chan time.Time
	n := 0
	if want == 0 {
		graceC = time.After(grace)
	}
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return seen
			}
			var msg struct {
				Action string         `json:"action"`
				Record map[string]any `json:"record"`
			}
			json.Unmarshal([]byte(ev.data), &msg)
			id, _ := msg.Record["id"].(string)
			seen[id] = msg.Record
			n++
			if n == want && graceC == nil {
				graceC = time.After(grace)
			}
		case <-graceC:
			return seen
		case <-timeout:
			return seen
		}
	}
}

func keysOf(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestRealtimeUsageOfOwnTools: through a real realtime subscription, a
// creator sees the usage of its tools as it happens and no other; a client
// sees its own; a guest nothing; and a creator never sees a client's balance
// or Idempotency-Key in the usage it is shown.
func TestRealtimeUsageOfOwnTools(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	subs := map[string]<-chan sseEvent{
		"creator":  subscribe(t, ctx, base, fx.creator.auth, c.ToolUsage+"/*"),
		"creator2": subscribe(t, ctx, base, fx.creator2.auth, c.ToolUsage+"/*"),
		"client2":  subscribe(t, ctx, base, fx.client2.auth, c.ToolUsage+"/*"),
		"admin":    subscribe(t, ctx, base, fx.admin.auth, c.ToolUsage+"/*"),
		"guest":    subscribe(t, ctx, base, "", c.ToolUsage+"/*"),
		"feedback": subscribe(t, ctx, base, fx.client2.auth, c.ToolFeedback+"/*"),
	}

	use := func(who fixtureUser, tool, key string) string {
		return useOver(t, base, who, tool, key, `{"input_data":{"secret":"of `+who.email+`"}}`)
	}
	onActive := use(fx.client, fx.active, "client-key-1") // creator's tool
	onOther := use(fx.client2, fx.other, "")              // creator2's tool
	ownUse := use(fx.creator, fx.active, "")              // the creator's own use

	// a private review by client on creator's tool: client2 must not see it
	status, body := request(t, http.MethodPost, base+"/api/tools/tools/"+fx.active+"/submit_feedback/", fx.client.auth, `{"rating":2,"is_public":false}`)
	if status != 201 {
		t.Fatalf("private review: %d %s", status, body)
	}

	want := map[string][]string{
		"creator":  {onActive, ownUse},
		"creator2": {onOther},
		"client2":  {onOther},
		"admin":    {onActive, onOther, ownUse},
		"guest":    nil,
		"feedback": nil,
	}
	results := map[string]map[string]map[string]any{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, ch := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := collect(ch, len(want[name]), 5*time.Second, 300*time.Millisecond)
			mu.Lock()
			results[name] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	for name, ids := range want {
		slices.Sort(ids)
		if got := keysOf(results[name]); !slices.Equal(got, ids) {
			t.Errorf("%s saw %v, want %v", name, got, ids)
		}
	}
	// what the creator is shown of the client's use
	rec := results["creator"][onActive]
	if rec == nil {
		t.Fatal("creator did not see the client's use of its tool")
	}
	for _, private := range []string{c.UsageRemainingPoints, c.UsageIdempotencyKey} {
		if _, ok := rec[private]; ok {
			t.Errorf("the creator is shown the client's %s: %v", private, rec)
		}
	}
	if rec[c.UsageCreatorEarning] != float64(activeCost-activeCost*20/100) {
		t.Errorf("the creator is not shown its earning: %v", rec)
	}
	// the payer sees its balance, not the creator's share
	if rec := results["client2"][onOther]; rec == nil || rec[c.UsageRemainingPoints] != float64(fixturePoints-otherCost) || rec[c.UsageCreatorEarning] != nil {
		t.Errorf("client2's own event: %v", rec)
	}
	if rec[c.UsageTool] != fx.active || rec[c.UsageUser] != fx.client.id {
		t.Errorf("creator's event: %v", rec)
	}
	// the admin sees them
	if rec := results["admin"][onActive]; rec == nil || rec[c.UsageIdempotencyKey] != "client-key-1" {
		t.Errorf("admin's event: %v", rec)
	}
	// the same holds for the records API
	status, body = request(t, http.MethodGet, base+"/api/collections/"+c.ToolUsage+"/records", fx.creator.auth, "")
	var list struct{ Items []map[string]any }
	json.Unmarshal(body, &list)
	var ids []string
	for _, it := range list.Items {
		ids = append(ids, it["id"].(string))
		if it["id"] == onActive {
			if _, shown := it[c.UsageRemainingPoints]; shown || it[c.UsageIdempotencyKey] != nil {
				t.Errorf("the records API shows the creator the client's private fields: %v", it)
			}
		}
	}
	slices.Sort(ids)
	if status != 200 || !slices.Equal(ids, want["creator"]) {
		t.Errorf("creator's usage list on the records API: %d %v, want %v", status, ids, want["creator"])
	}
}
