package yamlfast

import yaml "go.yaml.in/yaml/v3"

// arena hands out nodes and Content slices from a few large chunks: a
// million-node corpus becomes a few hundred allocations, which the garbage
// collector tracks as a few hundred objects instead of a million.
type arena struct {
	nodes []yaml.Node
	ptrs  []*yaml.Node
	// left estimates how many more nodes the rest of the input holds, to
	// size the next chunk.
	left func() int
}

const (
	minChunk = 64
	maxChunk = 1 << 15
)

func (a *arena) chunk() int {
	return min(max(a.left(), minChunk), maxChunk)
}

// node returns a zeroed node that stays valid for the arena's lifetime
// (chunks are never reallocated, only replaced).
func (a *arena) node() *yaml.Node {
	if len(a.nodes) == cap(a.nodes) {
		a.nodes = make([]yaml.Node, 0, a.chunk())
	}
	a.nodes = a.nodes[:len(a.nodes)+1]
	return &a.nodes[len(a.nodes)-1]
}

// content copies items into an exactly sized slice carved from a shared
// chunk. The slice's capacity is its length, so a caller appending to one
// node's Content reallocates instead of overwriting its neighbour's.
func (a *arena) content(items []*yaml.Node) []*yaml.Node {
	k := len(items)
	if k == 0 {
		return nil
	}
	if cap(a.ptrs)-len(a.ptrs) < k {
		a.ptrs = make([]*yaml.Node, 0, max(k, a.chunk()))
	}
	start := len(a.ptrs)
	a.ptrs = append(a.ptrs, items...)
	return a.ptrs[start : start+k : start+k]
}
