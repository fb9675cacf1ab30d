package memtune

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

// current reads the limit and GOGC without changing them.
func current() (limit int64, gc int) {
	gc = debug.SetGCPercent(-1)
	debug.SetGCPercent(gc)
	return debug.SetMemoryLimit(-1), gc
}

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		yamlBytes int64
		rendered  bool
		objects   int
		// limits and GOGC off, after Start and after Decoded
		startLimit, decodedLimit int64
		startOff, decodedOff     bool
	}{
		{name: "small input", yamlBytes: 1 << 10, objects: 3,
			startLimit: minLimit, decodedLimit: minLimit, decodedOff: true},
		{name: "large input", yamlBytes: 10 << 20, objects: 1000,
			startLimit: 320 << 20, decodedLimit: 320 << 20, startOff: true, decodedOff: true},
		{name: "many small objects", yamlBytes: 4 << 20, objects: 20000,
			startLimit: minLimit, decodedLimit: 20000 * heapPerObject, startOff: true, decodedOff: true},
		{name: "rendered spec", rendered: true, objects: 500,
			startLimit: math.MaxInt64, decodedLimit: minLimit, decodedOff: true},
		{name: "GOGC keeps the collector on", env: map[string]string{"GOGC": "100"}, yamlBytes: 10 << 20, objects: 1000,
			startLimit: 320 << 20, decodedLimit: 320 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			limit0, gc0 := current()
			r := Start(tt.yamlBytes, tt.rendered)
			limit, gc := current()
			assert.Equal(t, max(tt.startLimit, minLimit), limit, "limit after Start")
			assert.Equal(t, tt.startOff, gc == -1, "collector off after Start")
			r.Decoded(tt.objects)
			limit, gc = current()
			assert.Equal(t, max(tt.decodedLimit, minLimit), limit, "limit after Decoded")
			assert.Equal(t, tt.decodedOff, gc == -1, "collector off after Decoded")
			r.Done()
			limit, gc = current()
			assert.Equal(t, limit0, limit, "limit restored")
			assert.Equal(t, gc0, gc, "GOGC restored")
		})
	}
}

// GOMEMLIMIT set by the user wins: nothing changes.
func TestGOMEMLIMITWins(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	limit0, gc0 := current()
	r := Start(100<<20, false)
	r.Decoded(100000)
	limit, gc := current()
	assert.Equal(t, limit0, limit)
	assert.Equal(t, gc0, gc)
	r.Done()
}
