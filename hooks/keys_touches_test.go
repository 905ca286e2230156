package hooks

import (
	"fmt"
	"testing"
	"time"
)

// TestKeyTouchesLRU: the last_used throttle is an expiring LRU of each app's
// services, not shared between apps.
func TestKeyTouchesLRU(t *testing.T) {
	t.Parallel()
	_, tb := newTestBase(t)
	_, otherTB := newTestBase(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	touches := tb.touches
	if touches == nil || otherTB.touches == touches {
		t.Fatal("the throttle is not the app's own")
	}
	if !touches.claim("k", t0) || touches.claim("k", t0.Add(10*time.Second)) || touches.claim("k", t0.Add(59*time.Second)) {
		t.Error("a key is claimed twice within a minute")
	}
	if !touches.claim("k", t0.Add(61*time.Second)) {
		t.Error("a key is not claimable after a minute")
	}
	if !otherTB.touches.claim("k", t0) {
		t.Error("the throttle is shared between apps")
	}
	for i := range maxKeyTouches + 10 {
		touches.claim(fmt.Sprint("key", i), t0)
	}
	if n := touches.seen.Len(); n != maxKeyTouches {
		t.Errorf("%d entries, want the bound %d", n, maxKeyTouches)
	}
}
