package lint_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

// probe is a test rule: it fires on every container whose image has no
// registry host, pointing at the image.
var probe = lint.Rule{
	ID: "test-probe", Title: "probe", Category: lint.CategoryHygiene, Severity: lint.Warning,
	Description: "d", Remediation: "r",
	Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
		p := o.Pod()
		if p == nil {
			return
		}
		for _, c := range p.Containers() {
			r.Report(o, c.Path+".image", "container %q", c.Name)
		}
	},
}

var setProbe = lint.Rule{
	ID: "test-set", Title: "set", Category: lint.CategoryHygiene, Severity: lint.Info,
	Description: "d", Remediation: "r",
	CheckSet: func(s *lint.Set, _ *lint.Context, r *lint.Reporter) {
		for _, o := range s.OfKind("Service") {
			r.Report(o, "spec.selector", "service %s", o.Name)
		}
	},
}

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  template:
    metadata:
      annotations:
        ignore.platformctl.dev/test-set: "not this rule"
    spec:
      initContainers:
        - name: init
          image: busybox:1
      containers:
        - name: app
          image: nginx:1
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  annotations:
    ignore.platformctl.dev/test-probe: "batch images are scanned elsewhere"
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: alpine:3
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: apps
spec:
  selector:
    app: web
`

func run(t *testing.T, cfg lint.Config, now time.Time) *lint.Result {
	t.Helper()
	objs, err := lint.Decode("m.yaml", []byte(manifests))
	require.NoError(t, err)
	res, err := lint.Run(objs, append(lint.EngineRules(), probe, setProbe), lint.Options{Config: cfg, Now: now})
	require.NoError(t, err)
	return res
}

func strs(ds []lint.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

func TestRunPositionsAndIgnores(t *testing.T) {
	res := run(t, lint.Config{}, time.Time{})
	assert.Equal(t, []string{
		"m.yaml:14:18: warning test-probe: container \"init\"",
		"m.yaml:17:18: warning test-probe: container \"app\"",
		"m.yaml:40:3: info test-set: service web",
	}, strs(res.Findings))
	require.Len(t, res.Suppressed, 1)
	assert.Equal(t, "batch images are scanned elsewhere", res.Suppressed[0].Suppression.Reason)
	assert.Equal(t, "annotation", res.Suppressed[0].Suppression.Kind)
	assert.Equal(t, 3, res.Objects)
}

func TestConfig(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		cfg        lint.Config
		findings   int
		suppressed int
		err        string
	}{
		{name: "disable", cfg: lint.Config{Disable: []string{"test-probe"}}, findings: 1, suppressed: 0},
		{name: "severity override", cfg: lint.Config{Severity: map[string]string{"test-set": "error"}}, findings: 3, suppressed: 1},
		{name: "exclude by kind", cfg: lint.Config{Exclude: []lint.Exclusion{{Kinds: []string{"Service"}, Reason: "owned by mesh team"}}}, findings: 2, suppressed: 2},
		{name: "exclude by rule and name", cfg: lint.Config{Exclude: []lint.Exclusion{{Rules: []string{"test-probe"}, Names: []string{"web"}, Reason: "r"}}}, findings: 1, suppressed: 3},
		{name: "exclude by path glob", cfg: lint.Config{Exclude: []lint.Exclusion{{Paths: []string{"*.yaml"}, Reason: "r"}}}, findings: 0, suppressed: 4},
		{name: "expired exclusion stops applying", cfg: lint.Config{Exclude: []lint.Exclusion{{Kinds: []string{"Service"}, Reason: "r", Expires: "2026-05-31"}}}, findings: 3, suppressed: 1},
		{name: "exclusion holds through its last day", cfg: lint.Config{Exclude: []lint.Exclusion{{Kinds: []string{"Service"}, Reason: "r", Expires: "2026-06-01"}}}, findings: 2, suppressed: 2},
		{name: "unknown rule", cfg: lint.Config{Disable: []string{"nope"}}, err: `unknown rule "nope"`},
		{name: "exclusion without reason", cfg: lint.Config{Exclude: []lint.Exclusion{{Kinds: []string{"Service"}}}}, err: "reason is required"},
		{name: "negative replica floor", cfg: lint.Config{Params: lint.Params{MinReplicas: -5}}, err: "params.minReplicas: must be at least 1"},
		{name: "bad expiry", cfg: lint.Config{Exclude: []lint.Exclusion{{Kinds: []string{"Service"}, Reason: "r", Expires: "June"}}}, err: "not YYYY-MM-DD"},
		{name: "exclusion without a selector", cfg: lint.Config{Exclude: []lint.Exclusion{{Reason: "r"}}}, err: "exclude[0]: no selector"},
		{name: "exclusion with only empty selectors", cfg: lint.Config{Exclude: []lint.Exclusion{{Kinds: []string{"Service"}, Reason: "r"}, {Rules: []string{}, Reason: "r", Expires: "2027-01-01"}}}, err: "exclude[1]: no selector"},
		{name: "bad severity", cfg: lint.Config{Severity: map[string]string{"test-set": "fatal"}}, err: "unknown severity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := lint.Decode("m.yaml", []byte(manifests))
			require.NoError(t, err)
			res, err := lint.Run(objs, append(lint.EngineRules(), probe, setProbe), lint.Options{Config: tt.cfg, Now: now})
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, res.Findings, tt.findings, "%v", strs(res.Findings))
			assert.Len(t, res.Suppressed, tt.suppressed)
		})
	}
}

func TestContainersInheritPodSecurity(t *testing.T) {
	objs, err := lint.Decode("p.yaml", []byte(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    seccompProfile: {type: RuntimeDefault}
  containers:
    - name: a
      image: x:1
    - name: b
      image: x:1
      securityContext:
        runAsUser: 0
  ephemeralContainers:
    - name: debug
      image: x:1
`))
	require.NoError(t, err)
	cs := objs[0].Pod().Containers()
	require.Len(t, cs, 3)
	assert.Equal(t, int64(1000), *cs[0].Security.RunAsUser)
	assert.Equal(t, "spec.securityContext.runAsUser", cs[0].Security.RunAsUserPath)
	assert.Equal(t, int64(0), *cs[1].Security.RunAsUser)
	assert.Equal(t, "spec.containers[1].securityContext.runAsUser", cs[1].Security.RunAsUserPath)
	assert.True(t, *cs[2].Security.RunAsNonRoot)
	assert.Equal(t, lint.EphemeralContainer, cs[2].Kind)
	assert.Equal(t, "RuntimeDefault", cs[2].Security.SeccompType)
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not yaml", "a: [\n", "x.yaml:2:1: invalid YAML"},
		{"a template", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n{{ include \"labels\" . | indent 4 }}\n", "(a Helm or Go template? render it first, e.g. helm template . | platformctl lint -)"},
		{"scalar document", "hello\n", "x.yaml:1:1: document 1 is not an object"},
		{"list document", "- a\n", "x.yaml:1:1: document 1 is not an object"},
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n", "x.yaml:1:1: object with apiVersion v1 has no kind"},
		{"no apiVersion", "kind: Pod\nmetadata: {name: a}\n", "x.yaml:1:1: Pod has no apiVersion"},
		{"unknown kind", "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: a}\n", `x.yaml:2:1: unknown kind "Deploymnet" in API group "apps"; did you mean "Deployment"?`},
		{"no name", "apiVersion: v1\nkind: Pod\nmetadata: {}\n", "x.yaml:3:1: Pod has no metadata.name"},
		{"binary", "a\x00b", "x.yaml:1:1: binary file"},
		{"alias bomb", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  a: &a [x, x]\n  b: [*a, *a]\n", "x.yaml:5:6: YAML anchors and aliases are not supported"},
		{"bad utf8", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \xff}\n", "x.yaml:3:18: invalid YAML: invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lint.Decode("x.yaml", []byte(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestDecodeLists(t *testing.T) {
	objs, err := lint.Decode("l.yaml", []byte("---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"))
	require.NoError(t, err)
	require.Len(t, objs, 2)
	assert.Equal(t, "b", objs[1].Name)

	tests := []struct {
		name, in string
		objects  int
		err      string
	}{
		{"a typed list, as kubectl get -o yaml prints", "apiVersion: v1\nkind: ConfigMapList\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n", 1, ""},
		{"empty items", "apiVersion: v1\nkind: List\nitems: []\n", 0, ""},
		{"null items", "apiVersion: v1\nkind: List\nitems:\n", 0, ""},
		{"items as a mapping", "apiVersion: v1\nkind: List\nitems: {a: 1}\n", 0, "l.yaml:3:8: List items must be a list of objects, got a mapping"},
		{"items as a scalar", "apiVersion: v1\nkind: List\nitems: many\n", 0, `l.yaml:3:8: List items must be a list of objects, got the value "many"`},
		{"a bad item", "apiVersion: v1\nkind: List\nitems: [{kind: ConfigMap}]\n", 0, "ConfigMap has no apiVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := lint.Decode("l.yaml", []byte(tt.in))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, objs, tt.objects)
		})
	}
}

// TestPodFoundInEveryShape covers Object.Pod for the shapes rules rely on:
// every workload kind, a CRD with a pod template, and objects without one.
func TestPodFoundInEveryShape(t *testing.T) {
	objs, err := lint.Decode("shapes.yaml", []byte(`apiVersion: v1
kind: PodTemplate
metadata: {name: template}
template:
  metadata: {labels: {a: b}}
  spec: {containers: [{name: c, image: x}]}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: rollout}
spec: {template: {spec: {containers: [{name: c, image: x}]}}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: no-containers}
spec: {template: {spec: {volumes: []}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: no-template}
spec: {replicas: 1}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron}
spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: x}]}}}}}
`))
	require.NoError(t, err)
	want := map[string]string{
		"template": "template.spec", "rollout": "spec.template.spec", "no-containers": "", "no-template": "",
		"cron": "spec.jobTemplate.spec.template.spec",
	}
	for _, o := range objs {
		p := o.Pod()
		if want[o.Name] == "" {
			assert.Nil(t, p, o.Name)
			continue
		}
		require.NotNil(t, p, o.Name)
		assert.Equal(t, want[o.Name], p.Path, o.Name)
		assert.Len(t, p.Containers(), 1, o.Name)
		assert.Same(t, &p.Containers()[0], &p.Containers()[0], "containers are built once")
	}
}
