package startup

import (
	"syscall"
	"unsafe"
)

// Advice values from <linux/mman.h>; the syscall package predates them.
const (
	madvPopulateRead  = 22
	madvPopulateWrite = 23
)

// heapAhead is how much heap past the first allocation is made resident.
// A one-file lint touches about 3 MiB of heap during package
// initialisation and the run itself; populating more only costs time
// zeroing pages nobody uses (tried 1–8 MiB: 2–5 alike within the noise,
// 1 and 8 slower).
const heapAhead = 3 << 20

// heapChunk is the unit in which the Go runtime maps heap address space
// read-write (pallocChunkBytes); past the current chunk the arena is still
// PROT_NONE, and populating it would fail.
const heapChunk = 4 << 20

// heapSpan is how many bytes from addr to populate: heapAhead, but not past
// the end of the heap chunk addr is in. The heap's start is randomised
// within its chunk, so some runs get less than heapAhead; the pages beyond
// fault in as usual.
func heapSpan(addr uintptr) uintptr {
	end := (addr + heapChunk) &^ (heapChunk - 1)
	return min(heapAhead, end-addr)
}

// rodataMarker lives in the executable's read-only data, so its address
// finds that mapping whatever the binary's layout (PIE or not).
var rodataMarker = "platformctl read-only data marker"

// heapMarker is allocated by init; its address is the low end of the heap
// the rest of start-up is about to allocate from.
var heapMarker *[16]byte

func init() {
	heapMarker = new([16]byte)
	heap := uintptr(unsafe.Pointer(heapMarker)) &^ uintptr(syscall.Getpagesize()-1)
	madvise(heap, heapSpan(heap), madvPopulateWrite)

	maps, err := readSelfMaps()
	if err != nil {
		return
	}
	code := funcPC(populate)
	rodata := uintptr(unsafe.Pointer(unsafe.StringData(rodataMarker)))
	for _, addr := range []uintptr{code, rodata} {
		if lo, hi, ok := mappingOf(maps, addr); ok {
			madvise(lo, hi-lo, madvPopulateRead)
		}
	}
}

// populate exists so that its address names the text mapping.
func populate() {}

func funcPC(f func()) uintptr {
	// A func value points at a closure record whose first word is the code
	// pointer.
	return **(**uintptr)(unsafe.Pointer(&f))
}

func madvise(addr, n, advice uintptr) {
	// Best effort: EINVAL before Linux 5.14, ENOMEM past the end of a
	// mapping; either way the pages simply fault in later as usual.
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, addr, n, advice)
}

// readSelfMaps reads /proc/self/maps; a Go process has a few dozen
// mappings, well inside one 8 KiB read.
func readSelfMaps() ([]byte, error) {
	fd, err := syscall.Open("/proc/self/maps", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer func() { _ = syscall.Close(fd) }() // read-only: nothing to lose
	buf := make([]byte, 8192)
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return buf[:n], nil
}
