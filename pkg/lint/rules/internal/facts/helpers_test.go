package facts

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
)

func TestPortNames(t *testing.T) {
	for _, tc := range []struct {
		name       string
		iana, dns1 bool
	}{
		{"http", true, true},
		{"http-admin", true, true},
		{"h2c", true, true},
		{"web-8080", true, true},
		{"abcdefghijklmno", true, true},   // 15
		{"abcdefghijklmnop", false, true}, // 16: too long for IANA, fine as a DNS label
		{"8080", false, true},             // needs a letter
		{"HTTP", false, false},
		{"-http", false, false},
		{"http-", false, false},
		{"web--http", false, true},
		{"metrics_port", false, false},
		{"", false, false},
	} {
		assert.Equal(t, tc.iana, IsIANASvcName(tc.name), "IANA %q", tc.name)
		assert.Equal(t, tc.dns1, IsDNSLabel(tc.name), "DNS label %q", tc.name)
	}
}

// randomSelectors builds pod label sets and selectors over a small label
// vocabulary, so that matches are frequent and every selector shape
// (matchLabels, expressions, both, empty) occurs.
func randomSelectors(t *testing.T, r *rand.Rand) ([]map[string]string, []Selector) {
	keys := []string{"app", "tier", "track", "team"}
	vals := []string{"a", "b", "c"}
	var pods []map[string]string
	for i := 0; i < 200; i++ {
		l := map[string]string{}
		for _, k := range keys {
			if r.IntN(3) > 0 {
				l[k] = vals[r.IntN(len(vals))]
			}
		}
		pods = append(pods, l)
	}
	ops := []string{"In", "NotIn", "Exists", "DoesNotExist"}
	var sels []Selector
	for i := 0; i < 200; i++ {
		src := "matchLabels: {"
		for _, k := range keys {
			if r.IntN(3) == 0 {
				src += fmt.Sprintf("%s: %s, ", k, vals[r.IntN(len(vals))])
			}
		}
		src += "}\nmatchExpressions:\n"
		for j := r.IntN(3); j > 0; j-- {
			src += fmt.Sprintf("  - {key: %s, operator: %s, values: [%s]}\n", keys[r.IntN(len(keys))], ops[r.IntN(len(ops))], vals[r.IntN(len(vals))])
		}
		if r.IntN(4) == 0 {
			src = "{}"
		}
		var n yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(src), &n), src)
		sels = append(sels, LabelSelector(n.Content[0]))
	}
	return pods, sels
}

// The indexes must find exactly what matching every pair would.
func TestIndexesAgreeWithBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pods, sels := randomSelectors(t, r)
	objs := make([]*lint.Object, len(pods))
	var li LabelIndex
	for i, l := range pods {
		objs[i] = &lint.Object{Name: fmt.Sprint("pod-", i)}
		li.Add(Labeled{Obj: objs[i], Labels: l})
	}
	var si SelectorIndex
	selObjs := make([]*lint.Object, len(sels))
	for i, s := range sels {
		selObjs[i] = &lint.Object{Name: fmt.Sprint("sel-", i)}
		si.add(selObjs[i], s)
	}
	names := func(os []*lint.Object) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Name)
		}
		sort.Strings(out)
		return out
	}
	for i, s := range sels {
		var want []*lint.Object
		for j, l := range pods {
			if s.matches(l) {
				want = append(want, objs[j])
			}
		}
		var got []*lint.Object
		for _, l := range li.Selected(s) {
			got = append(got, l.Obj)
		}
		assert.Equal(t, names(want), names(got), "selector %d", i)
		assert.Equal(t, len(want) > 0, li.Any(s))
	}
	for j, l := range pods {
		var want, got []*lint.Object
		for i, s := range sels {
			if s.matches(l) {
				want = append(want, selObjs[i])
			}
		}
		si.each(l, func(e SelectorEntry) bool { got = append(got, e.obj); return true })
		assert.Equal(t, names(want), names(got), "pod %d", j)
	}
}
