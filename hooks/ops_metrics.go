package hooks

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
	"toolbase/hooks/metrics"
)

// Issue 15's metrics: the outcome of a use as a label, and a measured call to
// a tool's endpoint. The counting lines themselves sit in useRoute (use.go),
// ledger.Post and UseTool (use.go, measuredCall).

// useOutcome names how a use ended, for toolbase_uses_total.
func useOutcome(res *ledger.UseResult, err error) string {
	var short *ledger.InsufficientPointsError
	var quota *ledger.KeyQuotaError
	switch {
	case err == nil && res != nil && res.Replayed:
		return "replayed"
	case err == nil && res != nil && c.AsUsage(res.Usage).State() == c.StateFailed:
		return "failed_refunded"
	case err == nil:
		return "ok"
	case errors.As(err, &short) || errors.Is(err, ledger.ErrInsufficient):
		return "insufficient_points"
	case errors.Is(err, ErrNotUsable):
		return "not_usable"
	case errors.As(err, &quota):
		return "key_quota"
	case errors.Is(err, ledger.ErrKeyInvalid):
		return "key_invalid"
	case errors.Is(err, ledger.ErrKeyReused):
		return "idempotency_conflict"
	case errors.Is(err, ErrInProgress):
		return "in_progress"
	case errors.Is(err, ErrTooManyInFlight):
		return "too_many_in_flight"
	}
	return "error"
}

// measuredCall is call, counted in flight, by result and latency.
func (cl *caller) measuredCall(cfg Config, tool *c.Tool, usage *core.Record, input []byte) ledger.Outcome {
	done := metrics.RemoteCallStarted()
	out := cl.call(cfg, tool, usage, input)
	done(out.Failure != "")
	return out
}
