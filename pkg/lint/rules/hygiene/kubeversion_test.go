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

// Field schemas follow the target release too: a field or an enumeration
// value newer than it is unknown there (the API server of that release
// drops or refuses it), from the releases' own published API.
func TestFieldsByKubeVersion(t *testing.T) {
	const doc = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec:
  hostnameOverride: web-0
  tolerations:
    - {key: gpu, operator: Gt, value: "2", effect: NoSchedule}
  initContainers:
    - {name: proxy, image: ghcr.io/acme/proxy:1, restartPolicy: Always}
  containers:
    - name: app
      image: ghcr.io/acme/app:1
      securityContext:
        appArmorProfile: {type: RuntimeDefault}
`
	objs, err := lint.Decode("fields.yaml", []byte(doc))
	require.NoError(t, err)
	for _, tc := range []struct {
		version string
		want    []string
	}{
		{"1.37", nil},
		{"1.35", nil},
		{"1.34", []string{
			`fields.yaml:7:28: invalid-enum-value: spec.tolerations[0].operator is "Gt"; Kubernetes 1.34 allows "Equal", "Exists" ("Gt" is new in 1.35)`,
		}},
		{"1.33", []string{
			`fields.yaml:5:21: unknown-field: spec: unknown field "hostnameOverride" in Kubernetes 1.33 (new in 1.34)`,
			`fields.yaml:7:28: invalid-enum-value: spec.tolerations[0].operator is "Gt"; Kubernetes 1.33 allows "Equal", "Exists" ("Gt" is new in 1.35)`,
		}},
		{"1.27", []string{
			`fields.yaml:5:21: unknown-field: spec: unknown field "hostnameOverride" in Kubernetes 1.27 (new in 1.34)`,
			`fields.yaml:7:28: invalid-enum-value: spec.tolerations[0].operator is "Gt"; Kubernetes 1.27 allows "Equal", "Exists" ("Gt" is new in 1.35)`,
			`fields.yaml:9:65: unknown-field: spec.initContainers[0]: unknown field "restartPolicy" in Kubernetes 1.27 (new in 1.28)`,
			`fields.yaml:14:9: unknown-field: spec.containers[0].securityContext: unknown field "appArmorProfile" in Kubernetes 1.27 (new in 1.30)`,
		}},
	} {
		t.Run(tc.version, func(t *testing.T) {
			res, err := lint.Run(objs, hygiene.Rules(), lint.Options{Config: lint.Config{Params: lint.Params{KubeVersion: tc.version}}})
			require.NoError(t, err)
			var got []string
			for _, d := range res.Findings {
				switch d.RuleID {
				case "unknown-field", "invalid-enum-value", "wrong-field-type", "missing-required-field":
					got = append(got, fmt.Sprintf("%s:%d:%d: %s: %s", d.File, d.Line, d.Column, d.RuleID, d.Message))
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
