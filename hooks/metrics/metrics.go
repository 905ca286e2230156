// Package metrics is toolbase's Prometheus instrumentation: the collectors,
// the small functions the business code calls to count (UseRecorded,
// PointsMoved, RemoteCallStarted, RateLimited, Replica*), the request
// middleware and the GET /api/metrics route.
//
// Everything is registered in client_golang's default registry, which
// already holds the Go runtime and process collectors (and Litestream's own
// litestream_* series when replication is on).
package metrics

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"toolbase/hooks/internal/middleware"
)

// TokenEnv names the environment variable holding the bearer token that may
// scrape /api/metrics (besides a superuser's token).
const TokenEnv = "TOOLBASE_METRICS_TOKEN"

// Path is where the metrics are served.
const Path = "/api/metrics"

// requestPriority runs the request middleware before every other one
// (PocketBase's activity logger is -1040), so that its latency is the whole request's.
const requestPriority = -1100

var (
	requests = counterVec("toolbase_http_requests_total", "HTTP requests by method, route pattern and status class.", "method", "route", "status")
	latency  = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "toolbase_http_request_duration_seconds",
		Help:    "HTTP request latency by method, route pattern and status class.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "status"})
	uses           = counterVec("toolbase_uses_total", "Tool uses (POST .../use/) by outcome.", "outcome")
	points         = counterVec("toolbase_points_moved_total", "Points moved by ledger rows, by kind (absolute amounts).", "kind")
	ledgerRows     = counterVec("toolbase_ledger_rows_total", "Ledger rows posted, by kind.", "kind")
	remoteInFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "toolbase_remote_calls_in_flight", Help: "Calls to tools' endpoints running now."})
	remoteCalls    = counterVec("toolbase_remote_calls_total", "Calls to tools' endpoints by result (ok, failed).", "result")
	remoteLatency  = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "toolbase_remote_call_duration_seconds",
		Help:    "Latency of calls to tools' endpoints.",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	})
	refused = counterVec("toolbase_ratelimit_refused_total",
		"Requests refused by a rate limit, by limiter (pocketbase, toolbase) and rule.", "limiter", "rule")
	replicaErrors   = prometheus.NewCounter(prometheus.CounterOpts{Name: "toolbase_replication_errors_total", Help: "Failed replication syncs."})
	replicaLastSync atomic.Int64 // unix nanoseconds of the last successful sync; 0 never
	replicaEnabled  atomic.Bool

	current atomic.Pointer[core.App] // the app whose database the gauges read
)

// counterVec is a counter by labels.
func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

func init() {
	prometheus.MustRegister(requests, latency, uses, points, ledgerRows, remoteInFlight, remoteCalls,
		remoteLatency, refused, replicaErrors,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "toolbase_replication_enabled",
			Help: "1 when continuous replication (TOOLBASE_REPLICA_URL) is on.",
		}, func() float64 { return b2f(replicaEnabled.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "toolbase_replication_last_sync_timestamp_seconds",
			Help: "When the replica last caught up with the database (unix seconds; 0 never).",
		}, func() float64 { return float64(replicaLastSync.Load()) / 1e9 }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "toolbase_replication_lag_seconds",
			Help: "Seconds since the replica last caught up with the database (-1 when replication is off).",
		}, ReplicationLag),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "toolbase_usages_pending",
			Help: "Uses of remote tools whose call has not settled.",
		}, pendingUsages),
		dbFileGauge("toolbase_db_size_bytes", "Size of data.db.", "data.db"),
		dbFileGauge("toolbase_db_wal_size_bytes", "Size of data.db's write-ahead log.", "data.db-wal"),
		dbFileGauge("toolbase_auxdb_size_bytes", "Size of auxiliary.db (request logs).", "auxiliary.db"),
	)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func dbFileGauge(name, help, file string) prometheus.GaugeFunc {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		app := current.Load()
		if app == nil {
			return 0
		}
		st, err := os.Stat(filepath.Join((*app).DataDir(), file))
		if err != nil {
			return 0
		}
		return float64(st.Size())
	})
}

func pendingUsages() float64 {
	app := current.Load()
	if app == nil || !(*app).IsBootstrapped() {
		return 0
	}
	var n int64
	// literal names: this package must not import the business code
	_ = (*app).DB().NewQuery("SELECT COUNT(*) FROM tool_usage WHERE state = 'PENDING'").Row(&n)
	return float64(n)
}

// UseRecorded counts one use of a tool by its outcome (ok, replayed,
// insufficient_points, not_usable, refused, failed, error...).
func UseRecorded(outcome string) { uses.WithLabelValues(outcome).Inc() }

// PointsMoved counts one posted ledger row of kind and amount (its sign ignored).
func PointsMoved(kind string, amount int64) {
	if amount < 0 {
		amount = -amount
	}
	points.WithLabelValues(kind).Add(float64(amount))
	ledgerRows.WithLabelValues(kind).Inc()
}

// RemoteCallStarted counts a call to a tool's endpoint as in flight; call the
// returned function when it ends, with whether it failed.
func RemoteCallStarted() func(failed bool) {
	remoteInFlight.Inc()
	start := time.Now()
	return func(failed bool) {
		remoteInFlight.Dec()
		remoteLatency.Observe(time.Since(start).Seconds())
		result := "ok"
		if failed {
			result = "failed"
		}
		remoteCalls.WithLabelValues(result).Inc()
	}
}

// RateLimited counts a request refused by limiter's rule.
func RateLimited(limiter, rule string) { refused.WithLabelValues(limiter, rule).Inc() }

// ReplicationEnabled says whether replication runs.
func ReplicationEnabled(on bool) { replicaEnabled.Store(on) }

// ReplicaSynced records that the replica caught up at t.
func ReplicaSynced(t time.Time) { replicaLastSync.Store(t.UnixNano()) }

// ReplicaError counts a failed replication sync.
func ReplicaError() { replicaErrors.Inc() }

// ReplicationLag is the number of seconds since the replica last caught up
// (-1 when replication is off; since the start when it never did).
func ReplicationLag() float64 {
	if !replicaEnabled.Load() {
		return -1
	}
	last := replicaLastSync.Load()
	if last == 0 {
		return time.Since(started).Seconds()
	}
	return time.Since(time.Unix(0, last)).Seconds()
}

var started = time.Now()

// Bind serves GET /api/metrics and counts every request of app.
func Bind(app core.App) {
	current.Store(&app)
	middleware.Bind(app, "toolbaseRequestMetrics", requestPriority, countRequest)
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Id: "toolbaseMetrics",
		Func: func(se *core.ServeEvent) error {
			se.Router.GET(Path, serveMetrics)
			return se.Next()
		},
	})
}

// countRequest observes a request under its route pattern (never its raw path).
func countRequest(e *core.RequestEvent) error {
	start := time.Now()
	err := e.Next()
	status := e.Status()
	if err != nil && !e.Written() {
		var apiErr *router.ApiError
		switch {
		case errors.As(err, &apiErr):
			status = apiErr.Status
		case errors.Is(err, http.ErrAbortHandler):
			status = 499
		default:
			status = router.ToApiError(err).Status
		}
	}
	if status == 0 {
		status = http.StatusOK
	}
	class := strconv.Itoa(status/100) + "xx"
	route := RouteLabel(e.Request)
	requests.WithLabelValues(e.Request.Method, route, class).Inc()
	latency.WithLabelValues(e.Request.Method, route, class).Observe(time.Since(start).Seconds())
	return err
}

// RouteLabel is the request's route pattern without its method and the
// exact-match marker ("/api/tools/tools/{id}/use/"), or "unmatched".
func RouteLabel(r *http.Request) string {
	p := r.Pattern
	if _, path, ok := strings.Cut(p, " "); ok {
		p = path
	}
	p = strings.TrimSuffix(p, "{$}")
	if p == "" {
		return "unmatched"
	}
	return p
}

var handler = promhttp.HandlerFor(prometheus.DefaultGatherer, promhttp.HandlerOpts{})

// serveMetrics answers a superuser or the bearer of TOOLBASE_METRICS_TOKEN.
func serveMetrics(e *core.RequestEvent) error {
	if !e.HasSuperuserAuth() && !bearerOK(e.Request) {
		e.Response.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		return e.UnauthorizedError("The metrics need a superuser token or the TOOLBASE_METRICS_TOKEN bearer.", nil)
	}
	handler.ServeHTTP(e.Response, e.Request)
	return nil
}

func bearerOK(r *http.Request) bool {
	want := os.Getenv(TokenEnv)
	if want == "" {
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(want)) == 1
}
