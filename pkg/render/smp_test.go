package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/openapi"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/kustomize/kyaml/yaml/merge2"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/kustomize"
	"github.com/platformctl/platformctl/pkg/manifest"
)

func deployment(t *testing.T, containers string) manifest.Map {
	t.Helper()
	y := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps}\nspec:\n  template:\n    spec:\n      containers:\n" + containers
	var m manifest.Map
	j, err := sigsyaml.YAMLToJSON([]byte(y))
	require.NoError(t, err)
	require.NoError(t, decodeJSON(j, &m))
	return m
}

func decodeJSON(j []byte, v *manifest.Map) error {
	c, err := canonicalize(j)
	if err != nil {
		return err
	}
	return sigsyaml.Unmarshal(c, v)
}

// TestSMPPatch checks each kind of difference: the patch is what a person
// would write (names, not positions), and real Kustomize (krusty) applying
// it to the base gives exactly the environment's object.
func TestSMPPatch(t *testing.T) {
	const base = `      - name: web
        image: web:1
        env: [{name: A, value: a}, {name: B, value: b}, {name: C, value: c}]
        ports: [{containerPort: 80, name: http, protocol: TCP}]
      - name: side
        image: side:1
`
	for _, tc := range []struct {
		name, env string
		// patch is the containers list the patch must hold.
		patch string
	}{
		{"first value changed",
			"      - name: web\n        image: web:1\n        env: [{name: A, value: x}, {name: B, value: b}, {name: C, value: c}]\n        ports: [{containerPort: 80, name: http, protocol: TCP}]\n      - name: side\n        image: side:1\n",
			"[{env: [{name: A, value: x}], name: web}]"},
		{"a later value needs the earlier names to keep the order",
			"      - name: web\n        image: web:1\n        env: [{name: A, value: a}, {name: B, value: y}, {name: C, value: c}]\n        ports: [{containerPort: 80, name: http, protocol: TCP}]\n      - name: side\n        image: side:1\n",
			"[{env: [{name: A}, {name: B, value: y}], name: web}]"},
		{"added and removed variables",
			"      - name: web\n        image: web:1\n        env: [{name: A, value: a}, {name: Z, value: z}, {name: C, value: c}]\n        ports: [{containerPort: 80, name: http, protocol: TCP}]\n      - name: side\n        image: side:1\n",
			"[{env: [{name: A}, {name: Z, value: z}, {name: B, $patch: delete}], name: web}]"},
		{"second container's image",
			"      - name: web\n        image: web:1\n        env: [{name: A, value: a}, {name: B, value: b}, {name: C, value: c}]\n        ports: [{containerPort: 80, name: http, protocol: TCP}]\n      - name: side\n        image: side:2\n",
			"[{name: web}, {image: side:2, name: side}]"},
		{"a list with two merge keys is replaced with the directive",
			"      - name: web\n        image: web:1\n        env: [{name: A, value: a}, {name: B, value: b}, {name: C, value: c}]\n        ports: [{containerPort: 81, name: http, protocol: TCP}]\n      - name: side\n        image: side:1\n",
			"[{name: web, ports: [{$patch: replace}, {containerPort: 81, name: http, protocol: TCP}]}]"},
		{"containers reordered",
			"      - name: side\n        image: side:1\n      - name: web\n        image: web:1\n        env: [{name: A, value: a}, {name: B, value: b}, {name: C, value: c}]\n        ports: [{containerPort: 80, name: http, protocol: TCP}]\n",
			"[{name: side}]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, e := deployment(t, base), deployment(t, tc.env)
			p, err := smpPatch(b, e)
			require.NoError(t, err)
			var want []any
			require.NoError(t, sigsyaml.Unmarshal([]byte(tc.patch), &want))
			gotJSON, err := canonicalJSON(manifest.Map{"c": manifest.Get(p, "spec", "template", "spec", "containers")})
			require.NoError(t, err)
			wantJSON, err := canonicalJSON(manifest.Map{"c": want})
			require.NoError(t, err)
			assert.JSONEq(t, string(wantJSON), string(gotJSON))
			assert.Equal(t, "web", manifest.String(p, "metadata", "name"))
			assert.Equal(t, "apps", manifest.String(p, "metadata", "namespace"))
			assertKustomizeApplies(t, b, p, e)
		})
	}
}

// TestSMPPatchWithoutSchema: a kind kyaml has no schema for (every CRD) has
// its lists replaced whole, which the patch must then hold in full.
func TestSMPPatchWithoutSchema(t *testing.T) {
	obj := func(hosts string) manifest.Map {
		var m manifest.Map
		j, err := sigsyaml.YAMLToJSON([]byte("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: apps}\nspec:\n  hostnames: " + hosts + "\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n"))
		require.NoError(t, err)
		require.NoError(t, decodeJSON(j, &m))
		return m
	}
	b, e := obj("[shop.example.com, www.example.com]"), obj("[shop.dev.example.com, www.example.com]")
	p, err := smpPatch(b, e)
	require.NoError(t, err)
	assert.Equal(t, []any{"shop.dev.example.com", "www.example.com"}, manifest.Get(p, "spec", "hostnames"))
	assert.Nil(t, manifest.Get(p, "spec", "rules"), "unchanged fields stay out of the patch")
	assertKustomizeApplies(t, b, p, e)
}

// TestSMPPatchRemovedField: a field the environment drops is null in the
// patch.
func TestSMPPatchRemovedField(t *testing.T) {
	b := deployment(t, "      - name: web\n        image: web:1\n        args: [--x]\n")
	e := deployment(t, "      - name: web\n        image: web:1\n")
	p, err := smpPatch(b, e)
	require.NoError(t, err)
	assertKustomizeApplies(t, b, p, e)
}

func assertKustomizeApplies(t *testing.T, base, patch, want manifest.Map) {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	write := func(p string, m manifest.Map) {
		y, err := manifest.Encode(m)
		require.NoError(t, err)
		require.NoError(t, fs.WriteFile(p, y))
	}
	write("/b/o.yaml", base)
	require.NoError(t, fs.WriteFile("/b/kustomization.yaml", []byte("resources: [o.yaml]\n")))
	write("/o/p.yaml", patch)
	require.NoError(t, fs.WriteFile("/o/kustomization.yaml", []byte("resources: [../b]\npatches: [{path: p.yaml}]\n")))
	got, err := kustomize.Build(fs, "/o")
	require.NoError(t, err)
	w, err := manifest.Encode(want)
	require.NoError(t, err)
	assert.Equal(t, string(w), string(got))
}

// applySMP applies patch to base the way Kustomize's patch transformer does
// and returns the result as canonical JSON.
func applySMP(base, patch manifest.Map) ([]byte, error) {
	b, err := toRNode(base)
	if err != nil {
		return nil, err
	}
	p, err := toRNode(patch)
	if err != nil {
		return nil, err
	}
	r, err := merge2.Merge(p, b, kyaml.MergeOptions{ListIncreaseDirection: kyaml.MergeOptionsListPrepend})
	if err != nil {
		return nil, fmt.Errorf("apply patch: %w", err)
	}
	s, err := r.String()
	if err != nil {
		return nil, fmt.Errorf("apply patch: %w", err)
	}
	j, err := sigsyaml.YAMLToJSON([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("apply patch: %w", err)
	}
	return canonicalize(j)
}

func toRNode(m manifest.Map) (*kyaml.RNode, error) {
	y, err := manifest.Encode(m)
	if err != nil {
		return nil, err
	}
	n, err := kyaml.Parse(string(y))
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	return n, nil
}

func canonicalJSON(m manifest.Map) ([]byte, error) {
	j, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return canonicalize(j)
}

// canonicalize re-encodes JSON with sorted keys and numbers as written.
func canonicalize(j []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// TestMergeSMPIsMerge2: the in-process model of merge2 that render checks
// its patches with gives what merge2 gives, on random keyed lists (values
// changed, elements added, dropped and reordered, several containers) —
// the cases whose outcome depends on merge2's ordering rule.
func TestMergeSMPIsMerge2(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	container := func(name string, env []string, img int) string {
		var b bytes.Buffer
		fmt.Fprintf(&b, "      - name: %s\n        image: %s:%d\n        env:\n", name, name, img)
		for _, e := range env {
			fmt.Fprintf(&b, "        - {name: %s, value: v%d}\n", e, r.IntN(3))
		}
		return b.String()
	}
	names := []string{"A", "B", "C", "D", "E", "F"}
	for i := 0; i < 300; i++ {
		var bc, ec string
		for _, c := range r.Perm(3)[:1+r.IntN(3)] {
			n := fmt.Sprintf("c%d", c)
			perm := r.Perm(len(names))
			var be, ee []string
			for _, j := range perm[:1+r.IntN(len(names)-1)] {
				be = append(be, names[j])
			}
			for _, j := range r.Perm(len(names))[:1+r.IntN(len(names)-1)] {
				ee = append(ee, names[j])
			}
			bc += container(n, be, r.IntN(2))
			if r.IntN(4) > 0 {
				ec += container(n, ee, r.IntN(2))
			}
		}
		if ec == "" {
			ec = container("c9", []string{"A"}, 0)
		}
		b, e := deployment(t, bc), deployment(t, ec)
		p, err := smpPatch(b, e)
		require.NoError(t, err, "case %d", i)
		got, err := applySMP(b, p)
		require.NoError(t, err)
		model, err := canonicalJSON(mergeSMP(b, p, schemaOf(b)).(map[string]any))
		require.NoError(t, err)
		require.Equal(t, string(got), string(model), "case %d: patch %v", i, p)
		want, err := canonicalJSON(e)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "case %d", i)
	}
}

func schemaOf(m manifest.Map) *openapi.ResourceSchema {
	return openapi.SchemaForResourceType(kyaml.TypeMeta{APIVersion: manifest.String(m, "apiVersion"), Kind: manifest.String(m, "kind")})
}
