package hooks

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// TestKeyQuotaConcurrent: 30 parallel uses through a key limited to 10 a
// day (then 10 a month): exactly 10 pass, 20 are 429 and cost nothing.
func TestKeyQuotaConcurrent(t *testing.T) {
	t.Parallel()
	for _, limit := range []string{c.APIKeyDailyLimit, c.APIKeyMonthlyLimit} {
		t.Run(limit, func(t *testing.T) {
			app := newTestApp(t)
			base := serve(t, app)
			k := insertKey(t, app, fx.client.id, "", func(r *core.Record) { r.Set(limit, 10) })
			var wg sync.WaitGroup
			var mu sync.Mutex
			statuses := map[int]int{}
			var tooMany string
			for i := range 30 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h := apiKeyHeader(k.secret)
					if i%2 == 1 {
						h = authzKeyHeader(k.secret)
					}
					status, body, hdr := call(t, http.MethodPost, base+useURL(fx.active), h, `{"input_data":{}}`)
					mu.Lock()
					defer mu.Unlock()
					statuses[status]++
					if status == 429 {
						tooMany = body
						if hdr.Get("Retry-After") == "" {
							t.Error("429 without Retry-After")
						}
					}
				}()
			}
			wg.Wait()
			if statuses[200] != 10 || statuses[429] != 20 {
				t.Fatalf("statuses %v, want 10×200 and 20×429", statuses)
			}
			if !strings.Contains(tooMany, `"detail":"`) || !strings.Contains(tooMany, "limit of this API key reached: 10 uses per UTC") {
				t.Errorf("429 body %s", tooMany)
			}
			if got := balance(t, app, fx.client.id); got != fixturePoints-10*activeCost {
				t.Errorf("balance %d, want %d", got, fixturePoints-10*activeCost)
			}
			if n := count(t, app, c.ToolUsage, dbx.HashExp{c.UsageAPIKey: k.id}); n != 10 {
				t.Errorf("%d usage rows", n)
			}
			r := keyRecord(t, app, k.id)
			if r.GetInt64(c.APIKeyDailyUsage) != 10 || r.GetInt64(c.APIKeyMonthlyUsage) != 10 {
				t.Errorf("counters %d/%d, want 10/10", r.GetInt64(c.APIKeyDailyUsage), r.GetInt64(c.APIKeyMonthlyUsage))
			}
			mustVerify(t, app)
		})
	}
}

// TestKeyQuotaPeriods walks the clock across a UTC day and a UTC month.
func TestKeyQuotaPeriods(t *testing.T) {
	t.Parallel()
	clock := &testClock{}
	app, _ := newTestBase(t, func(cfg *Config) { cfg.Now = clock.now })
	base := serve(t, app)
	use := func(k testKey) (int, string, http.Header) {
		return call(t, http.MethodPost, base+useURL(fx.other), apiKeyHeader(k.secret), `{"input_data":{}}`)
	}
	counters := func(k testKey) string {
		r := keyRecord(t, app, k.id)
		return fmt.Sprintf("%d/%d %s %s", r.GetInt64(c.APIKeyDailyUsage), r.GetInt64(c.APIKeyMonthlyUsage), r.GetString(c.APIKeyUsageDay), r.GetString(c.APIKeyUsageMonth))
	}

	clock.set(time.Date(2031, 1, 31, 23, 59, 58, 0, time.UTC))
	daily := insertKey(t, app, fx.client.id, "", func(r *core.Record) { r.Set(c.APIKeyDailyLimit, 2) })
	for i := range 2 {
		if s, b, _ := use(daily); s != 200 {
			t.Fatalf("use %d: %d %s", i, s, b)
		}
	}
	s, b, h := use(daily)
	if s != 429 || !strings.Contains(b, "Daily limit of this API key reached: 2 uses per UTC day.") || h.Get("Retry-After") != "2" {
		t.Fatalf("third use of the day: %d %s Retry-After %q", s, b, h.Get("Retry-After"))
	}
	if got := counters(daily); got != "2/2 2031-01-31 2031-01" {
		t.Fatalf("counters %s", got)
	}
	// the shown usage belongs to the day: stale counters show 0
	clock.set(time.Date(2031, 2, 1, 0, 0, 0, 0, time.UTC))
	_, shown, _ := call(t, http.MethodGet, base+keyURL(daily.id), bearer(fx.client), "")
	if !strings.Contains(shown, `"daily_usage":0`) || !strings.Contains(shown, `"monthly_usage":0`) {
		t.Errorf("a new day and month show %s", shown)
	}
	if s, b, _ := use(daily); s != 200 {
		t.Fatalf("first use of the new day: %d %s", s, b)
	}
	if got := counters(daily); got != "1/1 2031-02-01 2031-02" {
		t.Fatalf("after midnight: counters %s", got)
	}

	monthly := insertKey(t, app, fx.client.id, "", func(r *core.Record) {
		r.Set(c.APIKeyDailyLimit, 100)
		r.Set(c.APIKeyMonthlyLimit, 3)
	})
	for day := 1; day <= 3; day++ {
		clock.set(time.Date(2031, 2, day, 12, 0, 0, 0, time.UTC))
		if s, b, _ := use(monthly); s != 200 {
			t.Fatalf("use on Feb %d: %d %s", day, s, b)
		}
	}
	clock.set(time.Date(2031, 2, 28, 23, 0, 0, 0, time.UTC))
	s, b, h = use(monthly)
	if s != 429 || !strings.Contains(b, "Monthly limit of this API key reached: 3 uses per UTC month.") || h.Get("Retry-After") != "3600" {
		t.Fatalf("fourth use of the month: %d %s Retry-After %q", s, b, h.Get("Retry-After"))
	}
	clock.set(time.Date(2031, 3, 1, 0, 0, 0, 0, time.UTC))
	if s, b, _ := use(monthly); s != 200 {
		t.Fatalf("first use of March: %d %s", s, b)
	}
	if got := counters(monthly); got != "1/1 2031-03-01 2031-03" {
		t.Fatalf("counters %s", got)
	}

	// a key with a limit of 0 uses nothing
	zero := insertKey(t, app, fx.client.id, "", func(r *core.Record) { r.Set(c.APIKeyDailyLimit, 0) })
	if s, b, _ := use(zero); s != 429 {
		t.Fatalf("limit 0: %d %s", s, b)
	}
	mustVerify(t, app)
}

func TestKeyQuotaCountsNothingRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := serve(t, app)
	k := insertKey(t, app, fx.client.id, "", func(r *core.Record) { r.Set(c.APIKeyDailyLimit, 5) })
	h := apiKeyHeader(k.secret)
	// a replay is no new use
	h["Idempotency-Key"] = "once"
	for range 3 {
		if s, b, _ := call(t, http.MethodPost, base+useURL(fx.active), h, `{"input_data":{}}`); s != 200 {
			t.Fatalf("%d %s", s, b)
		}
	}
	delete(h, "Idempotency-Key")
	// not enough points: rolled back with the use
	if _, err := postAudited(app, actorInfo{}, ledger.Entry{User: fx.client.id, Account: c.AccountPoints, Kind: c.KindDeduct, Amount: -(fixturePoints - activeCost - 3)}); err != nil {
		t.Fatal(err)
	}
	if s, b, _ := call(t, http.MethodPost, base+useURL(fx.active), h, `{"input_data":{}}`); s != 400 {
		t.Fatalf("insufficient: %d %s", s, b)
	}
	// not usable, not visible
	call(t, http.MethodPost, base+useURL(fx.draft), h, `{}`)
	if r := keyRecord(t, app, k.id); r.GetInt64(c.APIKeyDailyUsage) != 1 {
		t.Errorf("daily_usage %d, want 1", r.GetInt64(c.APIKeyDailyUsage))
	}
	mustVerify(t, app)
}

// TestKeyRevokedDuringUse: a key deactivated between its authentication and
// its use's transaction is refused inside the transaction.
func TestKeyRevokedDuringUse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	k := insertKey(t, app, fx.client.id, "", nil)
	tool, _ := app.FindRecordById(c.Tools, fx.active)
	client, _ := app.FindRecordById(c.Users, fx.client.id)
	r := keyRecord(t, app, k.id)
	r.Set(c.APIKeyIsActive, false)
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	_, err := useTool(app, ledger.UseRequest{Tool: tool, User: client, Input: []byte(`{}`), APIKey: k.id})
	if !errors.Is(err, ledger.ErrKeyInvalid) {
		t.Fatalf("use through a deactivated key: %v", err)
	}
	nothingWritten(t, app)
}
