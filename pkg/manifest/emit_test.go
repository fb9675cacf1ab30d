package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	sigsyaml "sigs.k8s.io/yaml"
)

func decode(t testing.TB, y []byte) Map {
	t.Helper()
	j, err := sigsyaml.YAMLToJSON(y)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var m Map
	require.NoError(t, dec.Decode(&m))
	return m
}

// TestFastEncodeMatchesJSONToYAML checks the fast emitter against the
// reference on every map of every golden tree (objects and strategic-merge
// patches; JSON patches, lists, and kustomization files are left out).
func TestFastEncodeMatchesJSONToYAML(t *testing.T) {
	var files []string
	err := filepath.WalkDir("../../testdata/golden", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case !d.IsDir() && strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".rename.yaml") && d.Name() != "kustomization.yaml":
			files = append(files, p)
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, files)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, doc := range strings.Split(string(b), "\n---\n") {
			m := decode(t, []byte(doc))
			want, err := slowEncode(m)
			require.NoError(t, err)
			got, ok := fastEncode(m)
			if !ok {
				continue
			}
			n++
			require.Equal(t, string(want), string(got), "%s", f)
		}
	}
	require.Greater(t, n, 100, "the fast path should handle most objects")
}

var tricky = []string{
	"", "y", "n", "yes", "No", "on", "off", "true", "null", "~", "8080", "0.1", "1e3", "0x1F", "0o17", "1_000",
	"2001-12-14", "12:30", "-", "- a", "a: b", "a:b", "#x", "x #y", "*", "&a", "!x", "%x", "@x", "`x", "'q'", "\"q\"",
	"a b", " lead", "trail ", "ghcr.io/acme/web:1.4.2", "web@sha256:" + strings.Repeat("a", 64), "250m", "512Mi", "10%",
	"0.0.0.0/0", "max-age=31536000; includeSubDomains", strings.Repeat("word ", 30), "line1\nline2", "tab\there",
	"ünïcödé", "{a}", "[a]", "a,b", "?", "---", "...", "=", "<<", "x\\y", "é " + strings.Repeat("z", 70),
}

func randomValue(r *rand.Rand, depth int) any {
	switch k := r.Intn(7); {
	case depth > 3 || k < 3:
		switch r.Intn(4) {
		case 0:
			return json.Number(fmt.Sprint(r.Intn(100000) - 50))
		case 1:
			return r.Intn(2) == 0
		default:
			return tricky[r.Intn(len(tricky))]
		}
	case k < 5:
		m := Map{}
		for i := r.Intn(4); i >= 0; i-- {
			m[randomKey(r)] = randomValue(r, depth+1)
		}
		if r.Intn(8) == 0 {
			return Map{}
		}
		return m
	default:
		var s []any
		for i := r.Intn(4); i >= 0; i-- {
			s = append(s, randomValue(r, depth+1))
		}
		if r.Intn(8) == 0 {
			return []any{}
		}
		return s
	}
}

// TestFastEncodeRandom compares both encoders on random documents made of
// scalars that stress go-yaml's quoting, folding and key ordering.
func TestFastEncodeRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	fast := 0
	for i := 0; i < 20000; i++ {
		m := Map{}
		for j := r.Intn(5); j >= 0; j-- {
			m[randomKey(r)] = randomValue(r, 0)
		}
		want, err := slowEncode(m)
		require.NoError(t, err)
		got, ok := fastEncode(m)
		if !ok {
			continue
		}
		fast++
		require.Equal(t, string(want), string(got), "case %d", i)
	}
	t.Logf("fast path taken for %d of 20000 random documents", fast)
	require.Greater(t, fast, 1000)
}

// randomKey makes keys shaped like Kubernetes field names and label keys.
// Arbitrary keys can make go-yaml's comparator non-transitive (digit runs
// against letters), and then even go-yaml's own order depends on map order.
func randomKey(r *rand.Rand) string {
	words := []string{"app", "kubernetes.io/name", "a", "b", "port", "x-1", "y2", "z_3", "q'uote", "sp ace", "é"}
	return words[r.Intn(len(words))] + fmt.Sprint(r.Intn(12))
}
