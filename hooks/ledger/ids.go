package ledger

import (
	"crypto/rand"
	"encoding/binary"
	"sync/atomic"
	"time"
)

// NewID returns an id for a row the ledger appends (a usage, a ledger row),
// in PocketBase's format (15 characters of [a-z0-9]), that sorts after the
// ids this process made before it: 9 characters of the time in milliseconds
// (base 36, enough until the year 5000) and 6 of a counter that starts at
// random. Appended in order, the rows' ids (and the ledger's usage column)
// land on the last pages of their indexes: a use writes one page there for a
// whole group, where random ids wrote one random page each per use.
//
// Two ids collide only if one process makes 36⁶ (2 billion) of them within a
// millisecond, or two processes writing at once (the server and a command)
// draw the same counter in the same millisecond. Like created_at, an id tells
// when its row was made; no id in toolbase is a secret.
func NewID() string {
	n := idCounter.Add(1) % idCounterSpan
	ms := uint64(time.Now().UnixMilli())
	var b [15]byte
	base36(b[:9], ms)
	base36(b[9:], n)
	return string(b[:])
}

const idCounterSpan = 36 * 36 * 36 * 36 * 36 * 36

// idCounter is the process's id sequence: process-wide, as uniqueness is.
var idCounter atomic.Uint64

func init() {
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	idCounter.Store(binary.LittleEndian.Uint64(seed[:]) % idCounterSpan)
}

const digits36 = "0123456789abcdefghijklmnopqrstuvwxyz"

// base36 writes v into dst, zero-padded to its length (the high digits cut).
func base36(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = digits36[v%36]
		v /= 36
	}
}
