package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/test/e2e/internal/kube"
)

// roundTripExample and roundTripEnv name the environment that is applied for
// real and read back; when absent the first environment found is used.
const (
	roundTripExample = "shop"
	roundTripEnv     = "production"
)

// environment is one rendered target: examples/<Example>/platform.yaml with
// --env <Env>.
type environment struct {
	Example string
	Spec    string // path to platform.yaml
	Env     string
	// Preview is a pull request number: the environment is its preview
	// (`platformctl build --preview N`), and Env its name; Base is the
	// environment it is copied from, whose cluster it runs in.
	Preview int
	Base    string
}

func (e environment) String() string { return e.Example + "/" + e.Env }

// platformSpec is just enough of platform.yaml to enumerate environments;
// everything else is platformctl's business.
type platformSpec struct {
	Spec struct {
		Environments []struct {
			Name string `json:"name"`
		} `json:"environments"`
		Previews *struct {
			From string `json:"from"`
		} `json:"previews"`
	} `json:"spec"`
}

func discoverEnvironments(t *testing.T) []environment {
	t.Helper()
	specs, err := filepath.Glob(filepath.Join(suite.root, "examples", "*", "platform.yaml"))
	require.NoError(t, err)
	slices.Sort(specs)
	var envs []environment
	for _, path := range specs {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var spec platformSpec
		require.NoError(t, yaml.Unmarshal(data, &spec), "parsing %s", path)
		example := filepath.Base(filepath.Dir(path))
		require.NotEmpty(t, spec.Spec.Environments, "%s declares no spec.environments", path)
		for _, e := range spec.Spec.Environments {
			require.NotEmpty(t, e.Name, "%s has an environment without a name", path)
			envs = append(envs, environment{Example: example, Spec: path, Env: e.Name})
		}
		// One pull request's preview, as Argo CD's plugin builds it.
		if spec.Spec.Previews != nil {
			envs = append(envs, environment{Example: example, Spec: path, Env: "pr-7", Preview: 7, Base: spec.Spec.Previews.From})
		}
	}
	return envs
}

// render runs `platformctl build` and decodes its stdout.
func render(t *testing.T, env environment) []*unstructured.Unstructured {
	t.Helper()
	bin := platformctlBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rel, err := filepath.Rel(suite.root, env.Spec)
	require.NoError(t, err)
	args := []string{"build", "-f", rel, "--env", env.Env}
	if env.Preview != 0 {
		args = []string{"build", "-f", rel, "--preview", strconv.Itoa(env.Preview)}
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = suite.root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("platformctl %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	objs, err := kube.Decode(stdout.Bytes())
	require.NoError(t, err, "platformctl build -f %s --env %s printed invalid YAML", rel, env.Env)
	require.NotEmpty(t, objs, "platformctl build -f %s --env %s printed no objects", rel, env.Env)
	if env.Preview != 0 {
		// A preview runs in its base environment's cluster and uses the
		// cluster-wide objects that environment owns (PriorityClasses).
		for _, o := range render(t, environment{Example: env.Example, Spec: env.Spec, Env: env.Base}) {
			if o.GetNamespace() == "" && o.GetKind() != "Namespace" {
				objs = append(objs, o)
			}
		}
	}
	return objs
}

func reportProblems(t *testing.T, problems []kube.Problem) {
	t.Helper()
	for _, p := range problems {
		t.Errorf("%s", p)
	}
}

// TestExamples submits every environment of every example with dryRun=All:
// the API server runs full validation, defaulting, CRD schema checks and
// admission (Pod Security included) without storing anything, and the test
// fails on any rejection or warning.
func TestExamples(t *testing.T) {
	envs := discoverEnvironments(t)
	if len(envs) == 0 {
		t.Skip("no examples/*/platform.yaml in the repository yet; nothing rendered to check")
	}
	for _, env := range envs {
		t.Run(env.String(), func(t *testing.T) {
			objs := render(t, env)
			problems := kube.Duplicates(objs)
			problems = append(problems, suite.client.Apply(context.Background(), objs, kube.ApplyOptions{DryRun: true})...)
			reportProblems(t, problems)
			t.Logf("%d objects checked, %d problems", len(objs), len(problems))
		})
	}
}

// TestFixture keeps the harness honest independently of the examples: a
// hand-written environment touching every installed CRD group must pass.
func TestFixture(t *testing.T) {
	objs, err := kube.ReadDir(filepath.Join("testdata", "valid"))
	require.NoError(t, err)
	require.NotEmpty(t, objs)
	reportProblems(t, suite.client.Apply(context.Background(), objs, kube.ApplyOptions{DryRun: true}))
}

// TestRoundTrip applies one environment for real and reads every object
// back. What the server stored must contain everything that was sent: a
// field silently dropped (pruned by a CRD schema, or unknown to a built-in
// API) would otherwise go unnoticed until the cluster behaves differently
// from the manifest.
func TestRoundTrip(t *testing.T) {
	var objs []*unstructured.Unstructured
	envs := discoverEnvironments(t)
	if len(envs) == 0 {
		t.Log("no examples yet; round-tripping the hand-written fixture instead")
		var err error
		objs, err = kube.ReadDir(filepath.Join("testdata", "valid"))
		require.NoError(t, err)
	} else {
		env := envs[0]
		for _, e := range envs {
			if e.Example == roundTripExample && e.Env == roundTripEnv {
				env = e
				break
			}
		}
		t.Logf("round-tripping %s", env)
		objs = render(t, env)
	}

	ctx := context.Background()
	// The stored admission policies would judge every later test's
	// objects in namespaces of the same names (another example's apps):
	// they go when this test ends.
	var policies []*unstructured.Unstructured
	for _, o := range objs {
		if k := o.GetKind(); k == "ValidatingAdmissionPolicy" || k == "ValidatingAdmissionPolicyBinding" {
			policies = append(policies, o)
		}
	}
	t.Cleanup(func() { assert.NoError(t, suite.client.Delete(context.Background(), policies)) })
	problems := suite.client.Apply(ctx, objs, kube.ApplyOptions{DryRun: false})
	reportProblems(t, problems)
	if len(problems) > 0 {
		t.FailNow()
	}
	for _, sent := range objs {
		stored, err := suite.client.Get(ctx, sent)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, m := range kube.Missing(sent, stored) {
			t.Errorf("%s: %s", kube.Ref(sent), m)
		}
	}
	checkAdmissionPolicy(t, objs)
	checkImmutableConfig(t, objs)
}

// checkImmutableConfig proves what config file rollouts rely on: every
// ConfigMap a rendered workload mounts is among the objects, and a stored
// config ConfigMap (immutable, named after its content) refuses a change
// of content, which therefore has to be a new ConfigMap and a new pod
// template.
func checkImmutableConfig(t *testing.T, objs []*unstructured.Unstructured) {
	configMaps := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		if o.GetKind() == "ConfigMap" {
			configMaps[o.GetNamespace()+"/"+o.GetName()] = o
		}
	}
	var mounted *unstructured.Unstructured
	for _, o := range objs {
		pod, err := kube.PodFromWorkload(o) // Deployments, CronJobs, Jobs
		if err != nil || pod == nil {
			continue
		}
		vols, _, _ := unstructured.NestedSlice(pod.Object, "spec", "volumes")
		for _, v := range vols {
			name, ok, _ := unstructured.NestedString(v.(map[string]any), "configMap", "name")
			if !ok {
				continue
			}
			cm := configMaps[o.GetNamespace()+"/"+name]
			if !assert.NotNil(t, cm, "%s mounts the ConfigMap %s, which the environment does not have", kube.Ref(o), name) {
				continue
			}
			if immutable, _, _ := unstructured.NestedBool(cm.Object, "immutable"); immutable && mounted == nil {
				mounted = cm
			}
		}
	}
	if mounted == nil {
		return
	}
	changed := mounted.DeepCopy()
	data, _, _ := unstructured.NestedStringMap(changed.Object, "data")
	for k := range data {
		data[k] += "# changed\n"
	}
	require.NoError(t, unstructured.SetNestedStringMap(changed.Object, data, "data"))
	problems := suite.client.Apply(context.Background(), []*unstructured.Unstructured{changed}, kube.ApplyOptions{DryRun: true})
	require.NotEmpty(t, problems, "the API server accepted a change of content of the immutable ConfigMap %s", kube.Ref(mounted))
	assert.Contains(t, problems[0].Message, "immutable")
	t.Logf("%s refused a change of content: %s", kube.Ref(mounted), problems[0].Message)
}

// checkAdmissionPolicy proves a stored pod-baseline ValidatingAdmissionPolicy
// is live: the pod of a rendered Deployment is admitted, and the same pod
// with a writable root filesystem is denied with the policy's message.
func checkAdmissionPolicy(t *testing.T, objs []*unstructured.Unstructured) {
	var deployment *unstructured.Unstructured
	hasPolicy := false
	for _, o := range objs {
		switch o.GetKind() {
		case "ValidatingAdmissionPolicy":
			hasPolicy = true
		case "Deployment":
			if deployment == nil && strings.HasSuffix(o.GetNamespace(), "apps") {
				deployment = o
			}
		}
	}
	if !hasPolicy || deployment == nil {
		return
	}
	pod, err := kube.PodFromWorkload(deployment)
	require.NoError(t, err)
	drifted := pod.DeepCopy()
	containers, _, _ := unstructured.NestedSlice(drifted.Object, "spec", "containers")
	require.NotEmpty(t, containers)
	require.NoError(t, unstructured.SetNestedField(containers[0].(map[string]any), false, "securityContext", "readOnlyRootFilesystem"))
	require.NoError(t, unstructured.SetNestedSlice(drifted.Object, containers, "spec", "containers"))
	ctx := context.Background()
	// The API server activates a new policy within a few seconds.
	var last []kube.Problem
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		last = suite.client.Apply(ctx, []*unstructured.Unstructured{drifted}, kube.ApplyOptions{DryRun: true})
		if len(last) > 0 {
			break
		}
	}
	require.NotEmpty(t, last, "a pod with a writable root filesystem was admitted despite the pod-baseline policy")
	assert.Contains(t, last[0].Message, "readOnlyRootFilesystem")
	reportProblems(t, suite.client.Apply(ctx, []*unstructured.Unstructured{pod}, kube.ApplyOptions{DryRun: true}))
}

// TestHarnessCatchesInvalidObjects proves the tier can fail: each case is a
// deliberately broken object that must come back from the same Apply the
// positive tests use as a problem of the expected kind.
func TestHarnessCatchesInvalidObjects(t *testing.T) {
	cases := []struct {
		name       string
		file       string
		object     string // kube.Ref of the object expected to be flagged
		reason     string
		messageHas string
	}{
		{
			name:       "negative CPU request is rejected",
			file:       "negative-cpu.yaml",
			object:     "Deployment e2e-negative-cpu/api",
			reason:     kube.ReasonRejected,
			messageHas: "must be greater than or equal to 0",
		},
		{
			name:       "root and privileged container in a restricted namespace is warned about",
			file:       "privileged-restricted.yaml",
			object:     "Deployment e2e-negative-restricted/api",
			reason:     kube.ReasonWarning,
			messageHas: `would violate PodSecurity "restricted:latest"`,
		},
		{
			name:       "bare privileged Pod in a restricted namespace is rejected",
			file:       "privileged-restricted.yaml",
			object:     "Pod e2e-negative-restricted/debug",
			reason:     kube.ReasonRejected,
			messageHas: `violates PodSecurity "restricted:latest"`,
		},
		{
			name:       "field unknown to a CRD schema is rejected",
			file:       "unknown-crd-field.yaml",
			object:     "HTTPRoute e2e-negative-crd/web",
			reason:     kube.ReasonRejected,
			messageHas: ".spec.timeoutSeconds: field not declared in schema",
		},
		{
			name:       "field unknown to a built-in API is rejected",
			file:       "unknown-crd-field.yaml",
			object:     "Service e2e-negative-crd/web",
			reason:     kube.ReasonRejected,
			messageHas: "targetPortName: field not declared in schema",
		},
		{
			name:       "deprecated API version is warned about",
			file:       "deprecated-api.yaml",
			object:     "ClusterPolicy e2e-negative-deprecated",
			reason:     kube.ReasonWarning,
			messageHas: "kyverno.io/v1 ClusterPolicy is deprecated",
		},
		{
			name:       "workload whose pods could never be created is caught",
			file:       "missing-serviceaccount.yaml",
			object:     "Deployment e2e-negative-sa/api (as the Pod its controller would create)",
			reason:     kube.ReasonRejected,
			messageHas: `serviceaccount "missing" not found`,
		},
		{
			name:       "removed API version is reported",
			file:       "removed-api.yaml",
			object:     "Ingress e2e-negative-removed/web",
			reason:     kube.ReasonUnknownGVK,
			messageHas: "extensions/v1beta1",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := kube.ReadDir(filepath.Join("testdata", "invalid", tc.file))
			require.NoError(t, err)
			problems := suite.client.Apply(context.Background(), objs, kube.ApplyOptions{DryRun: true})
			var matched []string
			for _, p := range problems {
				if p.Object == tc.object && p.Reason == tc.reason && strings.Contains(p.Message, tc.messageHas) {
					matched = append(matched, p.Message)
				}
			}
			require.NotEmpty(t, matched, "expected a %q problem for %s containing %q; got:\n%s",
				tc.reason, tc.object, tc.messageHas, formatProblems(problems))
			t.Logf("flagged as expected: %s", matched[0])
		})
	}
}

func formatProblems(ps []kube.Problem) string {
	if len(ps) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	return b.String()
}
