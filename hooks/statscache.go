package hooks

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// statsCache keeps the statistics routes' bodies for a few seconds: dashboards
// poll them, each costs milliseconds of SQL over thousands of usage rows, and
// sixteen concurrent identical requests would otherwise compute sixteen times
// on two cores. Concurrent requests for one key wait for a single computation.
// A body is cached only after the route's access checks, under a key that
// names the caller, so nobody is served another's numbers.
type statsCache struct {
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]*statsEntry
}

type statsEntry struct {
	ready   chan struct{}
	body    any
	err     error
	expires time.Time
}

const (
	statsCacheKey = "toolbase.statsCache"
	// statsCacheMax bounds the entries kept; expired ones go first
	statsCacheMax = 10000
)

func statsCacheOf(app core.App) *statsCache {
	ttl := configOf(app).StatsCacheTTL // read outside GetOrSet, which holds the store's lock
	return app.Store().GetOrSet(statsCacheKey, func() any {
		return &statsCache{ttl: ttl, entries: map[string]*statsEntry{}}
	}).(*statsCache)
}

// get returns the body cached under key, or computes, caches and returns it.
// Errors are not cached.
func (sc *statsCache) get(key string, compute func() (any, error)) (any, error) {
	if sc.ttl <= 0 {
		return compute()
	}
	now := time.Now()
	sc.mu.Lock()
	if e, ok := sc.entries[key]; ok && (e.expires.IsZero() || now.Before(e.expires)) {
		sc.mu.Unlock()
		<-e.ready
		if e.err == nil {
			return e.body, nil
		}
		return compute()
	}
	if len(sc.entries) >= statsCacheMax {
		for k, e := range sc.entries {
			if !e.expires.IsZero() && now.After(e.expires) {
				delete(sc.entries, k)
			}
		}
	}
	e := &statsEntry{ready: make(chan struct{})}
	sc.entries[key] = e
	sc.mu.Unlock()

	e.body, e.err = compute()
	sc.mu.Lock()
	if e.err != nil || len(sc.entries) > statsCacheMax {
		delete(sc.entries, key)
	} else {
		e.expires = time.Now().Add(sc.ttl)
	}
	sc.mu.Unlock()
	close(e.ready)
	return e.body, e.err
}
