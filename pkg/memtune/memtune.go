// Package memtune sets the Go runtime's memory limit and collector for one
// lint run, from the size of what it reads. The lint entry point calls it;
// nothing else changes runtime memory settings.
//
// A lint's decoded YAML trees stay live to the end (≈ 7 KiB per object,
// ≈ 20 bytes per byte of YAML), so with the default GOGC a 10,000-object run
// collected several times while its heap grew, for nothing. Below a soft
// limit sized from the input the proportional collector is off, and the
// collector runs only near the limit; a larger input gets a larger limit,
// so it never runs continuously. docs/performance.md has the figures, and
// why lint no longer prefaults memory (at start-up or for large inputs).
package memtune

import (
	"math"
	"os"
	"runtime/debug"
)

// Sizing, from the corpus (docs/performance.md): heap per byte of YAML
// while reading, heap per object read, and the floor of every limit.
const (
	heapPerByte   = 32
	heapPerObject = 16 << 10
	minLimit      = 160 << 20
	// largeHeap is the expected heap from which an input is read with the
	// collector already off: nearly all of a large input's heap stays
	// live, while a small one may make garbage worth collecting.
	largeHeap = 32 << 20
)

// Run is the memory settings of one lint run.
type Run struct {
	heap    int64
	restore func()
}

// Start sets the limit for reading yamlBytes of YAML from paths. A spec
// rendered in memory (rendered) grows with the services it declares, not
// with its file's size, so it is read with no limit and the default
// collector: a limit sized from the file made the collector run
// continuously (1,000 services took 3 s, 2,000 took 9 s). GOMEMLIMIT, when
// set, wins over everything here; GOGC keeps the collector on.
func Start(yamlBytes int64, rendered bool) *Run {
	r := &Run{heap: yamlBytes * heapPerByte}
	if rendered {
		r.restore = set(math.MaxInt64, false)
	} else {
		r.restore = set(r.heap, r.heap*3/4 >= largeHeap)
	}
	return r
}

// Decoded sizes the limit again from the objects read, and turns the
// proportional collector off for the rules: what is live now stays live.
func (r *Run) Decoded(objects int) {
	// Settings are restored to what they were before Start, by Done.
	_ = set(max(r.heap, int64(objects)*heapPerObject), true)
}

// Done restores the limit and GOGC as they were before Start (tests and
// benchmarks run many lints in one process).
func (r *Run) Done() { r.restore() }

// set applies a soft memory limit of at least bytes (minLimit at least)
// and, with collectorOff and unless GOGC is set, turns the proportional
// collector off. It returns a function restoring both.
func set(bytes int64, collectorOff bool) (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := debug.SetMemoryLimit(max(minLimit, bytes))
	gc := debug.SetGCPercent(-1)
	if !collectorOff || os.Getenv("GOGC") != "" {
		debug.SetGCPercent(gc)
	}
	return func() {
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(gc)
	}
}
