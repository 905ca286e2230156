package hooks

import (
	"strings"
	"testing"
)

// The statistics routes reuse a body for TOOLBASE_STATS_CACHE_SECONDS, per
// caller: a client's numbers are not another's, and stay for the TTL.
func TestStatsCache(t *testing.T) {
	t.Setenv("TOOLBASE_STATS_CACHE_SECONDS", "60")
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	app, _ := newTestBase(t, func(tc *Config) { tc.StatsCacheTTL = cfg.StatsCacheTTL })
	base := serve(t, app)
	useTimes(t, app, fx.client.id, fx.active, 1)
	stats := func(who fixtureUser) string {
		status, body := get(t, base+"/api/tools/usage/stats/", who.auth)
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		return body
	}
	first := stats(fx.client)
	useTimes(t, app, fx.client.id, fx.active, 1)
	if again := stats(fx.client); again != first {
		t.Errorf("within the TTL the body changed:\n%s\n%s", first, again)
	}
	if other := stats(fx.client2); strings.Contains(other, `"total_uses":1`) || other == first {
		t.Errorf("client2 got client's numbers: %s", other)
	}
	if !strings.Contains(stats(fx.creator), `"total_uses":2`) {
		t.Error("the creator's first request did not see both uses")
	}

	// with the cache off, every request computes
	t.Setenv("TOOLBASE_STATS_CACHE_SECONDS", "0")
	if cfg, err = LoadConfig(); err != nil {
		t.Fatal(err)
	}
	fresh, _ := newTestBase(t, func(tc *Config) { tc.StatsCacheTTL = cfg.StatsCacheTTL })
	freshBase := serve(t, fresh)
	useTimes(t, fresh, fx.client.id, fx.active, 1)
	_, before := get(t, freshBase+"/api/tools/usage/stats/", fx.client.auth)
	useTimes(t, fresh, fx.client.id, fx.active, 1)
	if _, after := get(t, freshBase+"/api/tools/usage/stats/", fx.client.auth); after == before {
		t.Error("with the cache off the body did not change")
	}
}
