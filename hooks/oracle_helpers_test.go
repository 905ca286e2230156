package hooks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tests"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// oracleWorld is a served app holding secrets of one user that another user
// can reach only through filters: a staff note on client's ticket, client's
// private review, Idempotency-Key and input of a use of creator's tool, and
// the creator's revenue in the ledger row of that use.
type oracleWorld struct {
	app  *tests.TestApp
	base string
	// ids
	ticket, clientUse, client2Use string
}

const (
	oracleNote   = "SECRET-STAFF-NOTE"
	oracleReview = "PRIVATE-REVIEW-TEXT"
	oracleKey    = "client-secret-key"
	oracleInput  = "client-secret-input"
)

func newOracleWorld(t *testing.T) *oracleWorld {
	t.Helper()
	app := newTestApp(t)
	w := &oracleWorld{app: app, base: serve(t, app)}
	must := func(status int, body []byte, want int, what string) []byte {
		t.Helper()
		if status != want {
			t.Fatalf("%s: %d %s", what, status, body)
		}
		return body
	}
	idOf := func(b []byte, key string) string {
		var m map[string]any
		json.Unmarshal(b, &m)
		s, _ := m[key].(string)
		return s
	}
	w.clientUse = w.use(t, fx.client, oracleKey, oracleInput)
	w.client2Use = w.use(t, fx.client2, "", "nothing")

	reviews := w.base + "/api/tools/tools/" + fx.active + "/submit_feedback/"
	must2 := func(status int, body []byte) { must(status, body, 201, "review") }
	must2(request(t, http.MethodPost, reviews, fx.client.auth, `{"rating":2,"comment":"`+oracleReview+`","is_public":false}`))
	must2(request(t, http.MethodPost, reviews, fx.client2.auth, `{"rating":5,"comment":"fine","is_public":true}`))

	records := func(col string) string { return w.base + "/api/collections/" + col + "/records" }
	st, b := request(t, http.MethodPost, records("support_tickets"), fx.client.auth, `{"subject":"help"}`)
	w.ticket = idOf(must(st, b, 200, "ticket"), "id")
	st, b = request(t, http.MethodPost, records("ticket_messages"), fx.client.auth, `{"ticket":"`+w.ticket+`","body":"hello"}`)
	must(st, b, 200, "message")
	st, b = request(t, http.MethodPost, records("ticket_messages"), fx.admin.auth, `{"ticket":"`+w.ticket+`","body":"`+oracleNote+`","internal":true}`)
	must(st, b, 200, "staff note")
	return w
}

// use makes who use creator's ACTIVE tool through the DRF API, with an
// Idempotency-Key (or none) and a secret input, and returns the usage id.
func (w *oracleWorld) use(t *testing.T, who fixtureUser, key, input string) string {
	t.Helper()
	return useOver(t, w.base, who, fx.active, key, `{"input_data":{"secret":"`+input+`"}}`)
}

// useOver makes who use tool over HTTP at base with body and an
// Idempotency-Key (or none), and returns the usage id; anything but 200 fails.
func useOver(t *testing.T, base string, who fixtureUser, tool, key, body string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+useURL(tool), strings.NewReader(body))
	req.Header.Set("Authorization", who.auth)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		UsageID string `json:"usage_id"`
	}
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != 200 {
		t.Fatalf("use: %d", res.StatusCode)
	}
	return out.UsageID
}

// answer is what a caller learns from one request: its status and the ids
// it is shown (or the error body).
type answer struct {
	status int
	ids    string
}

// list asks the records API for col's records with a filter and/or sort.
func (w *oracleWorld) list(t *testing.T, auth, col, filter, sort string) answer {
	t.Helper()
	q := url.Values{"perPage": {"500"}}
	if filter != "" {
		q.Set("filter", filter)
	}
	if sort != "" {
		q.Set("sort", sort)
	}
	status, body := request(t, http.MethodGet, w.base+"/api/collections/"+col+"/records?"+q.Encode(), auth, "")
	if status != http.StatusOK {
		return answer{status, string(body)}
	}
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range page.Items {
		ids = append(ids, it.ID)
	}
	if sort == "" {
		slices.Sort(ids)
	}
	return answer{status, strings.Join(ids, ",")}
}

// topic is a realtime topic on col's records with a subscription filter.
func topic(col, filter string) string {
	opts, _ := json.Marshal(map[string]any{"query": map[string]string{"filter": filter}})
	return col + "/*?options=" + url.QueryEscape(string(opts))
}

// realtimeClient is one SSE connection to /api/realtime.
type realtimeClient struct {
	id     string
	events <-chan sseEvent
}

// connect opens a realtime connection and waits for its client id.
func (w *oracleWorld) connect(t *testing.T, ctx context.Context) *realtimeClient {
	t.Helper()
	id, events := connectRealtime(t, ctx, w.base)
	return &realtimeClient{id: id, events: events}
}

// subscribe sets the client's subscriptions and returns the answer's status.
func (w *oracleWorld) subscribe(t *testing.T, rc *realtimeClient, auth string, topics ...string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"clientId": rc.id, "subscriptions": topics})
	status, _ := request(t, http.MethodPost, w.base+"/api/realtime", auth, string(body))
	return status
}

// received drains the events that arrive within d and returns their record ids.
func (rc *realtimeClient) received(d time.Duration) string {
	var ids []string
	deadline := time.After(d)
	for {
		select {
		case ev, ok := <-rc.events:
			if !ok {
				return strings.Join(ids, ",")
			}
			var msg struct {
				Record map[string]any `json:"record"`
			}
			json.Unmarshal([]byte(ev.data), &msg)
			id, _ := msg.Record["id"].(string)
			ids = append(ids, id)
		case <-deadline:
			slices.Sort(ids)
			return strings.Join(ids, ",")
		}
	}
}

// realtimeOracle subscribes two fresh connections of auth to col with the
// filters yes and no, makes change happen, and returns what each learnt:
// the subscription's status and the events it received.
func (w *oracleWorld) realtimeOracle(t *testing.T, auth, col, yes, no string, change func()) (answer, answer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	a, b := w.connect(t, ctx), w.connect(t, ctx)
	sa := w.subscribe(t, a, auth, topic(col, yes))
	sb := w.subscribe(t, b, auth, topic(col, no))
	change()
	return answer{sa, a.received(700 * time.Millisecond)}, answer{sb, b.received(300 * time.Millisecond)}
}

// touchTool saves the tool (a new description), which broadcasts its update.
func (w *oracleWorld) touchTool(t *testing.T, id string) {
	t.Helper()
	rec, err := w.app.FindRecordById(c.Tools, id)
	if err != nil {
		t.Fatal(err)
	}
	rec.Set(c.ToolDescription, "touched "+time.Now().String())
	if err := ledger.SaveSystem(w.app, rec); err != nil {
		t.Fatal(err)
	}
}

// indistinguishable fails unless both answers are the same refusal (400)
// or the same answer.
func indistinguishable(t *testing.T, what string, yes, no answer) {
	t.Helper()
	if yes != no {
		t.Errorf("%s: the oracle answers differently:\n  true  → %d %s\n  false → %d %s", what, yes.status, yes.ids, no.status, no.ids)
	}
}

// refused fails unless the answer is a refusal in PocketBase's shape: 400,
// or the 403 PocketBase itself gives to @request.* and @collection.*.
func refused(t *testing.T, what string, a answer) {
	t.Helper()
	if a.status != http.StatusBadRequest && a.status != http.StatusForbidden {
		t.Errorf("%s: %d %s, want 400 (or 403)", what, a.status, a.ids)
	}
}
