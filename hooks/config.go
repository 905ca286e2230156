package hooks

import (
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"toolbase/hooks/ledger"
	"toolbase/hooks/recordcache"
)

// Config is toolbase's configuration: LoadConfig reads it from the
// environment once, at start, and Register passes it to what needs it. Every
// environment setting is documented in the README.
type Config struct {
	// FeePercent is the platform's share of each paid use, floored
	// (TOOLBASE_PLATFORM_FEE_PERCENT, 0–100, default 20).
	FeePercent int64
	// AllowPrivateEndpoints lets tools call loopback, private and link-local
	// addresses (TOOLBASE_ALLOW_PRIVATE_ENDPOINTS=1; for tests and closed networks).
	AllowPrivateEndpoints bool
	// AllowHTTPEndpoints lets api_endpoint use plain http
	// (TOOLBASE_ALLOW_HTTP_ENDPOINTS=1); https only otherwise.
	AllowHTTPEndpoints bool
	// ToolMaxInFlight bounds the calls to one tool's endpoint running at once;
	// beyond it a use answers 429 (TOOLBASE_TOOL_MAX_IN_FLIGHT, 1–10000, default 32).
	ToolMaxInFlight int64
	// AccessTTL and RefreshTTL are the lifetimes of the DRF API's tokens
	// (TOOLBASE_ACCESS_TOKEN_TTL, default 60m, and TOOLBASE_REFRESH_TOKEN_TTL,
	// default 24h, as SimpleJWT's; Go durations up to a year).
	AccessTTL, RefreshTTL time.Duration
	// MinPayout is the smallest payout a creator may request
	// (TOOLBASE_MIN_PAYOUT, 1–1e12, default 100).
	MinPayout int64
	// RefundWindowDays is how long after a usage its payer may request a
	// refund (TOOLBASE_REFUND_WINDOW_DAYS, 1–3650, default 30).
	RefundWindowDays int64
	// StatsCacheTTL is how long the statistics routes reuse a computed body
	// (TOOLBASE_STATS_CACHE_SECONDS, 0–3600, default 5; 0 computes every time).
	StatsCacheTTL time.Duration
	// DurableCommits opens data.db with synchronous=FULL: every commit, so
	// every acknowledged use, is on disk before its answer
	// (TOOLBASE_DURABLE_COMMITS=1; off: NORMAL, where a crash of the machine
	// may lose the last commits). main passes it to DBConnect.
	DurableCommits bool
	// LogUses keeps successful uses in PocketBase's request log
	// (TOOLBASE_LOG_USES=1). Off, only refused or failed uses are logged
	// there: each use is recorded in tool_usage and the ledger already, and a
	// request log row per use cost a fifth of its throughput.
	LogUses bool
	// Now is the clock API keys are checked and their quotas counted by;
	// nil is time.Now (tests set it to move time for their own app).
	Now func() time.Time
}

// now is the time by cfg's clock.
func (cfg Config) now() time.Time {
	if cfg.Now != nil {
		return cfg.Now()
	}
	return time.Now()
}

// ledger is what the ledger needs of the configuration.
func (cfg Config) ledger() ledger.Config {
	return ledger.Config{FeePercent: cfg.FeePercent, Now: cfg.Now}
}

// DefaultConfig is the configuration with every setting at its default.
func DefaultConfig() Config {
	return Config{FeePercent: 20, ToolMaxInFlight: 32, AccessTTL: time.Hour, RefreshTTL: 24 * time.Hour,
		MinPayout: 100, RefundWindowDays: 30, StatsCacheTTL: 5 * time.Second}
}

// LoadConfig reads the configuration from the environment and refuses values
// that make no sense rather than running with a surprise.
func LoadConfig() (Config, error) {
	cfg := DefaultConfig()
	statsSeconds := int64(cfg.StatsCacheTTL / time.Second)
	for _, err := range []error{
		envInt("TOOLBASE_PLATFORM_FEE_PERCENT", 0, 100, &cfg.FeePercent),
		envBool("TOOLBASE_ALLOW_PRIVATE_ENDPOINTS", &cfg.AllowPrivateEndpoints),
		envBool("TOOLBASE_ALLOW_HTTP_ENDPOINTS", &cfg.AllowHTTPEndpoints),
		envInt("TOOLBASE_TOOL_MAX_IN_FLIGHT", 1, 10000, &cfg.ToolMaxInFlight),
		envDuration("TOOLBASE_ACCESS_TOKEN_TTL", &cfg.AccessTTL),
		envDuration("TOOLBASE_REFRESH_TOKEN_TTL", &cfg.RefreshTTL),
		envInt("TOOLBASE_MIN_PAYOUT", 1, 1e12, &cfg.MinPayout),
		envInt("TOOLBASE_REFUND_WINDOW_DAYS", 1, 3650, &cfg.RefundWindowDays),
		envInt("TOOLBASE_STATS_CACHE_SECONDS", 0, 3600, &statsSeconds),
		envBool("TOOLBASE_DURABLE_COMMITS", &cfg.DurableCommits),
		envBool("TOOLBASE_LOG_USES", &cfg.LogUses),
	} {
		if err != nil {
			return cfg, err
		}
	}
	cfg.StatsCacheTTL = time.Duration(statsSeconds) * time.Second
	return cfg, nil
}

func envDuration(name string, dst *time.Duration) error {
	raw, ok := os.LookupEnv(name)
	if !ok || raw == "" {
		return nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 || d > 365*24*time.Hour {
		return fmt.Errorf("%s=%q: want a Go duration up to 8760h, e.g. 15m or 12h", name, raw)
	}
	*dst = d
	return nil
}

func envBool(name string, dst *bool) error {
	raw, ok := os.LookupEnv(name)
	if !ok || raw == "" {
		return nil
	}
	v, err := strconv.ParseBool(raw)
	if err != nil {
		return fmt.Errorf("%s=%q: want 1/0, true/false", name, raw)
	}
	*dst = v
	return nil
}

func envInt(name string, min, max int64, dst *int64) error {
	raw, ok := os.LookupEnv(name)
	if !ok || raw == "" {
		return nil
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || v < min || v > max {
		return fmt.Errorf("%s=%q: want a whole number from %d to %d", name, raw, min, max)
	}
	*dst = v
	return nil
}

// toolbase is what Register builds once for an app from its configuration:
// the configuration and the services that keep state in memory. The hooks,
// handlers and commands that need them are its methods; nothing is looked up
// on the app.
type toolbase struct {
	cfg     Config
	caller  *caller                            // tools' endpoints: one connection pool, calls in flight per tool
	logins  *loginThrottle                     // failed logins (auth.go, auth_native.go)
	stats   *statsCache                        // the statistics routes' bodies
	touches *keyTouches                        // API keys' last_used writes
	routes  *routeTable                        // the DRF API's routes, for the API description's test
	uses    *ledger.Group                      // the uses' group commit (nil: a transaction per use)
	tools   *recordcache.Cache                 // the use route's tools (visibleTool)
	users   *recordcache.Cache                 // callers of identity-only routes (auth_cache.go)
	grants  *expirable.LRU[string, tokenGrant] // verified tokens (auth_cache.go)
	keys    *recordcache.Cache                 // API keys of identity-only routes (auth_cache.go)
	keyIDs  *expirable.LRU[string, string]     // API keys' ids by their secrets' hashes (auth_cache.go)
	// keyLookup is the API key middleware's query, prepared at serve (nil: compiled each time)
	keyLookup atomic.Pointer[sql.Stmt]
}

func newToolbase(cfg Config) *toolbase {
	return &toolbase{
		cfg:     cfg,
		caller:  newCaller(cfg),
		logins:  newLoginThrottle(loginThrottleCap),
		stats:   newStatsCache(cfg.StatsCacheTTL),
		touches: newKeyTouches(),
		routes:  &routeTable{byPath: map[string][]string{}},
		grants:  newTokenGrants(),
		keyIDs:  newKeyIDs(),
	}
}
