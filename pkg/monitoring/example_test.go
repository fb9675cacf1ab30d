package monitoring_test

import (
	"fmt"
	"time"

	"github.com/platformctl/platformctl/pkg/monitoring"
)

func ExampleRules() {
	target := monitoring.Target{
		Platform: "shop", Service: "web",
		Protocol: "http", Availability: 99.9, LatencyP99: 300 * time.Millisecond,
		Dependencies: []monitoring.Dependency{{Name: "orders-db", Type: "postgres"}},
	}
	for _, g := range monitoring.Rules(target) {
		fmt.Printf("%s:", g.Name)
		for _, r := range g.Rules {
			if r.Alert != "" {
				fmt.Printf(" %s(%s)", r.Alert, r.Labels["severity"])
			}
		}
		fmt.Printf(" [%d rules]\n", len(g.Rules))
	}
	// Output:
	// web.recording: [10 rules]
	// web.slo: ErrorBudgetBurn1h(critical) ErrorBudgetBurn6h(critical) ErrorBudgetBurn1d(warning) ErrorBudgetBurn3d(warning) LatencyP99High(warning) [5 rules]
	// web.saturation: CPUNearLimit(warning) MemoryNearLimit(warning) ReplicasUnavailable(warning) AutoscalerAtMax(warning) [4 rules]
	// web.dependencies: DependencyDown(warning) DependencyMetricsAbsent(warning) [2 rules]
}

func ExampleDashboardUID() {
	fmt.Println(monitoring.DashboardUID("shop", "web"))
	// Output: pctl-97375646b1deb3d2
}
