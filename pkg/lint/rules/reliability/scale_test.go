package reliability_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/reliability"
)

// TestNoQuadraticMatching puts thousands of workloads, Services, PDBs and
// NetworkPolicies in one namespace, all sharing a label pair that sorts
// first and none selecting each other. Matching every selector against
// every workload would take seconds; the indexes make it linear.
func TestNoQuadraticMatching(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	const n = 3000
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
	var rules []lint.Rule
	for _, r := range reliability.Rules() {
		if r.CheckSet != nil {
			rules = append(rules, r)
		}
	}
	start := time.Now()
	res, err := lint.Run(objs, rules, lint.Options{})
	require.NoError(t, err)
	elapsed := time.Since(start)
	count := map[string]int{}
	for _, f := range res.Findings {
		count[f.RuleID]++
	}
	// Every selector misses, so each of these reports every object once.
	for _, id := range []string{"service-no-pods", "pdb-no-pods", "networkpolicy-no-pods", "missing-pdb", "pod-not-covered-by-networkpolicy"} {
		require.Equal(t, n, count[id], id)
	}
	require.Less(t, elapsed, 3*time.Second, "cross-object rules took %v for %d objects", elapsed, len(objs))
	t.Logf("%d objects, %d findings in %v", len(objs), len(res.Findings), elapsed)
}
