package hygiene_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/hygiene"
)

// The API version rules judge against the target release: removed from
// the release that removed it on, not served before the one that
// introduced it, deprecated from its deprecation on.
func TestAPIVersionsByKubeVersion(t *testing.T) {
	const doc = `apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
kind: FlowSchema
metadata: {name: old}
spec: {priorityLevelConfiguration: {name: x}}
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: {name: new}
spec: {priorityLevelConfiguration: {name: x}}
---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: default}
`
	objs, err := lint.Decode("api.yaml", []byte(doc))
	require.NoError(t, err)
	for _, tc := range []struct {
		version string
		want    []string
	}{
		{"1.28", []string{"api-version-not-served FlowSchema/new"}},
		{"1.31", nil},
		{"1.32", []string{"removed-api-version FlowSchema/old"}},
		{"1.33", []string{"deprecated-api-version Endpoints/legacy", "removed-api-version FlowSchema/old"}},
		{"", []string{"deprecated-api-version Endpoints/legacy", "removed-api-version FlowSchema/old"}},
	} {
		res, err := lint.Run(objs, hygiene.Rules(), lint.Options{Config: lint.Config{Params: lint.Params{KubeVersion: tc.version}}})
		require.NoError(t, err)
		var got []string
		for _, d := range res.Findings {
			if strings.Contains(d.RuleID, "api-version") {
				got = append(got, d.RuleID+" "+d.Kind+"/"+d.Name)
			}
		}
		assert.ElementsMatch(t, tc.want, got, "kube version %q", tc.version)
	}
}

// The newest release lint targets is the one whose API types the build
// links: k8s.io/api v0.<minor> in go.mod.
func TestNewestKubeVersionIsTheLinkedAPI(t *testing.T) {
	mod, err := os.ReadFile("../../../../go.mod")
	require.NoError(t, err)
	for _, line := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "k8s.io/api" {
			assert.True(t, strings.HasPrefix(f[1], fmt.Sprintf("v0.%d.", lint.NewestKubeMinor)),
				"go.mod has k8s.io/api %s; set lint.NewestKubeMinor (and the API tables of this package) to match", f[1])
			return
		}
	}
	t.Fatal("go.mod does not require k8s.io/api")
}

// The generated schema facts come from the release go.mod links.
func TestAPISchemaFromTheLinkedRelease(t *testing.T) {
	gen, err := os.ReadFile("apischema_gen.go")
	require.NoError(t, err)
	mod, err := os.ReadFile("../../../../go.mod")
	require.NoError(t, err)
	for _, line := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "k8s.io/api" {
			assert.Contains(t, strings.SplitN(string(gen), "\n", 2)[0], "k8s.io/api@"+f[1], "rerun go run ./pkg/lint/rules/hygiene/internal/genapischema after changing k8s.io/api")
			return
		}
	}
	t.Fatal("go.mod does not require k8s.io/api")
}
