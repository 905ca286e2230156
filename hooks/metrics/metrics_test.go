package metrics_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/internal/opstest"
	"toolbase/hooks/metrics"
)

// A scrape after a few uses shows the counters moved; without the token or
// a superuser, the metrics are refused.
func TestScrapeAfterUses(t *testing.T) {
	t.Setenv(metrics.TokenEnv, "scrape-secret")
	app := opstest.NewApp(t)
	creator, _ := opstest.User(t, app, "creator", c.RoleToolCreator, 0)
	_, alice := opstest.User(t, app, "alice", c.RoleClient, 100)
	tool := opstest.Tool(t, app, creator.Id, 7)
	base := opstest.Serve(t, app)

	before := scrape(t, base)
	for range 3 {
		if res, body := opstest.Use(t, base, tool, "Authorization", alice); res.StatusCode != http.StatusOK {
			t.Fatalf("use: %d %s", res.StatusCode, body)
		}
	}
	// one the user cannot afford
	expensive := opstest.Tool(t, app, creator.Id, 1000)
	if res, _ := opstest.Use(t, base, expensive, "Authorization", alice); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("unaffordable use: %d", res.StatusCode)
	}
	after := scrape(t, base)

	for series, want := range map[string]float64{
		`toolbase_uses_total{outcome="ok"}`:                                                           3,
		`toolbase_uses_total{outcome="insufficient_points"}`:                                          1,
		`toolbase_points_moved_total{kind="USAGE"}`:                                                   21,
		`toolbase_http_requests_total{method="POST",route="/api/tools/tools/{id}/use/",status="2xx"}`: 3,
		`toolbase_http_requests_total{method="POST",route="/api/tools/tools/{id}/use/",status="4xx"}`: 1,
	} {
		if got := value(after, series) - value(before, series); got != want {
			t.Errorf("%s moved by %v, want %v", series, got, want)
		}
	}
	for _, name := range []string{"toolbase_http_request_duration_seconds_bucket", "toolbase_db_size_bytes",
		"toolbase_db_wal_size_bytes", "toolbase_usages_pending", "toolbase_replication_lag_seconds",
		"toolbase_remote_calls_in_flight", "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(after, "\n"+name) {
			t.Errorf("no %s in the scrape", name)
		}
	}
	if regexp.MustCompile(`route="[^"]*` + tool).MatchString(after) {
		t.Error("a raw id in a route label")
	}
	if value(after, "toolbase_db_size_bytes") <= 0 {
		t.Error("toolbase_db_size_bytes is not the database's size")
	}

	// refused without the token; a superuser may
	if res, _ := opstest.Do(t, http.MethodGet, base+metrics.Path, ""); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("scrape without a token: %d", res.StatusCode)
	}
	if res, _ := opstest.Do(t, http.MethodGet, base+metrics.Path, "", "Authorization", "Bearer wrong"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("scrape with a wrong token: %d", res.StatusCode)
	}
	if res, _ := opstest.Do(t, http.MethodGet, base+metrics.Path, "", "Authorization", alice); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("scrape as a client: %d", res.StatusCode)
	}
	su := core.NewRecord(mustCollection(t, app, core.CollectionNameSuperusers))
	su.SetEmail("root@test.example")
	su.SetRandomPassword()
	if err := app.Save(su); err != nil {
		t.Fatal(err)
	}
	token, _ := su.NewAuthToken()
	if res, _ := opstest.Do(t, http.MethodGet, base+metrics.Path, "", "Authorization", token); res.StatusCode != http.StatusOK {
		t.Errorf("scrape as a superuser: %d", res.StatusCode)
	}
}

func mustCollection(t *testing.T, app core.App, name string) *core.Collection {
	col, err := app.FindCollectionByNameOrId(name)
	if err != nil {
		t.Fatal(err)
	}
	return col
}

func scrape(t *testing.T, base string) string {
	t.Helper()
	res, body := opstest.Do(t, http.MethodGet, base+metrics.Path, "", "Authorization", "Bearer scrape-secret")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %s\n%.300s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	return body
}

// value reads one series of a Prometheus text exposition (0 when absent).
func value(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v
		}
	}
	return 0
}
