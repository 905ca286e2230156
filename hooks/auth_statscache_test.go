package hooks

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrent requests for one key share one computation; errors are not
// cached; bodies expire after the TTL; keys are kept apart.
func TestStatsCacheSingleflight(t *testing.T) {
	t.Parallel()
	_, tb := newTestBase(t, func(cfg *Config) { cfg.StatsCacheTTL = time.Second })
	sc := tb.stats

	var computed atomic.Int32
	release := make(chan struct{})
	slow := func() (any, error) {
		computed.Add(1)
		<-release
		return "body", nil
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if body, err := sc.get("k", slow); err != nil || body != "body" {
				t.Errorf("got %v, %v", body, err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := computed.Load(); n != 1 {
		t.Errorf("computed %d times for 16 concurrent requests", n)
	}
	if body, _ := sc.get("k", func() (any, error) { return "fresh", nil }); body != "body" {
		t.Errorf("within the TTL: %v", body)
	}
	if body, _ := sc.get("other", func() (any, error) { return "other", nil }); body != "other" {
		t.Errorf("another key: %v", body)
	}

	boom := errors.New("boom")
	if _, err := sc.get("e", func() (any, error) { return nil, boom }); err != boom {
		t.Fatal(err)
	}
	if body, err := sc.get("e", func() (any, error) { return "ok", nil }); err != nil || body != "ok" {
		t.Errorf("an error was cached: %v %v", body, err)
	}

	time.Sleep(1100 * time.Millisecond)
	if body, _ := sc.get("k", func() (any, error) { return "fresh", nil }); body != "fresh" {
		t.Errorf("after the TTL: %v", body)
	}
}
