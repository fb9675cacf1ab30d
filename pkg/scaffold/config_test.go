package scaffold

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseConfigFiles(t *testing.T) {
	got, err := ParseConfigFiles([]string{"app.yaml=config/web.yaml", "config/log4j2.xml"})
	require.NoError(t, err)
	assert.Equal(t, []ConfigFileFlag{{"app.yaml", "config/web.yaml"}, {"log4j2.xml", "config/log4j2.xml"}}, got)
	for in, want := range map[string]string{
		"a.yaml=":          "want NAME=PATH or PATH",
		"=config/a.yaml":   "want NAME=PATH or PATH",
		"a/b=config/a":     `the file name "a/b" is not a ConfigMap key`,
		"a.yaml=/etc/x":    `"/etc/x" is not a path next to the spec`,
		"a.yaml=../x.yaml": `"../x.yaml" is not a path next to the spec`,
	} {
		_, err := ParseConfigFiles([]string{in})
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
	_, err = ParseConfigFiles([]string{"a.yaml=x", "a.yaml=y"})
	assert.ErrorContains(t, err, "given twice")
}

// TestAddServiceConfig: --config-file becomes config.files entries read
// from files next to the spec, validated like the rest of the edit.
func TestAddServiceConfig(t *testing.T) {
	in := "apiVersion: platformctl.dev/v1alpha1\nkind: Platform\nmetadata: {name: x}\nspec:\n  domain: x.example.com\n  environments: [{name: dev, tier: development}]\n  services: []\n"
	s := Service{Name: "api", Image: "ghcr.io/a/api:1.0.0", ConfigFiles: []ConfigFileFlag{{"app.yaml", "missing.yaml"}}, ConfigMountPath: "/app/config"}
	_, err := AddService(t.TempDir()+"/platform.yaml", []byte(in), s)
	var refused *RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Contains(t, refused.Problems.Error(), "spec.services[0].config.files[app.yaml].file: cannot read missing.yaml")
	assert.Equal(t, object{{"mountPath", scalar("/app/config")}, {"files", object{{"app.yaml", object{{"file", scalar("missing.yaml")}}}}}}, s.config())
}
