package scaffold

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"
)

// schemaFile is the committed schema the init modeline points at (SchemaURL
// serves it from the main branch).
const schemaFile = "../../docs/schema/platform.v1alpha1.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	require.True(t, strings.HasSuffix(SchemaURL, "/main/docs/schema/platform.v1alpha1.json"))
	b, err := os.ReadFile(schemaFile)
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("platform.v1alpha1.json", doc))
	s, err := c.Compile("platform.v1alpha1.json")
	require.NoError(t, err)
	return s
}

// instance converts YAML to the JSON value an editor's schema check sees.
func instance(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal(data, &v))
	j, err := json.Marshal(v)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	require.NoError(t, err)
	return inst
}

// TestScaffoldsMatchSchema: what init writes satisfies the schema its
// modeline names, and an edit keeps a spec that satisfies it satisfying it.
func TestScaffoldsMatchSchema(t *testing.T) {
	s := compileSchema(t)
	files, err := InitFiles(Init{Name: "acme", Domain: "acme.example.com"})
	require.NoError(t, err)
	require.NoError(t, s.Validate(instance(t, files[SpecFile])))
	outs, err := filepath.Glob(filepath.Join(testdata, "*.out.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, outs)
	outs = append(outs, filepath.Join(testdata, "init", "with-entries.yaml"))
	for _, out := range outs {
		t.Run(filepath.Base(out), func(t *testing.T) {
			in := strings.Split(filepath.Base(out), "-service")[0]
			in = strings.Split(in, "-datastore")[0]
			if b, err := os.ReadFile(filepath.Join(testdata, in+".in.yaml")); err == nil && s.Validate(instance(t, b)) != nil {
				t.Skip("the input does not satisfy the schema either (a null list or mapping)")
			}
			b, err := os.ReadFile(out)
			require.NoError(t, err)
			require.NoError(t, s.Validate(instance(t, b)))
		})
	}
}
