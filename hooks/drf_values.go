package hooks

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"
)

// rfc3339 formats a stored time as RFC 3339 UTC, and a missing one as null.
func rfc3339(dt types.DateTime) any {
	if dt.IsZero() {
		return nil
	}
	return dt.Time().UTC().Format("2006-01-02T15:04:05.000Z")
}

// drfDuration formats milliseconds as DRF's DurationField does ("00:00:00.100000").
func drfDuration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	s := fmt.Sprintf("%02d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	if us := d.Microseconds() % 1e6; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	if days > 0 {
		s = fmt.Sprintf("%d %s", days, s)
	}
	return s
}

// nullIfEmpty shows an unset relation as null, as DRF does.
func nullIfEmpty(id string) any {
	if id == "" {
		return nil
	}
	return id
}
