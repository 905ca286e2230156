package hooks

import (
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/sync/singleflight"
)

// statsCache keeps the statistics routes' bodies for a few seconds: dashboards
// poll them, each costs milliseconds of SQL over thousands of usage rows, and
// sixteen concurrent identical requests would otherwise compute sixteen times
// on two cores. Concurrent requests for one key wait for a single computation
// (singleflight); bodies live in an expiring LRU, so a burst of distinct keys
// evicts only the least recently used. A body is cached only after the
// route's access checks, under a key that names the caller, so nobody is
// served another's numbers. Errors are not cached.
type statsCache struct {
	ttl     time.Duration
	entries *expirable.LRU[string, any]
	flight  singleflight.Group
}

// statsCacheMax bounds the entries kept
const statsCacheMax = 10000

// newStatsCache returns a cache keeping bodies for ttl (0: none, every body
// is computed).
func newStatsCache(ttl time.Duration) *statsCache {
	sc := &statsCache{ttl: ttl}
	if ttl > 0 {
		sc.entries = expirable.NewLRU[string, any](statsCacheMax, nil, ttl)
	}
	return sc
}

// get returns the body cached under key, or computes, caches and returns it.
func (sc *statsCache) get(key string, compute func() (any, error)) (any, error) {
	if sc.ttl <= 0 {
		return compute()
	}
	if body, ok := sc.entries.Get(key); ok {
		return body, nil
	}
	body, err, _ := sc.flight.Do(key, func() (any, error) {
		if body, ok := sc.entries.Get(key); ok {
			return body, nil // computed while this caller waited for the flight
		}
		body, err := compute()
		if err == nil {
			sc.entries.Add(key, body)
		}
		return body, err
	})
	return body, err
}
