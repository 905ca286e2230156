package djangoimport

import (
	"fmt"
	"io"
	"time"
)

// progress prints, now and then, how far a phase got: rows (or bytes) done of
// the total, the rate and the time left. Nothing at all without a writer.
type progress struct {
	w            io.Writer
	name         string
	total, count int64
	bytes_       bool
	started      time.Time
	last         time.Time
}

func newProgress(w io.Writer) *progress { return &progress{w: w} }

func (p *progress) phase(name string, total int64) {
	if p.w == nil {
		return
	}
	p.name, p.total, p.count, p.bytes_ = name, total, 0, name == "checking the file"
	p.started, p.last = time.Now(), time.Time{}
}

// add counts n more rows.
func (p *progress) add(n int64) {
	if p.w == nil {
		return
	}
	p.count += n
	p.print(false)
}

// bytes sets the bytes read.
func (p *progress) bytes(done int64) {
	if p.w == nil {
		return
	}
	p.count = done
	p.print(false)
}

// done ends the phase's line.
func (p *progress) done() {
	if p.w == nil || p.name == "" {
		return
	}
	p.print(true)
	fmt.Fprintln(p.w)
	p.name = ""
}

func (p *progress) print(final bool) {
	now := time.Now()
	if !final && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	elapsed := now.Sub(p.started).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.count) / elapsed
	}
	eta := "?"
	if rate > 0 && p.total >= p.count {
		eta = time.Duration(float64(p.total-p.count) / rate * float64(time.Second)).Round(time.Second).String()
	}
	unit, scale := "rows", 1.0
	if p.bytes_ {
		unit, scale = "MB", 1<<20
	}
	fmt.Fprintf(p.w, "\r\033[K%s: %.0f/%.0f %s, %.0f %s/s, %s left",
		p.name, float64(p.count)/scale, float64(p.total)/scale, unit, rate/scale, unit, eta)
}
