// Package ratelimit is toolbase's rate limiting (issue 15), on top of
// PocketBase's limiter and under its one switch (settings.rateLimits.enabled):
//
//   - PocketBase's limiter (fixed windows per client address, rules in
//     settings.rateLimits, enabled with toolbase's rules by the migration
//     1795825000_rate_limits) keeps limiting every route. This package adds
//     the headers it lacks: RateLimit-Policy on every response of a limited
//     route, and on a refusal Retry-After, RateLimit and, on the DRF
//     routes, DRF's throttle body.
//   - toolbase's own limits, where an address is the wrong key: per API key
//     (or per user, for a token) on POST /api/tools/tools/{id}/use/ (rule
//     "toolbase_use") and on the write routes of API keys, payouts, refunds and
//     support tickets (rule "toolbase_write"). Their numbers are rules of
//     settings.rateLimits too, with those tag labels (PocketBase never matches
//     a tag against a request, so it leaves them to us): MaxRequests is the
//     burst, refilled at MaxRequests per Duration seconds, by
//     golang.org/x/time/rate token buckets.
//
// The headers follow the IETF httpapi draft "RateLimit header fields for
// HTTP" (structured fields): RateLimit-Policy: "name";q=N;w=SECONDS and
// RateLimit: "name";r=REMAINING;t=SECONDS.
package ratelimit

import (
	"errors"
	"fmt"
	"log"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"golang.org/x/time/rate"

	c "toolbase/collections"
	"toolbase/hooks/internal/middleware"
	"toolbase/hooks/metrics"
)

// The tag labels of toolbase's own rules in settings.rateLimits.rules.
const (
	RuleUse   = "toolbase_use"
	RuleWrite = "toolbase_write"
)

const (
	// headersPriority wraps PocketBase's limiter (-1000), after the token and
	// API key middlewares (-1020, -1017) so that the audience is known.
	headersPriority = apis.DefaultRateLimitMiddlewarePriority - 1
	// ownPriority runs toolbase's limiter right after PocketBase's: a request
	// it refuses does not spend toolbase tokens.
	ownPriority = apis.DefaultRateLimitMiddlewarePriority + 1
	// apiKeyEventKey is where hooks/keys.go stores the id of the API key that
	// authenticated a request.
	apiKeyEventKey = "toolbase.apiKey"
)

// Bind installs the limiter on app's router.
func Bind(app core.App) {
	l := &limiter{buckets: expirable.NewLRU[string, *rate.Limiter](maxBuckets, nil, bucketIdle)}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		warnProxy(se.App)
		return se.Next()
	})
	middleware.Bind(app, "toolbaseRateLimitHeaders", headersPriority, decoratePocketBase)
	middleware.Bind(app, "toolbaseRateLimitOwn", ownPriority, l.handle)
}

// warnProxy says, at start, that limits per address need the trusted proxy
// headers behind a reverse proxy.
func warnProxy(app core.App) {
	s := app.Settings()
	if !s.RateLimits.Enabled || len(s.TrustedProxy.Headers) > 0 {
		return
	}
	msg := "rate limits are on and key on the client address, but no trusted proxy header is set: " +
		"behind a reverse proxy every client shares the proxy's address. Set Settings > Application > " +
		"Trusted proxy headers (e.g. X-Forwarded-For or X-Real-IP) in the dashboard; see docs/operations.md"
	app.Logger().Warn(msg)
	log.Println("WARNING: " + msg)
}

// ---------------------------------------------------------------------------
// PocketBase's limiter: headers and answers

// decoratePocketBase adds the headers to the routes PocketBase's limiter
// covers, and turns its refusal into one a client can act on.
func decoratePocketBase(e *core.RequestEvent) error {
	settings := e.App.Settings()
	if !settings.RateLimits.Enabled || e.HasSuperuserAuth() {
		return e.Next()
	}
	rule, ok := pocketBaseRule(e, &settings.RateLimits)
	if ok {
		e.Response.Header().Add("RateLimit-Policy", policy(ruleName(rule), rule.MaxRequests, rule.Duration))
	}
	err := e.Next()
	var apiErr *router.ApiError
	if err == nil || e.Written() || !errors.As(err, &apiErr) || apiErr.Status != http.StatusTooManyRequests ||
		!strings.HasPrefix(fmt.Sprint(apiErr.RawData()), "triggered rate limit rule") {
		return err
	}
	wait := int64(1)
	name := "pocketbase"
	if ok {
		// a fixed window: it resets at most Duration seconds from now
		wait, name = max(1, rule.Duration), ruleName(rule)
	}
	metrics.RateLimited("pocketbase", name)
	return refuse(e, name, wait)
}

// pocketBaseRule finds the rule PocketBase's limiter applies to the request,
// with the labels it searches (apis/middlewares_rate_limit.go).
func pocketBaseRule(e *core.RequestEvent, cfg *core.RateLimitsConfig) (core.RateLimitRule, bool) {
	audience := []string{core.RateLimitRuleAudienceAll, core.RateLimitRuleAudienceGuest}
	if e.Auth != nil {
		audience = []string{core.RateLimitRuleAudienceAll, core.RateLimitRuleAudienceAuth}
	}
	labels := make([]string, 0, 6)
	if tags := collectionTags(e.Request); len(tags) > 0 {
		name := e.Request.PathValue("collection")
		if col, err := e.App.FindCachedCollectionByNameOrId(name); err == nil {
			name = col.Name
		}
		for _, t := range tags {
			labels = append(labels, name+":"+t)
		}
		for _, t := range tags {
			labels = append(labels, "*:"+t)
		}
	}
	labels = append(labels, e.Request.Method+" "+e.Request.URL.Path, e.Request.URL.Path)
	return cfg.FindRateLimitRule(labels, audience...)
}

// collectionTags are the action tags PocketBase checks on the records and
// auth routes of a collection.
func collectionTags(r *http.Request) []string {
	_, path, _ := strings.Cut(r.Pattern, " ")
	rest, ok := strings.CutPrefix(path, "/api/collections/{collection}/")
	if !ok {
		return nil
	}
	switch rest {
	case "records":
		if r.Method == http.MethodPost {
			return []string{"create"}
		}
		return []string{"list"}
	case "records/{id}":
		switch r.Method {
		case http.MethodGet:
			return []string{"view"}
		case http.MethodDelete:
			return []string{"delete"}
		}
		return []string{"update"}
	case "auth-with-password":
		return []string{"authWithPassword", "auth"}
	case "auth-with-oauth2":
		return []string{"authWithOAuth2", "auth"}
	case "auth-with-otp":
		return []string{"authWithOTP", "auth"}
	case "auth-refresh":
		return []string{"authRefresh"}
	case "auth-methods":
		return []string{"listAuthMethods"}
	case "request-otp":
		return []string{"requestOTP"}
	case "request-password-reset":
		return []string{"requestPasswordReset"}
	case "confirm-password-reset":
		return []string{"confirmPasswordReset"}
	case "request-verification":
		return []string{"requestVerification"}
	case "confirm-verification":
		return []string{"confirmVerification"}
	case "request-email-change":
		return []string{"requestEmailChange"}
	case "confirm-email-change":
		return []string{"confirmEmailChange"}
	}
	return nil
}

func ruleName(r core.RateLimitRule) string { return r.Label + r.Audience }

// ---------------------------------------------------------------------------
// toolbase's limits: per API key or per user

// limiter holds a token bucket per (rule, API key or user), in an expiring
// LRU: a bucket idle for bucketIdle is full again (for windows up to a day),
// so forgetting it changes nothing, and the LRU bounds the memory.
type limiter struct {
	mu      sync.Mutex
	buckets *expirable.LRU[string, *rate.Limiter]
}

const (
	maxBuckets = 100_000
	bucketIdle = 24 * time.Hour
)

// handle applies toolbase's rule of the route, if any, to the request's API
// key or user.
func (l *limiter) handle(e *core.RequestEvent) error {
	settings := e.App.Settings()
	if !settings.RateLimits.Enabled || e.HasSuperuserAuth() || e.Auth == nil {
		return e.Next() // unauthenticated: the route itself answers 401
	}
	label := RouteRule(e.Request)
	if label == "" {
		return e.Next()
	}
	rule, ok := settings.RateLimits.FindRateLimitRule([]string{label})
	if !ok || rule.MaxRequests <= 0 || rule.Duration <= 0 {
		return e.Next()
	}
	subject := "user:" + e.Auth.Id
	if key, _ := e.Get(apiKeyEventKey).(string); key != "" {
		subject = "key:" + key
	}
	now := time.Now()
	b := l.bucket(rule, subject)
	name := ruleName(rule)
	h := e.Response.Header()
	h.Add("RateLimit-Policy", policy(name, rule.MaxRequests, rule.Duration))
	res := b.ReserveN(now, 1)
	if delay := res.DelayFrom(now); !res.OK() || delay > 0 {
		res.CancelAt(now)
		wait := int64(math.Ceil(delay.Seconds()))
		if !res.OK() {
			wait = rule.Duration
		}
		metrics.RateLimited("toolbase", name)
		return refuse(e, name, max(1, wait))
	}
	tokens := b.TokensAt(now)
	perSecond := float64(rule.MaxRequests) / float64(rule.Duration)
	full := int64(math.Ceil((float64(rule.MaxRequests) - tokens) / perSecond))
	h.Add("RateLimit", fmt.Sprintf("%q;r=%d;t=%d", name, int64(math.Floor(tokens)), max(0, full)))
	return e.Next()
}

// bucket returns subject's token bucket for rule (a changed rule starts
// fresh buckets).
func (l *limiter) bucket(rule core.RateLimitRule, subject string) *rate.Limiter {
	key := fmt.Sprintf("%s|%d/%d|%s", ruleName(rule), rule.MaxRequests, rule.Duration, subject)
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets.Get(key)
	if !ok {
		b = rate.NewLimiter(rate.Limit(float64(rule.MaxRequests)/float64(rule.Duration)), rule.MaxRequests)
	}
	l.buckets.Add(key, b) // restarts its idle time
	return b
}

// writeRoutes are the DRF API's write routes under RuleWrite, by pattern.
var writeRoutes = map[string]bool{
	"POST /api/tools/api-keys/{$}":                  true,
	"PUT /api/tools/api-keys/{id}/{$}":              true,
	"PATCH /api/tools/api-keys/{id}/{$}":            true,
	"DELETE /api/tools/api-keys/{id}/{$}":           true,
	"POST /api/tools/api-keys/{id}/regenerate/{$}":  true,
	"POST /api/payouts/{$}":                         true,
	"POST /api/payouts/{id}/approve/{$}":            true,
	"POST /api/payouts/{id}/reject/{$}":             true,
	"POST /api/payouts/{id}/mark_paid/{$}":          true,
	"POST /api/refunds/{$}":                         true,
	"POST /api/refunds/{id}/approve/{$}":            true,
	"POST /api/refunds/{id}/reject/{$}":             true,
	"POST /api/support/tickets/{$}":                 true,
	"PUT /api/support/tickets/{id}/{$}":             true,
	"PATCH /api/support/tickets/{id}/{$}":           true,
	"POST /api/support/tickets/{id}/messages/{$}":   true,
	"POST /api/tools/tools/{id}/signing_secret/{$}": true,
}

// writeCollections are the collections whose records API writes are under RuleWrite.
var writeCollections = map[string]bool{
	c.ToolAPIKeys: true, c.Payouts: true, c.Refunds: true, c.SupportTickets: true, c.TicketMessages: true,
}

// RouteRule names toolbase's rule for the request's route, or "".
func RouteRule(r *http.Request) string {
	switch {
	case r.Pattern == "POST /api/tools/tools/{id}/use/{$}":
		return RuleUse
	case writeRoutes[r.Pattern]:
		return RuleWrite
	case r.Method != http.MethodGet && strings.HasPrefix(r.Pattern, r.Method+" /api/collections/{collection}/records") &&
		writeCollections[r.PathValue("collection")]:
		return RuleWrite
	}
	return ""
}

// ---------------------------------------------------------------------------
// Answers

// policy is one item of RateLimit-Policy.
func policy(name string, quota int, window int64) string {
	return fmt.Sprintf("%q;q=%d;w=%d", name, quota, window)
}

// refuse answers 429: Retry-After and RateLimit, and DRF's throttle body on
// the DRF API's routes (PocketBase's error body elsewhere).
func refuse(e *core.RequestEvent, name string, wait int64) error {
	h := e.Response.Header()
	h.Set("Retry-After", strconv.FormatInt(wait, 10))
	h.Add("RateLimit", fmt.Sprintf("%q;r=0;t=%d", name, wait))
	if drfRoute(e.Request) {
		unit := "seconds"
		if wait == 1 {
			unit = "second"
		}
		return e.JSON(http.StatusTooManyRequests, map[string]string{
			"detail": fmt.Sprintf("Request was throttled. Expected available in %d %s.", wait, unit),
		})
	}
	return e.TooManyRequestsError("", nil)
}

// drfRoute reports whether the request is on a route of the DRF API:
// all of them, and none of PocketBase's, are exact paths ending in "/".
func drfRoute(r *http.Request) bool {
	_, path, _ := strings.Cut(r.Pattern, " ")
	return strings.HasPrefix(path, "/api/") && strings.HasSuffix(path, "/{$}")
}
