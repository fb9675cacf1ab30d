package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/platformctl/platformctl/pkg/internal/golden"
	"github.com/platformctl/platformctl/pkg/specdoc"
)

const docsCopy = "../../docs/schema/" + FileName

// TestSchemaGolden regenerates the schema from the types and compares it
// with both committed copies: the one embedded in the binary that prints it
// (pkg/schema's file, as this test binary was built) and the one in docs/.
func TestSchemaGolden(t *testing.T) {
	got, err := specdoc.Schema()
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, FileName, got)
	golden.Assert(t, docsCopy, got)
	again, err := specdoc.Schema()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Error("two generations of the schema differ: something iterates a map unsorted")
	}
}

// compile compiles the embedded schema under draft 2020-12 (the compiler
// validates it against the draft's metaschema first).
func compile(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(PlatformV1alpha1()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(FileName, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(FileName)
	if err != nil {
		t.Fatalf("the schema does not compile under draft 2020-12: %v", err)
	}
	return sch
}

func TestSchemaCompiles(t *testing.T) {
	sch := compile(t)
	if sch.DraftVersion != 2020 {
		t.Fatalf("draft %d, want 2020", sch.DraftVersion)
	}
}

func TestExamplesValidate(t *testing.T) {
	sch := compile(t)
	files, err := filepath.Glob("../../examples/*/platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d examples, want at least 3", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f)), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			v, err := yamlToJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("%s does not validate against the schema:\n%v", f, err)
			}
		})
	}
}

// TestSpecDocExamplesValidate: docs/spec.md's minimal example, and its
// complete example, which sets every field at least once and is checked
// valid by the generator of that page.
func TestSpecDocExamplesValidate(t *testing.T) {
	sch := compile(t)
	data, err := os.ReadFile("../../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, heading := range []string{"## Minimal example", "## Complete example"} {
		t.Run(heading[3:], func(t *testing.T) {
			_, rest, ok := strings.Cut(string(data), "\n"+heading+"\n")
			if !ok {
				t.Fatalf("docs/spec.md has no %q", heading)
			}
			_, rest, ok = strings.Cut(rest, "```yaml\n")
			if !ok {
				t.Fatal("no yaml block")
			}
			src, _, ok := strings.Cut(rest, "```")
			if !ok {
				t.Fatal("unterminated yaml block")
			}
			v, err := yamlToJSON([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("the %s of docs/spec.md does not validate against the schema:\n%v", heading[3:], err)
			}
		})
	}
}

// reported lists the instance paths a validation error points at, one per
// leaf: a missing or unknown key and a bad map key are located at the key
// itself (as the loader locates them), not at the object holding it.
type report struct {
	path    []string
	keyword string
}

func reports(err error) []report {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []report
	// parent is the location of the enclosing error: jsonschema v6.0.3 does
	// not copy the location slice of a propertyNames error, which later
	// validation overwrites; the enclosing error's copy is intact.
	var walk func(e *jsonschema.ValidationError, parent []string)
	walk = func(e *jsonschema.ValidationError, parent []string) {
		if _, ok := e.ErrorKind.(*kind.PropertyNames); !ok && len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c, e.InstanceLocation)
			}
			return
		}
		loc := e.InstanceLocation
		at := func(name, kw string) {
			out = append(out, report{append(append([]string(nil), loc...), name), kw})
		}
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				at(m, "required")
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				at(p, "additionalProperties")
			}
		case *kind.PropertyNames:
			loc = parent
			at(k.Property, "propertyNames")
		default:
			kw := k.KeywordPath()
			name := ""
			if len(kw) > 0 {
				name = kw[len(kw)-1]
			}
			out = append(out, report{loc, name})
		}
	}
	walk(ve, nil)
	return out
}

// caught says whether the schema reports a problem at the loader's path: at
// the path itself, or at an ancestor that is missing or has the wrong type
// (a list item written as null: the loader then reports its required keys).
func caught(reps []report, path []string) bool {
	for _, r := range reps {
		if equal(r.path, path) {
			return true
		}
		// A bad map key: the library's location of the map is not reliable
		// (see reports), so the key must match and the map lie on the path.
		if r.keyword == "propertyNames" && len(path) > 0 && len(r.path) <= len(path) &&
			r.path[len(r.path)-1] == path[len(path)-1] && equal(r.path[:len(r.path)-1], path[:len(r.path)-1]) {
			return true
		}
		if (r.keyword == "required" || r.keyword == "type") && len(r.path) < len(path) && equal(r.path, path[:len(r.path)]) {
			return true
		}
	}
	return false
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// splitPath turns a loader path (spec.services[0].env[LOG-LEVEL]) into
// JSON pointer tokens.
func splitPath(p string) []string {
	var out []string
	for p != "" {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			out = append(out, p[1:end])
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, p[:end])
			p = p[end:]
		}
	}
	return out
}

func fmtReports(reps []report) string {
	var b strings.Builder
	for _, r := range reps {
		fmt.Fprintf(&b, "  /%s (%s)\n", strings.Join(r.path, "/"), r.keyword)
	}
	return b.String()
}

// TestPatternsPortable: editors evaluate patterns with ECMA-262 regular
// expressions (the YAML language server: JavaScript with the u flag), this
// package's tests with Go's RE2. Both must read every pattern the same way,
// so only the syntax they share is allowed.
func TestPatternsPortable(t *testing.T) {
	var doc any
	if err := json.Unmarshal(PlatformV1alpha1(), &doc); err != nil {
		t.Fatal(err)
	}
	var patterns []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "pattern" {
					patterns = append(patterns, s)
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	if len(patterns) < 15 {
		t.Fatalf("found %d patterns", len(patterns))
	}
	for _, p := range patterns {
		if _, err := regexp.Compile(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		for _, construct := range []string{`(?P<`, `(?i`, `(?s`, `(?m`, `(?U`, `\A`, `\z`, `\Z`, `[[:`, `\p`, `\P`, `\Q`, `\C`, `\-`} {
			if strings.Contains(p, construct) {
				t.Errorf("%s uses %s, which RE2 and ECMA-262 read differently (or only one of them knows)", p, construct)
			}
		}
	}
}

// TestSchemaReadme keeps the generated sections of docs/schema/README.md
// (how exact each format is, why each cross-field rule stays with the
// loader) equal to the tables they come from.
func TestSchemaReadme(t *testing.T) {
	const readme = "../../docs/schema/README.md"
	have, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	got, err := specdoc.SchemaReadme(have)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, readme, got)
}
