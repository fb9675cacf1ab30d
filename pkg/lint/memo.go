package lint

import "sync"

// Key names one fact derived from a whole Set (an index of pods by label,
// the autoscaler of every workload). Rules of different packages that need
// the same fact share its Key, and the fact is built once per run, the
// first time any of them asks: the Set owns it, so it lives exactly as
// long as the run and nothing outlives it in a package-level cache.
//
// A Key is a value declared once, next to its build function; its identity
// (the pointer) is what tells facts apart, so two Keys with the same name
// are still two facts.
type Key[T any] struct {
	name  string
	build func(*Set) T
}

// NewKey declares a fact built by build. build must only read the Set: it
// may run on any worker, once per Set.
func NewKey[T any](name string, build func(*Set) T) *Key[T] {
	return &Key[T]{name: name, build: build}
}

// String is the fact's name, for debugging.
func (k *Key[T]) String() string { return k.name }

// memo holds a Set's facts. Each entry has its own once, so building one
// fact never waits for another, and two workers asking for the same fact
// at once build it once.
type memo struct {
	mu      sync.Mutex
	entries map[any]*memoEntry
	// builds counts facts built: the memo's tests prove with it that a
	// fact is built once however many rules ask.
	builds int
}

type memoEntry struct {
	once  sync.Once
	value any
}

// Memo returns the fact k of s, building it on first use.
func Memo[T any](s *Set, k *Key[T]) T {
	s.memo.mu.Lock()
	if s.memo.entries == nil {
		s.memo.entries = map[any]*memoEntry{}
	}
	e := s.memo.entries[k]
	if e == nil {
		e = &memoEntry{}
		s.memo.entries[k] = e
	}
	s.memo.mu.Unlock()
	e.once.Do(func() {
		e.value = k.build(s)
		s.memo.mu.Lock()
		s.memo.builds++
		s.memo.mu.Unlock()
	})
	return e.value.(T)
}
