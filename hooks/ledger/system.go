package ledger

import (
	"context"

	"github.com/pocketbase/pocketbase/core"
)

type systemKey struct{}

// SystemContext marks a save as toolbase's own: the record guards (hooks'
// guard.go) let it write the fields and collections only toolbase writes
// (balances, counters, usage rows, audit rows, decided payouts and refunds).
var SystemContext = context.WithValue(context.Background(), systemKey{}, true)

// IsSystem reports whether ctx is SystemContext (or derived from it).
func IsSystem(ctx context.Context) bool {
	v, _ := ctx.Value(systemKey{}).(bool)
	return v
}

// SaveSystem validates and saves a record on toolbase's own authority.
func SaveSystem(app core.App, r *core.Record) error {
	return app.SaveWithContext(SystemContext, r)
}
