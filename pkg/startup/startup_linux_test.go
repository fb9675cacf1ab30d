package startup

import (
	"bytes"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The addresses init populates must name this executable's code and
// read-only data, or the populate calls would touch nothing useful.
func TestMarkersFindTheExecutableMappings(t *testing.T) {
	maps, err := readSelfMaps()
	require.NoError(t, err)
	for name, addr := range map[string]uintptr{
		"code":   funcPC(populate),
		"rodata": uintptr(unsafe.Pointer(unsafe.StringData(rodataMarker))),
	} {
		lo, hi, ok := mappingOf(maps, addr)
		require.True(t, ok, name)
		line := lineStarting(maps, lo)
		require.NotNil(t, line, name)
		perms := bytes.Fields(line)[1]
		assert.Equal(t, byte('r'), perms[0], "%s mapping %s", name, line)
		assert.Equal(t, byte('-'), perms[1], "%s mapping is read-only: %s", name, line)
		assert.Less(t, lo, hi)
	}
	assert.NotNil(t, heapMarker, "init ran")
}

func lineStarting(maps []byte, lo uintptr) []byte {
	for _, line := range bytes.Split(maps, []byte{'\n'}) {
		if v, _, ok := parseHex(line); ok && v == lo {
			return line
		}
	}
	return nil
}
