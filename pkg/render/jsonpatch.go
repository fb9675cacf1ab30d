package render

import (
	"fmt"

	"github.com/platformctl/platformctl/pkg/manifest"
)

// Op is one RFC 6902 JSON patch operation. Overlays use them only to rename
// an object (metadata.name, metadata.namespace), which a strategic-merge
// patch cannot do: it finds its target by that name.
type Op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// encodeOps prints a JSON patch; ops become plain maps so the fast emitter
// applies, and "value" is left out when an op has none.
func encodeOps(ops []Op) ([]byte, error) {
	l := make([]any, len(ops))
	for i, o := range ops {
		m := manifest.Map{"op": o.Op, "path": o.Path}
		if o.Value != nil {
			m["value"] = o.Value
		}
		l[i] = m
	}
	b, err := manifest.EncodeList(l)
	if err != nil {
		return nil, fmt.Errorf("encode patch: %w", err)
	}
	return b, nil
}
