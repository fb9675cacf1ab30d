package lintinput

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/spec"
)

// A spec without cicd, observability or canaries: line 6 is domain:, which
// objects made by default used to be reported at, named as what they came
// from (platform.yaml:6 spec.cicd).
const noCICD = `apiVersion: platformctl.dev/v1alpha1
kind: Platform
metadata:
  name: hello
spec:
  domain: hello.example.com
  environments:
    - name: dev
      tier: development
  services:
    - name: hello
      image: ghcr.io/acme/hello:1.0.0
`

func TestSourceOfNamesWhatTheSpecWrites(t *testing.T) {
	d, err := spec.Parse("platform.yaml", []byte(noCICD))
	require.NoError(t, err)
	lines := strings.Split(noCICD, "\n")
	tests := []struct {
		path, source string
		line         int
		// text is what the line pointed at holds.
		text string
	}{
		{"spec.services[0]", "platform.yaml:11 spec.services[0] (environment dev, f.yaml)", 11, "- name: hello"},
		{"spec.services[0].canary", "platform.yaml:11 spec.services[0] (spec.services[0].canary: a default; environment dev, f.yaml)", 11, "- name: hello"},
		{"spec.cicd", "platform.yaml:1 spec.cicd (a default, not in the spec; environment dev, f.yaml)", 1, "apiVersion:"},
		{"spec.observability.metrics", "platform.yaml:1 spec.observability.metrics (a default, not in the spec; environment dev, f.yaml)", 1, "apiVersion:"},
		{"spec", "platform.yaml:1 spec (environment dev, f.yaml)", 1, "apiVersion:"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			source, line, col := sourceOf(d, tt.path, "dev", "f.yaml")
			assert.Equal(t, tt.source, source)
			assert.Equal(t, tt.line, line)
			assert.Positive(t, col)
			assert.Contains(t, lines[line-1], tt.text)
		})
	}
}

// TestFromSpecDefaultObjects: the deployer Roles every platform gets point
// at the spec's first line and say they are a default.
func TestFromSpecDefaultObjects(t *testing.T) {
	file := filepath.Join(t.TempDir(), "platform.yaml")
	require.NoError(t, os.WriteFile(file, []byte(noCICD), 0o644))
	d, err := spec.LoadAndValidate(file)
	require.NoError(t, err)
	sets, err := FromSpec(d, nil)
	require.NoError(t, err)
	found := 0
	for _, s := range sets {
		for _, o := range s.Objects {
			if o.Kind != "Role" || o.Name != "deployer" {
				continue
			}
			found++
			assert.Contains(t, o.Source, file+":1 spec.cicd (a default, not in the spec;")
			at, line, _ := o.Position("rules[0]")
			assert.Equal(t, file, at)
			assert.Equal(t, 1, line)
		}
	}
	assert.Positive(t, found, "no deployer Role rendered")
}
