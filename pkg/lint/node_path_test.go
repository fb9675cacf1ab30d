package lint

import (
	"math/rand"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// splitPathReference is the slice-building parser At and Locate used before
// nextSegment; the two must agree on every path.
func splitPathReference(path string) []segment {
	var segs []segment
	for path != "" {
		switch {
		case strings.HasPrefix(path, "["):
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return segs
			}
			inner := path[1:end]
			if i, err := strconv.Atoi(inner); err == nil {
				segs = append(segs, segment{index: i})
			} else {
				segs = append(segs, segment{key: strings.Trim(inner, `"`), index: -1})
			}
			path = strings.TrimPrefix(path[end+1:], ".")
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				segs = append(segs, segment{key: path, index: -1})
				return segs
			}
			segs = append(segs, segment{key: path[:end], index: -1})
			path = path[end:]
			path = strings.TrimPrefix(path, ".")
		}
	}
	return segs
}

func TestNextSegmentMatchesSplitPath(t *testing.T) {
	paths := []string{"", "a", "a.b", "a.b.c", "spec.template.spec.containers[0].image", "[0]", "[0][1]", "a[12].b",
		`metadata.labels["app.kubernetes.io/name"]`, `metadata.annotations["x"].y`, "a[", "a[0", "a[-1].b", "a[+2]", "a[]",
		"a[x]", ".a", "a..b", "a.", "a.[0]", "a]b", `["a"]`, "[ 1]", "[1_0]", "[99999999999999999999]", "a.b[0][1].c"}
	for _, p := range paths {
		var got []segment
		for rest := p; ; {
			seg, r, ok := nextSegment(rest)
			if !ok {
				break
			}
			got = append(got, seg)
			rest = r
		}
		require.Equal(t, splitPathReference(p), got, "%q", p)
	}
}

// SortDiagnostics must order exactly as the sort.SliceStable it replaced,
// ties (equal file, position, rule and message) keeping their input order.
func TestSortDiagnosticsMatchesSliceStable(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for n := range 300 {
		ds := make([]Diagnostic, n)
		for i := range ds {
			ds[i] = Diagnostic{File: strconv.Itoa(rng.Intn(3)), Line: rng.Intn(4), Column: rng.Intn(3),
				RuleID: strconv.Itoa(rng.Intn(2)), Message: strconv.Itoa(rng.Intn(2)), Name: strconv.Itoa(i)}
		}
		want := slices.Clone(ds)
		sort.SliceStable(want, func(i, j int) bool { return compareDiagnostics(&want[i], &want[j]) < 0 })
		SortDiagnostics(ds)
		require.Equal(t, want, ds)
	}
}
