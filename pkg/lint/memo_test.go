package lint

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMemo(t *testing.T) {
	calls := map[string]int{}
	var mu sync.Mutex
	count := func(name string) func(*Set) int {
		return func(s *Set) int {
			mu.Lock()
			defer mu.Unlock()
			calls[name]++
			return len(s.Objects)
		}
	}
	kinds := NewKey("kinds", count("kinds"))
	names := NewKey("names", count("names"))

	s := NewSet([]*Object{{Kind: "Pod"}, {Kind: "Service"}})
	// Many workers asking at once build each fact once.
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.Equal(t, 2, Memo(s, kinds))
			assert.Equal(t, 2, Memo(s, names))
		}()
	}
	wg.Wait()
	assert.Equal(t, map[string]int{"kinds": 1, "names": 1}, calls)
	assert.Equal(t, 2, s.memo.builds)

	// Another run (another Set) builds its own facts: nothing is shared
	// between runs.
	other := NewSet([]*Object{{Kind: "Pod"}})
	assert.Equal(t, 1, Memo(other, kinds))
	assert.Equal(t, 2, calls["kinds"])
	assert.Equal(t, 2, Memo(s, kinds), "the first Set keeps its own fact")

	// Two keys with the same name are two facts.
	twin := NewKey("kinds", func(*Set) string { return "twin" })
	assert.Equal(t, "twin", Memo(s, twin))
	assert.Equal(t, "kinds", twin.String())
}
