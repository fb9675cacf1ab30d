package specdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/internal/golden"
	"github.com/platformctl/platformctl/pkg/spec"
)

const docPath = "../../docs/spec.md"

func TestSpecDocUpToDate(t *testing.T) {
	var buf bytes.Buffer
	if err := Generate(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, docPath, buf.Bytes())
}

func TestGenerateIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := Generate(&a); err != nil {
		t.Fatal(err)
	}
	if err := Generate(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs of Generate differ: some map is iterated without sorting")
	}
}

func TestEveryFieldDocumented(t *testing.T) {
	m, err := loadModel()
	if err != nil {
		t.Fatal(err)
	}
	if missing := m.undocumented(); len(missing) > 0 {
		t.Fatalf("every type and field in pkg/spec/types.go needs a doc comment; docs/spec.md shows it to users. Undocumented:\n  %s",
			strings.Join(missing, "\n  "))
	}
}

func TestExamplesAreValid(t *testing.T) {
	for _, ex := range examples() {
		if err := validateExample(ex.src); err != nil {
			t.Errorf("%s example: %v", ex.name, err)
		}
	}
	// The bad example exists to show errors; it must keep producing some.
	if err := validateExample(badExample); err == nil {
		t.Error("the bad example validates; the error section would show nothing")
	}
}

// TestDefaultsMatchSpecDefault spot-checks the reflected defaults against
// spec.Default's behaviour as the document should describe it.
func TestDefaultsMatchSpecDefault(t *testing.T) {
	d, err := build()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Service.Port":          "`" + strconv.Itoa(spec.DefaultPort) + "`",
		"Service.MetricsPort":   "same as `port`; `9464` when `protocol` is `grpc`",
		"Environment.Isolation": "`namespace`; `cluster` when `tier` is `production`",
		"Edge.ClassName":        "`platform`; `nginx` when `api` is `ingress-nginx`",
		"Health.Startup":        "same as `liveness`; none when [`protocol`](#service) is `grpc`",
		"NodePool.Labels":       "`{" + spec.NodePoolLabel + ": <name>}`",
	}
	for k, v := range want {
		if got := d.defaults[k]; got != v {
			t.Errorf("%s: default %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(d.defaults["DataStore.Version"], "`postgres`: `\"16\"`") {
		t.Errorf("DataStore.Version: %q does not list the version per type", d.defaults["DataStore.Version"])
	}
}

// leaf is one set scalar, list of scalars or map of scalars in a spec.
type leaf struct {
	path  string
	chain []string // Type.Field keys from the root to the leaf
	f     *field
}

// walkLeaves calls fn for every non-zero leaf of v, in a stable order. fn may
// change the leaf: map entries are written back after it returns.
func walkLeaves(m *model, v reflect.Value, path string, chain []string, fn func(leaf, reflect.Value)) {
	st := m.structs[v.Type().Name()]
	for i, f := range st.Fields {
		fv := v.Field(i)
		p := joinPath(path, f.YAML)
		c := append(append([]string(nil), chain...), f.key())
		t := f.Type.deref()
		switch {
		case f.Type.structName() == "":
			if !fv.IsZero() {
				fn(leaf{path: p, chain: c, f: f}, fv)
			}
		case t.Kind == kindStruct:
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			walkLeaves(m, fv, p, c, fn)
		case t.Kind == kindSlice:
			for j := 0; j < fv.Len(); j++ {
				walkLeaves(m, fv.Index(j), fmt.Sprintf("%s[%d]", p, j), c, fn)
			}
		case t.Kind == kindMap:
			keys := fv.MapKeys()
			sort.Slice(keys, func(a, b int) bool { return keys[a].String() < keys[b].String() })
			for _, k := range keys {
				e := reflect.New(fv.Type().Elem()).Elem()
				e.Set(fv.MapIndex(k))
				walkLeaves(m, e, fmt.Sprintf("%s[%s]", p, k.String()), c, fn)
				fv.SetMapIndex(k, e)
			}
		}
	}
}

// alternatives are valid values of each format, to perturb a field with
// something the generator could plausibly use.
var alternatives = map[string]string{
	"dnslabel": "alt", "dnssubdomain": "alt.example", "domain": "alt.example.org", "labelvalue": "alt", "hostport": "alt.example.org:7000",
	"imageref": "ghcr.io/acme/alt:9.9.9", "labelkey": "example.com/alt", "quantity": "3Gi", "urlpath": "/alt",
	"envname": "ALT", "secretref": "alt/key", "cron": "0 4 * * *", "percent": "99.5", "duration": "2h",
	"relpath": "alt", "gitrepourl": "https://alt.example.org/x",
	"httpsurl": "https://alt.example.org", "mountpath": "/alt", "portname": "alt",
}

// perturbations returns functions that each change v to another value.
func perturbations(t *testing.T, f *field, v reflect.Value) []func(reflect.Value) {
	t.Helper()
	ff, err := f.facts()
	if err != nil {
		t.Fatal(err)
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return []func(reflect.Value){func(x reflect.Value) { x.Set(reflect.Zero(x.Type())) }}
	case reflect.Pointer:
		var out []func(reflect.Value)
		for _, p := range perturbations(t, f, v.Elem()) {
			p := p
			out = append(out, func(x reflect.Value) {
				n := reflect.New(x.Type().Elem())
				n.Elem().Set(x.Elem())
				p(n.Elem())
				x.Set(n)
			})
		}
		return out
	case reflect.Bool:
		return []func(reflect.Value){func(x reflect.Value) { x.SetBool(!x.Bool()) }}
	case reflect.Int32, reflect.Int64:
		return []func(reflect.Value){func(x reflect.Value) {
			if x.Int() > 1 {
				x.SetInt(x.Int() - 1)
			} else {
				x.SetInt(x.Int() + 1)
			}
		}}
	case reflect.Float64:
		return []func(reflect.Value){func(x reflect.Value) { x.SetFloat(x.Float()/2 + 0.25) }}
	case reflect.String:
		var vals []string
		for _, a := range ff.Allowed {
			if a != v.String() {
				vals = append(vals, a)
			}
		}
		if len(vals) == 0 {
			alt := "alt"
			if len(ff.Formats) > 0 {
				alt = alternatives[ff.Formats[0]]
			}
			vals = []string{alt}
		}
		var out []func(reflect.Value)
		for _, s := range vals {
			s := s
			out = append(out, func(x reflect.Value) { x.SetString(s) })
		}
		return out
	}
	t.Fatalf("%s: cannot perturb a %s", f.key(), v.Kind())
	return nil
}

// generated is everything the generator makes of p, as one comparable string.
func generated(p *spec.Platform) string {
	spec.Default(p)
	var b strings.Builder
	// Config files are read as the loader reads them, from the example's
	// files: a perturbed path reads nothing, which the output shows.
	if err := spec.ReadConfigFiles(p, exampleFiles); err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
	}
	envs := []*spec.Environment{nil}
	for i := range p.Spec.Environments {
		envs = append(envs, &p.Spec.Environments[i])
	}
	for _, e := range envs {
		objs, err := generate.Objects(p, e)
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			continue
		}
		js, err := json.Marshal(objs)
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
		}
		b.Write(js)
		b.WriteByte('\n')
	}
	// A pull request's preview, which the previews' own settings shape.
	if p.Spec.Previews != nil {
		if pp, err := p.ForPreview(7); err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
		} else if objs, err := generate.Objects(pp, &pp.Spec.Environments[0]); err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
		} else if js, err := json.Marshal(objs); err == nil {
			b.Write(js)
		}
	}
	// What render adds over the generator: the overlays' references to
	// the spec's components.
	for i := range p.Spec.Environments {
		fmt.Fprintf(&b, "components %v\n", p.Components(&p.Spec.Environments[i]))
	}
	return b.String()
}

// TestRenderNotes checks the "not generated" marks of fieldNotes against the
// generator: every field of the complete example is changed in turn, once
// with each edge API, and the generated objects are compared. A marked field
// must change nothing; an unmarked field must change something somewhere.
func TestRenderNotes(t *testing.T) {
	if testing.Short() {
		t.Skip("perturbs every field of the complete example")
	}
	m, err := loadModel()
	if err != nil {
		t.Fatal(err)
	}
	notes := fieldNotes()
	parse := func() *spec.Platform {
		d, err := spec.Parse("complete.yaml", []byte(completeExample))
		if err != nil {
			t.Fatal(err)
		}
		return d.Platform
	}
	variants := map[string]func(*spec.Platform){
		"gateway":       func(*spec.Platform) {},
		"ingress-nginx": func(p *spec.Platform) { p.Spec.Edge.API = spec.EdgeIngressNginx },
		// Production needs every image pinned, so the complete example
		// names them all; version only picks the default image's tag.
		"default-images": func(p *spec.Platform) {
			for i := range p.Spec.Data {
				p.Spec.Data[i].Image = ""
			}
		},
		// spot and gpu act through the taints they default.
		"default-taints": func(p *spec.Platform) {
			for name, np := range p.Spec.NodePools {
				np.Taints = nil
				p.Spec.NodePools[name] = np
			}
		},
	}
	var leaves []leaf
	walkLeaves(m, reflect.ValueOf(parse()).Elem(), "", nil, func(l leaf, _ reflect.Value) { leaves = append(leaves, l) })

	// Every scalar field must be set somewhere, or nothing can be said about it.
	set := map[string]bool{}
	for _, l := range leaves {
		set[l.f.key()] = true
	}
	for _, name := range m.order {
		for _, f := range m.structs[name].Fields {
			if f.Type.structName() == "" && !set[f.key()] {
				t.Errorf("the complete example does not set %s; it must set every field", f.key())
			}
		}
	}

	// What each variant generates unperturbed is the same for every leaf:
	// computed once, not once per leaf (the generator is the cost here).
	want := map[string]string{}
	perturb := map[string]map[string][]func(reflect.Value){} // variant → path → perturbations
	for vname, variant := range variants {
		base := parse()
		variant(base)
		perturb[vname] = map[string][]func(reflect.Value){}
		walkLeaves(m, reflect.ValueOf(base).Elem(), "", nil, func(x leaf, v reflect.Value) {
			perturb[vname][x.path] = perturbations(t, x.f, v)
		})
		want[vname] = generated(base)
	}
	// changes is an "or" over variants and perturbations: the first change
	// found for a path settles it, so the rest are not generated.
	changes := map[string]bool{} // by path
	for _, l := range leaves {
		for _, vname := range spec.SortedKeys(variants) {
			for _, fn := range perturb[vname][l.path] {
				if changes[l.path] {
					break
				}
				p := parse()
				variants[vname](p)
				walkLeaves(m, reflect.ValueOf(p).Elem(), "", nil, func(x leaf, v reflect.Value) {
					if x.path == l.path {
						fn(v)
					}
				})
				if generated(p) != want[vname] {
					changes[l.path] = true
				}
			}
		}
	}

	marked := func(l leaf) string {
		for _, k := range l.chain {
			if e := notes[k].Effect; e != rendered {
				return k
			}
		}
		return ""
	}
	anyEffect := map[string]bool{}
	unmarked := map[string]bool{}
	for _, l := range leaves {
		if k := marked(l); k != "" {
			if changes[l.path] {
				t.Errorf("%s is marked as generating nothing (fieldNotes[%q]), but changing %s changes the generated objects", l.f.key(), k, l.path)
			}
			continue
		}
		unmarked[l.f.key()] = true
		if changes[l.path] {
			anyEffect[l.f.key()] = true
		}
	}
	for _, k := range spec.SortedKeys(unmarked) {
		if !anyEffect[k] {
			t.Errorf("changing %s changes no generated object anywhere in the complete example; mark it in fieldNotes (notRendered or checkedOnly) or make the example exercise it", k)
		}
	}
}
