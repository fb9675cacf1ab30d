package security_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/security"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

const fixtures = "../../../../testdata/lint"

var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func run(t testing.TB, objs []*lint.Object, cfg lint.Config) []lint.Diagnostic {
	t.Helper()
	res, err := lint.Run(objs, security.Rules(), lint.Options{Config: cfg, Now: now})
	require.NoError(t, err)
	return res.Findings
}

func decode(t testing.TB, name, text string) []*lint.Object {
	t.Helper()
	objs, err := lint.Decode(name, []byte(text))
	require.NoError(t, err)
	return objs
}

// knownGeneratorFindings are findings on the product's own output that the
// generator has to fix, not the rules (reported to the lead): example/env,
// rule and object. The test also fails when one disappears, so the list
// shrinks as the generator is fixed.
var knownGeneratorFindings = map[string]bool{}

// TestGeneratedOutputLintsClean builds every environment of every example
// as `platformctl build` does and runs the security rules on the result.
func TestGeneratedOutputLintsClean(t *testing.T) {
	examples, err := filepath.Glob("../../../../examples/*/platform.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, examples)
	seen := map[string]bool{}
	for _, file := range examples {
		d, err := spec.LoadAndValidate(file)
		require.NoError(t, err, file)
		example := filepath.Base(filepath.Dir(file))
		for _, env := range d.Platform.EnvironmentNames() {
			out, err := render.Build(d.Platform, env)
			require.NoError(t, err, "%s --env %s", file, env)
			objs, err := lint.Decode(example+"-"+env+".yaml", out)
			require.NoError(t, err)
			for _, f := range run(t, objs, lint.Config{}) {
				key := fmt.Sprintf("%s/%s: %s %s", example, env, f.RuleID, f.Object)
				seen[key] = true
				if !knownGeneratorFindings[key] {
					t.Errorf("%s/%s: %s", example, env, f)
				}
			}
		}
	}
	for k := range knownGeneratorFindings {
		assert.True(t, seen[k], "known generator finding no longer reported (remove it from the list): %s", k)
	}
}

const registryWorkload = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  template:
    spec:
      initContainers:
        - {name: init, image: busybox:1.36}
      containers:
        - {name: web, image: ghcr.io/acme/web:1.4.2}
        - {name: proxy, image: "index.docker.io/envoyproxy/envoy:v1.31"}
        - {name: agent, image: "registry.example.org:5000/tools/agent@sha256:0123"}
`

// TestAllowedRegistries exercises the config parameter, which fixtures
// cannot set.
func TestAllowedRegistries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		allowed []string
		nsAnn   string
		want    []string // containers reported
	}{
		{name: "no list", allowed: nil, want: nil},
		{name: "prefixes", allowed: []string{"ghcr.io/acme", "docker.io/library"}, want: []string{"proxy", "agent"}},
		{name: "docker hub short form and scheme", allowed: []string{"https://ghcr.io/acme/", "envoyproxy", "library", "registry.example.org:5000"}, want: nil},
		{name: "no partial path match", allowed: []string{"ghcr.io/ac", "docker.io"}, want: []string{"web", "agent"}},
		{name: "wildcard domain", allowed: []string{"*.example.org", "ghcr.io", "docker.io"}, want: nil},
		{name: "namespace narrows", allowed: []string{"ghcr.io", "docker.io", "registry.example.org:5000"}, nsAnn: "ghcr.io/acme", want: []string{"init", "proxy", "agent"}},
		{name: "namespace cannot widen", allowed: []string{"ghcr.io"}, nsAnn: "ghcr.io, docker.io", want: []string{"init", "proxy", "agent"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := registryWorkload
			if tc.nsAnn != "" {
				text += fmt.Sprintf("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  annotations: {platformctl.dev/allowed-registries: %q}\n", tc.nsAnn)
			}
			cfg := lint.Config{Params: lint.Params{AllowedRegistries: tc.allowed}}
			var got []string
			for _, d := range run(t, decode(t, "registry.yaml", text), cfg) {
				if d.RuleID == "untrusted-registry" {
					got = append(got, strings.Split(d.Message, `"`)[1])
				}
			}
			assert.ElementsMatch(t, tc.want, got)
		})
	}
}

// TestContainerInheritance checks the pod-level/container-level merge the
// rules rely on, across kinds, and that inherited settings are reported
// once, at the pod.
func TestContainerInheritance(t *testing.T) {
	const text = `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: jobs}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          securityContext: {runAsNonRoot: false, runAsUser: 0, seccompProfile: {type: Unconfined}}
          initContainers:
            - {name: a, image: x, securityContext: {runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}}
          containers:
            - {name: b, image: x}
            - {name: c, image: x}
`
	byRule := map[string][]string{}
	for _, d := range run(t, decode(t, "cron.yaml", text), lint.Config{}) {
		byRule[d.RuleID] = append(byRule[d.RuleID], fmt.Sprintf("%s: %s", d.Path, d.Message))
	}
	pod := "spec.jobTemplate.spec.template.spec"
	assert.Equal(t, []string{pod + `.securityContext.runAsUser: containers "b", "c" run as UID 0 (root)`}, byRule["run-as-root-user"])
	assert.Equal(t, []string{pod + `.securityContext.seccompProfile.type: seccomp is disabled (type Unconfined) for containers "b", "c"`}, byRule["seccomp-unconfined"])
	// a overrides runAsUser; b and c are reported by run-as-root-user only.
	assert.Empty(t, byRule["run-as-non-root"])
	assert.Empty(t, byRule["missing-seccomp-profile"])
}

func TestHostPathClasses(t *testing.T) {
	for path, want := range map[string]string{
		"/":                                   "sensitive-host-path",
		"/etc/":                               "sensitive-host-path",
		"/etc/kubernetes/pki":                 "sensitive-host-path",
		"/proc/sys/kernel":                    "sensitive-host-path",
		"/var/lib/kubelet":                    "sensitive-host-path",
		"/root/.ssh":                          "sensitive-host-path",
		"/etc/localtime":                      "host-path-volume",
		"/var/log/pods":                       "host-path-volume",
		"/data/app":                           "host-path-volume",
		"/sys/fs/cgroup":                      "host-path-volume",
		"/var/run/docker.sock":                "container-runtime-socket",
		"/run/containerd":                     "container-runtime-socket",
		"/var/run/cri-dockerd.sock":           "container-runtime-socket",
		"/run/k3s/containerd/containerd.sock": "container-runtime-socket",
		"/var/run/crio/crio.sock":             "container-runtime-socket",
		"/run":                                "container-runtime-socket",
	} {
		text := fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x}]\n  volumes: [{name: v, hostPath: {path: %q}}]\n", path)
		var got []string
		for _, d := range run(t, decode(t, "p.yaml", text), lint.Config{}) {
			if strings.Contains(d.RuleID, "host-path") || d.RuleID == "container-runtime-socket" {
				got = append(got, d.RuleID)
			}
		}
		assert.Equal(t, []string{want}, got, path)
	}
}

func TestIngressTLSHosts(t *testing.T) {
	for _, tc := range []struct {
		host, tls string
		covered   bool
	}{
		{"www.example.com", "www.example.com", true},
		{"WWW.Example.com", "www.example.com", true},
		{"www.example.com", "*.example.com", true},
		{"a.b.example.com", "*.example.com", false},
		{"example.com", "*.example.com", false},
		{"www.example.com", "api.example.com", false},
	} {
		text := fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: i}
spec:
  tls: [{hosts: [%q], secretName: s}]
  rules: [{host: %q}]
`, tc.tls, tc.host)
		var got int
		for _, d := range run(t, decode(t, "i.yaml", text), lint.Config{}) {
			if d.RuleID == "ingress-without-tls" {
				got++
			}
		}
		assert.Equal(t, !tc.covered, got == 1, "%s under %s", tc.host, tc.tls)
	}
}

func TestSecretValues(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		secret      bool
	}{
		{"DB_PASSWORD", "hunter2", true},
		{"api-key", "k3y", true},
		{"client.secret", "s3cr3t-value", true},
		{"GITHUB_TOKEN", "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", true},
		{"ANYTHING", "AKIAIOSFODNN7EXAMPLE", true},
		{"ANYTHING", "-----BEGIN OPENSSH PRIVATE KEY-----", true},
		{"ANYTHING", "redis://:pa55@cache:6379/0", true},
		{"REDIS_URL", "redis://default:pa55@cache:6379/0", true},
		{"ANYTHING", "xoxb-1234567890-abcdefghij", true},
		{"ANYTHING", "sk_live_0123456789abcdefABCD", true},
		{"PASSWORD", "", false},
		{"PASSWORD", "$(PASSWORD_FROM_SECRET)", false},
		{"PASSWORD", "${PASSWORD}", false},
		{"PASSWORD_FILE", "/run/secrets/pw", false},
		{"TOKEN_TTL", "1h", false},
		{"SECRET_KEY_ID", "k1", false},
		{"KEY", "abc", false},
		{"CACHE_KEY", "abc", false},
		{"AUTH_MODE", "oidc", false},
		{"OIDC_CLIENT_SECRET", "true", false},
		{"TOKEN_URL", "https://auth.example.com/token", false},
		{"DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db/app", false},
		{"DATABASE_URL", "postgres://app@db/app", false},
	} {
		text := fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: x, env: [{name: %q, value: %q}]}]
`, tc.name, tc.value)
		var got int
		for _, d := range run(t, decode(t, "p.yaml", text), lint.Config{}) {
			if d.RuleID == "env-literal-secret" {
				got++
				assert.NotContains(t, d.Message, tc.value, "messages never echo the value")
			}
		}
		assert.Equal(t, tc.secret, got == 1, "%s=%s", tc.name, tc.value)
	}
}

// TestRulesAreExclusive: one mistake, one finding. A rule that defers to a
// more specific one must not fire where that one does.
func TestRulesAreExclusive(t *testing.T) {
	const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: x
      securityContext: {capabilities: {drop: [ALL], add: [SYS_ADMIN, NET_RAW, CHOWN]}}
  volumes:
    - {name: a, hostPath: {path: /var/run/docker.sock}}
    - {name: b, hostPath: {path: /etc}}
    - {name: c, hostPath: {path: /data}}
`
	count := map[string]int{}
	for _, d := range run(t, decode(t, "p.yaml", text), lint.Config{}) {
		count[d.RuleID]++
	}
	for id, n := range map[string]int{
		"dangerous-capability": 1, "net-raw-capability": 1, "capability-added": 1,
		"container-runtime-socket": 1, "sensitive-host-path": 1, "host-path-volume": 1,
	} {
		assert.Equal(t, n, count[id], id)
	}
}

// TestFixtureNames keeps fixtures readable: every object of a fire fixture
// is named fire-*, every object of a dont-fire fixture dont-fire-*.
func TestFixtureNames(t *testing.T) {
	for _, r := range security.Rules() {
		files, err := filepath.Glob(filepath.Join(fixtures, r.ID, "*.yaml"))
		require.NoError(t, err)
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			objs, err := lint.Decode(f, data)
			require.NoError(t, err)
			prefix, _, _ := strings.Cut(filepath.Base(f), "-fire")
			prefix += "-fire-"
			if strings.HasPrefix(filepath.Base(f), "fire-") {
				prefix = "fire-"
			}
			for _, o := range objs {
				// RBAC fixtures may wear the system: prefix of Kubernetes' own roles.
				name := strings.TrimPrefix(o.Name, "system:")
				assert.True(t, strings.HasPrefix(name, prefix), "%s: %s is not named %s*", f, o.Ref(), prefix)
			}
		}
	}
}

func TestSystemNamespacesExempt(t *testing.T) {
	for _, ns := range []string{"kube-system", "kube-public", "kube-node-lease"} {
		for _, d := range run(t, decode(t, "ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n"), lint.Config{}) {
			assert.NotEqual(t, "pod-security-not-enforced", d.RuleID, ns)
		}
	}
}

// manyObjects returns n objects: the production build of the shop example
// repeated and, when dirty, the fixtures of every rule as well, most of
// which are findings.
func manyObjects(b testing.TB, n int, dirty bool) []*lint.Object {
	var docs [][]byte
	if dirty {
		files, _ := filepath.Glob(filepath.Join(fixtures, "*", "*.yaml"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(b, err)
			docs = append(docs, data)
		}
	}
	d, err := spec.LoadAndValidate("../../../../examples/shop/platform.yaml")
	require.NoError(b, err)
	out, err := render.Build(d.Platform, "production")
	require.NoError(b, err)
	docs = append(docs, out)
	all := bytes.Join(docs, []byte("\n---\n"))
	var objs []*lint.Object
	for i := 0; len(objs) < n; i++ {
		o, err := lint.Decode(fmt.Sprintf("copy-%d.yaml", i), all)
		require.NoError(b, err)
		objs = append(objs, o...)
	}
	return objs[:n]
}

// BenchmarkRules10k runs the security rules on 10,000 objects; the budget
// for the whole linter is 0.5 s on 2 cores. Objects are decoded afresh for
// every run, outside the timer, so no cached pod is reused.
func BenchmarkRules10k(b *testing.B) {
	for _, dirty := range []bool{false, true} {
		b.Run(fmt.Sprintf("dirty=%v", dirty), func(b *testing.B) {
			rules := security.Rules()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				objs := manyObjects(b, 10000, dirty)
				b.StartTimer()
				res, err := lint.Run(objs, rules, lint.Options{Now: now})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(res.Findings)), "findings")
			}
		})
	}
}

// TestGatewayHostnames: a route attaches to a listener only where their
// hostnames intersect, with the Gateway API's multi-label wildcards.
func TestGatewayHostnames(t *testing.T) {
	for _, tc := range []struct {
		listener, route string
		attached        bool
	}{
		{"", "www.example.com", true},
		{"www.example.com", "", true},
		{"www.example.com", "www.example.com", true},
		{"*.example.com", "a.b.example.com", true},
		{"a.b.example.com", "*.example.com", true},
		{"*.example.com", "example.com", false},
		{"www.example.com", "api.example.com", false},
	} {
		listener := ""
		if tc.listener != "" {
			listener = fmt.Sprintf(", hostname: %q", tc.listener)
		}
		hostnames := ""
		if tc.route != "" {
			hostnames = fmt.Sprintf("hostnames: [%q]", tc.route)
		}
		text := fmt.Sprintf(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  listeners:
    - {name: http, port: 80, protocol: HTTP%s}
    - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: c}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: edge}
spec:
  parentRefs: [{name: gw}]
  %s
  rules: [{backendRefs: [{name: web, port: 80}]}]
`, listener, hostnames)
		var got int
		for _, d := range run(t, decode(t, "gw.yaml", text), lint.Config{}) {
			if d.RuleID == "gateway-http-listener" {
				got++
			}
		}
		assert.Equal(t, tc.attached, got == 1, "listener %q, route %q", tc.listener, tc.route)
	}
}

func TestCommandLineSecrets(t *testing.T) {
	for _, tc := range []struct {
		command, args string
		want          int
	}{
		{`[app]`, `[--password=hunter2]`, 1},
		{`[app]`, `[--password, hunter2]`, 1},
		{`[app, --api-key]`, `[k3y-value]`, 1},
		{`[sh, -c]`, `["redis-server --requirepass s3cret --port 6379"]`, 1},
		{`[app]`, `["--db=postgres://app:pw@db/app"]`, 1},
		{`[app]`, `[--token-file=/var/run/secrets/token, --password-file, /run/pw]`, 0},
		{`[sh, -c]`, `["redis-server --requirepass \"$(cat /var/run/secrets/platformctl/password)\""]`, 0},
		{`[app]`, `[--password, $(DB_PASSWORD), --secret-name, db]`, 0},
		{`[app]`, `[--token-ttl, 1h, --verbose]`, 0},
		{`[app]`, `[--password, --other]`, 0},
	} {
		text := fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x, command: %s, args: %s}]\n", tc.command, tc.args)
		var got int
		for _, d := range run(t, decode(t, "p.yaml", text), lint.Config{}) {
			if d.RuleID == "command-line-secret" {
				got++
				assert.NotContains(t, d.Message, "hunter2")
			}
		}
		assert.Equal(t, tc.want, got, "%s %s", tc.command, tc.args)
	}
}
