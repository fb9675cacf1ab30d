package startup

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const sampleMaps = `00400000-0112d000 r-xp 00000000 fe:00 1234 /usr/local/bin/platformctl
0112d000-01f57000 r--p 00d2d000 fe:00 1234 /usr/local/bin/platformctl
01f57000-02003000 rw-p 01b57000 fe:00 1234 /usr/local/bin/platformctl
f836281e000-f8362c00000 rw-p 00000000 00:00 0
7ffce6300000-7ffce6321000 rw-p 00000000 00:00 0                          [stack]`

func TestMappingOf(t *testing.T) {
	tests := []struct {
		name   string
		maps   string
		addr   uintptr
		lo, hi uintptr
		ok     bool
	}{
		{"text start", sampleMaps, 0x400000, 0x400000, 0x112d000, true},
		{"rodata middle", sampleMaps, 0x1500000, 0x112d000, 0x1f57000, true},
		{"end is exclusive", sampleMaps, 0x112d000, 0x112d000, 0x1f57000, true},
		{"short address", sampleMaps, 0xf8362900000, 0xf836281e000, 0xf8362c00000, true},
		{"last line without newline", sampleMaps, 0x7ffce6300010, 0x7ffce6300000, 0x7ffce6321000, true},
		{"unmapped", sampleMaps, 0x10, 0, 0, false},
		{"empty", "", 0x400000, 0, 0, false},
		{"garbage lines are skipped", "zz-yy r-xp\n-\n\n00400000-00500000 r-xp 0 0 0", 0x400001, 0x400000, 0x500000, true},
		{"more than 64 bits", "10000000000000000-20000000000000000 r-xp", 0x1, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi, ok := mappingOf([]byte(tt.maps), tt.addr)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.lo, lo, "lo %#x", lo)
			assert.Equal(t, tt.hi, hi, "hi %#x", hi)
		})
	}
}

func TestHeapSpan(t *testing.T) {
	tests := []struct {
		addr, want uintptr
	}{
		{0xc000000000, heapAhead},                         // chunk start: the full amount
		{0xc000100000, heapAhead},                         // 1 MiB in: 3 MiB still fit
		{0xc000200000, 2 << 20},                           // 2 MiB in: only the chunk's rest
		{0xc0003ff000, 4096},                              // last page of the chunk
		{0x1b4179f1e000, 0x1b417a000000 - 0x1b4179f1e000}, // randomised heap base
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, heapSpan(tt.addr), "%#x", tt.addr)
	}
}
