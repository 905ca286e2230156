package hooks

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	c "toolbase/collections"
)

// balanceSubscriber is one SSE connection to /api/realtime that collects the
// users records it receives.
type balanceSubscriber struct {
	records chan map[string]any
}

// subscribeBalances connects to base's realtime API as auth, subscribes to
// topics, and collects the users records of the update events it receives.
func subscribeBalances(t *testing.T, base, auth string, topics ...string) *balanceSubscriber {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	events := subscribe(t, ctx, base, auth, topics...)
	s := &balanceSubscriber{records: make(chan map[string]any, 32)}
	go func() {
		for ev := range events {
			var m struct {
				Action string         `json:"action"`
				Record map[string]any `json:"record"`
			}
			if json.Unmarshal([]byte(ev.data), &m) != nil || m.Action != "update" {
				continue
			}
			select {
			case s.records <- m.Record:
			case <-ctx.Done():
				return
			}
		}
	}()
	return s
}

// waitFor waits up to d for a record of user whose field equals want.
func (s *balanceSubscriber) waitFor(t *testing.T, user, field string, want float64, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	var seen []string
	for {
		select {
		case rec := <-s.records:
			if rec["id"] == user && rec[field] == want {
				return
			}
			b, _ := json.Marshal(rec)
			seen = append(seen, string(b))
		case <-deadline:
			t.Fatalf("no event with %s %v for %s within %s; saw:\n%s", field, want, user, d, strings.Join(seen, "\n"))
		}
	}
}

// none fails if the subscriber receives anything within d.
func (s *balanceSubscriber) none(t *testing.T, who string, d time.Duration) {
	t.Helper()
	select {
	case rec := <-s.records:
		t.Errorf("%s received %v", who, rec)
	case <-time.After(d):
	}
}

// Every balance change publishes an update of its owner's users record after
// the commit: a use reaches the payer (points) and the creator (revenue), an
// admin's grant reaches the client, admins watching users/* see both, and
// nobody else hears anything, whatever they subscribe to.
func TestRealtimeBalanceEvents(t *testing.T) {
	app := newTestApp(t)
	base := serve(t, app)

	client := subscribeBalances(t, base, fx.client.auth, c.Users+"/"+fx.client.id)
	creator := subscribeBalances(t, base, fx.creator.auth, c.Users+"/"+fx.creator.id)
	admin := subscribeBalances(t, base, fx.admin.auth, c.Users+"/*")
	// another client asks for the client's record, and for every user
	snoop := subscribeBalances(t, base, fx.client2.auth, c.Users+"/"+fx.client.id, c.Users+"/*", c.Users)

	if status, body := post(t, base+useURL(fx.active), fx.client.auth, "", `{"input_data":{"text":"hi"}}`); status != 200 {
		t.Fatalf("use: %d %s", status, body)
	}
	earning := float64(activeCost - activeCost*20/100)
	client.waitFor(t, fx.client.id, c.UserPointsBalance, fixturePoints-activeCost, 5*time.Second)
	creator.waitFor(t, fx.creator.id, c.UserTotalRevenue, earning, 5*time.Second)
	admin.waitFor(t, fx.client.id, c.UserPointsBalance, fixturePoints-activeCost, 5*time.Second)

	if status, body := post(t, base+"/api/users/users/"+fx.client.id+"/add_points/", fx.admin.auth, "", `{"points":25,"reason":"live"}`); status != 200 {
		t.Fatalf("add_points: %d %s", status, body)
	}
	client.waitFor(t, fx.client.id, c.UserPointsBalance, fixturePoints-activeCost+25, 5*time.Second)

	snoop.none(t, "another client", 300*time.Millisecond)
	// another user's use is none of the client's business
	if status, _ := post(t, base+useURL(fx.active), fx.client2.auth, "", `{"input_data":{}}`); status != 200 {
		t.Fatalf("client2's use: %d", status)
	}
	client.none(t, "the client, after another user's use", 300*time.Millisecond)
}
