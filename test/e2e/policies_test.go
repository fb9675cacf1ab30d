package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/platformctl/platformctl/test/e2e/internal/kube"
)

// exportPolicies runs `platformctl policies export` in dir (whose
// .platformctl.yaml, if any, it reads) and stores the policies for real;
// they are deleted when the test ends.
func exportPolicies(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	cmd := exec.Command(platformctlBinary(t), "policies", "export")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "policies export: %s", stderr.String())
	objs, err := kube.Decode(stdout.Bytes())
	require.NoError(t, err)
	require.NotEmpty(t, objs)
	ctx := context.Background()
	reportProblems(t, suite.client.Apply(ctx, objs, kube.ApplyOptions{}))
	t.Cleanup(func() { assert.NoError(t, suite.client.Delete(context.Background(), objs)) })
	return objs
}

// problemsOf waits until the server has activated the policies (the
// expected problem appears, within a few seconds) and returns the problems
// of objs.
func problemsOf(t *testing.T, objs []*unstructured.Unstructured, wait string) []kube.Problem {
	t.Helper()
	var last []kube.Problem
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		last = suite.client.Apply(context.Background(), objs, kube.ApplyOptions{DryRun: true})
		for _, p := range last {
			if strings.Contains(p.Message, wait) {
				return last
			}
		}
	}
	t.Fatalf("the policies never refused anything with %q; problems:\n%s", wait, formatProblems(last))
	return nil
}

// hasProblem finds the problem of object with reason whose message names
// the rule.
func hasProblem(ps []kube.Problem, object, reason, rule string) bool {
	for _, p := range ps {
		if p.Object == object && p.Reason == reason && strings.Contains(p.Message, "platformctl rule "+rule) {
			return true
		}
	}
	return false
}

// TestPoliciesExport: the ValidatingAdmissionPolicies `platformctl
// policies export` writes are accepted by the API server, admit every
// environment of every example (previews included) without a warning, and refuse what lint
// reports, with the rule's message: error rules deny, warning rules warn;
// an ignore annotation with a reason lets an object through. Then the
// same with testdata/custom-rules' CEL rules.
func TestPoliciesExport(t *testing.T) {
	t.Run("built-in rules", func(t *testing.T) {
		exportPolicies(t, t.TempDir())
		violations, err := kube.ReadDir(filepath.Join("testdata", "policies", "violations.yaml"))
		require.NoError(t, err)
		ps := problemsOf(t, violations, "platformctl rule privileged-container")
		assert.True(t, hasProblem(ps, "Pod e2e-policies/privileged", kube.ReasonRejected, "privileged-container"), formatProblems(ps))
		assert.False(t, hasProblem(ps, "Pod e2e-policies/privileged-ignored", kube.ReasonRejected, "privileged-container"), "the ignore annotation lets it through:\n%s", formatProblems(ps))
		assert.True(t, hasProblem(ps, "Deployment e2e-policies/escalation", kube.ReasonWarning, "allow-privilege-escalation"), formatProblems(ps))
		assert.True(t, hasProblem(ps, "Deployment e2e-policies/escalation (as the Pod its controller would create)", kube.ReasonWarning, "allow-privilege-escalation"), formatProblems(ps))

		for _, env := range discoverEnvironments(t) {
			t.Run(env.String(), func(t *testing.T) {
				reportProblems(t, suite.client.Apply(context.Background(), render(t, env), kube.ApplyOptions{DryRun: true}))
			})
		}
	})
	t.Run("custom rules", func(t *testing.T) {
		dir := filepath.Join(suite.root, "testdata", "custom-rules")
		exportPolicies(t, dir)
		objs, err := kube.ReadDir(filepath.Join(dir, "workloads.yaml"))
		require.NoError(t, err)
		ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "shop"}}}
		ps := problemsOf(t, append([]*unstructured.Unstructured{ns}, objs...), "platformctl rule team-label")
		assert.True(t, hasProblem(ps, "Deployment shop/checkout", kube.ReasonRejected, "team-label"), formatProblems(ps))
		assert.True(t, hasProblem(ps, "Service shop/checkout", kube.ReasonWarning, "no-nodeport"), formatProblems(ps))

		// With the team label the Deployment passes that rule.
		labelled := objs[0].DeepCopy()
		labels := labelled.GetLabels()
		labels["team"] = "payments"
		labelled.SetLabels(labels)
		ps = suite.client.Apply(context.Background(), []*unstructured.Unstructured{ns, labelled}, kube.ApplyOptions{DryRun: true})
		assert.False(t, hasProblem(ps, "Deployment shop/checkout", kube.ReasonRejected, "team-label"), formatProblems(ps))
		assert.True(t, hasProblem(ps, "Deployment shop/checkout", kube.ReasonWarning, "memory-limit-set"), formatProblems(ps))
	})
}
