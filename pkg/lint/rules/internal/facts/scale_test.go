package facts_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
	"github.com/platformctl/platformctl/pkg/lint/rules/networking"
	"github.com/platformctl/platformctl/pkg/lint/rules/reliability"
)

// TestNoQuadraticMatching puts a thousand workloads, Services, PDBs and
// NetworkPolicies in one namespace, all sharing a label pair that sorts
// first and none selecting each other. Matching every selector against
// every workload would be n² = 1,000,000 matches; the indexes look only at
// the candidates sharing a selector's rarest label pair, none here. The
// test counts the matches the indexes make, so it holds on any machine;
// BenchmarkRules carries the timing.
func TestNoQuadraticMatching(t *testing.T) {
	const n = 1000
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: w%[1]d, namespace: big}
spec:
  replicas: 3
  selector: {matchLabels: {a: common, z: w%[1]d}}
  template:
    metadata: {labels: {a: common, z: w%[1]d}}
    spec: {containers: [{name: c, image: "x:1"}]}
---
apiVersion: v1
kind: Service
metadata: {name: s%[1]d, namespace: big}
spec: {selector: {a: common, z: s%[1]d}, ports: [{port: 80}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p%[1]d, namespace: big}
spec: {maxUnavailable: 1, selector: {matchLabels: {a: common, z: p%[1]d}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: n%[1]d, namespace: big}
spec: {podSelector: {matchLabels: {a: common, z: n%[1]d}}}
`, i)
	}
	objs, err := lint.Decode("big.yaml", []byte(b.String()))
	require.NoError(t, err)
	var set *lint.Set
	rules := []lint.Rule{{ID: "capture-set", CheckSet: func(s *lint.Set, _ *lint.Context, _ *lint.Reporter) { set = s }}}
	for _, r := range append(reliability.Rules(), networking.Rules()...) {
		if r.CheckSet != nil {
			rules = append(rules, r)
		}
	}
	res, err := lint.Run(objs, rules, lint.Options{})
	require.NoError(t, err)
	count := map[string]int{}
	for _, f := range res.Findings {
		count[f.RuleID]++
	}
	// Every selector misses, so each of these reports every object once.
	for _, id := range []string{"service-no-pods", "pdb-no-pods", "networkpolicy-no-pods", "missing-pdb", "pod-not-covered-by-networkpolicy"} {
		require.Equal(t, n, count[id], id)
	}
	require.NotNil(t, set)
	var examined int64
	for _, ix := range facts.Of(set).PodsByNS {
		examined += ix.Examined()
	}
	for _, key := range []*lint.Key[map[string]*facts.SelectorIndex]{facts.PDBs, facts.NetworkPolicies} {
		for _, ix := range lint.Memo(set, key) {
			examined += ix.Examined()
		}
	}
	// Linear means a small multiple of n; quadratic would be n² per rule.
	assert.LessOrEqual(t, examined, int64(4*n), "selector matches for %d objects", len(objs))
	t.Logf("%d objects, %d findings, %d selector matches", len(objs), len(res.Findings), examined)
}
