package lint_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

const customManifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    team: shop
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: app
          image: nginx:1
          ports:
            - containerPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  annotations:
    ignore.platformctl.dev/team-label: "owned by the platform team"
spec:
  replicas: yes
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/api:1
---
apiVersion: v1
kind: Service
metadata:
  name: web
`

func TestCustomRules(t *testing.T) {
	teamLabel := lint.CustomRule{
		ID: "team-label", Kinds: []string{"Deployment", "StatefulSet"},
		Expression: "has(object.metadata.labels) && 'team' in object.metadata.labels",
		Message:    "every workload names its team", Severity: "error", FieldPath: "metadata",
	}
	for _, tc := range []struct {
		name   string
		custom []lint.CustomRule
		cfg    func(*lint.Config)
		want   []string
		quiet  []string
		err    string
	}{
		{name: "fires on the kinds it names; the annotation ignores it",
			custom: []lint.CustomRule{teamLabel},
			quiet:  []string{"c.yaml:19:1: error team-label: every workload names its team"},
		},
		{name: "variables, in order; YAML read as the cluster reads it (yes is true, not an int)",
			custom: []lint.CustomRule{{
				ID: "two-replicas", Kinds: []string{"Deployment"},
				Variables: []lint.CustomVariable{
					{Name: "replicas", Expression: "has(object.spec.replicas) ? object.spec.replicas : 1"},
					{Name: "enough", Expression: "variables.replicas >= 2"},
				},
				Expression: "variables.enough", Message: "run at least two replicas", FieldPath: "spec.replicas",
			}},
			want: []string{
				"c.yaml:8:13: warning two-replicas: run at least two replicas",
				// the annotation names a rule this config does not define
				"c.yaml:22:40: warning ignore-unknown-rule: ignore.platformctl.dev/team-label names no rule; it ignores nothing",
				"c.yaml:24:13: warning two-replicas: run at least two replicas (variables.enough could not be evaluated: no such overload; a policy with failurePolicy Fail denies such an object too)",
			},
		},
		{name: "a release's functions: sort() (the lists extension) from 1.34",
			custom: []lint.CustomRule{{ID: "sorted", Kinds: []string{"Service"}, Expression: "[2, 1].sort() == [1, 2]", Message: "m"}},
			cfg:    func(c *lint.Config) { c.Params.KubeVersion = "1.33" },
			err:    "lint config: custom[0] (sorted): expression: 1:12: undeclared reference to 'sort' (in container '') (Kubernetes 1.33)",
		},
		{name: "an evaluation error is a finding, as failurePolicy Fail denies",
			custom: []lint.CustomRule{{
				ID: "ports-named", Kinds: []string{"Deployment"},
				Expression: "object.spec.template.spec.containers.all(c, c.ports.all(p, has(p.name)))",
				Message:    "name every port",
			}},
			want: []string{
				"c.yaml:1:1: warning ports-named: name every port",
				"c.yaml:17:1: warning ports-named: name every port (the expression could not be evaluated: no such key: ports; guard optional fields with has(), as a policy with failurePolicy Fail denies such an object too)",
				"c.yaml:22:40: warning ignore-unknown-rule: ignore.platformctl.dev/team-label names no rule; it ignores nothing",
			},
		},
		{name: "severity, disable and exclusions name custom rules as they name built-in ones",
			custom: []lint.CustomRule{teamLabel, {
				ID: "registry", Kinds: []string{"Deployment"}, Message: "images from ghcr.io/acme",
				Expression: "object.spec.template.spec.containers.all(c, c.image.startsWith('ghcr.io/acme/'))",
			}},
			cfg: func(c *lint.Config) {
				c.Severity = map[string]string{"registry": "error"}
				c.Disable = []string{"team-label"}
				c.Exclude = []lint.Exclusion{{Rules: []string{"registry"}, Names: []string{"api"}, Reason: "r"}}
			},
			want: []string{"c.yaml:1:1: error registry: images from ghcr.io/acme"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := lint.Decode("c.yaml", []byte(customManifests))
			require.NoError(t, err)
			cfg := lint.Config{Custom: tc.custom}
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			res, err := lint.Run(objs, lint.EngineRules(), lint.Options{Config: cfg, Now: time.Now()})
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			var got, quiet []string
			for _, d := range res.Findings {
				got = append(got, d.String())
			}
			for _, d := range res.Suppressed {
				quiet = append(quiet, d.String())
			}
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.quiet, quiet)
		})
	}
}
