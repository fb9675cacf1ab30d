package monitoring

import (
	"fmt"
	"math"
	"strconv"
)

// Gate is one check of a server's SLO that a progressive rollout makes
// while a new version takes traffic: a query of a series the recording
// rules of Rules write, and the largest value that passes.
type Gate struct {
	// Name is the check's name, a DNS label.
	Name string
	// Query is PromQL returning a scalar: the recorded series of the
	// service in one namespace. It is NaN when the service served no
	// requests in the window (0/0) or the series does not exist yet, which
	// says nothing about the new version, so it passes.
	Query string
	// Max is the largest value that passes, a PromQL number.
	Max string
}

// Gates are the checks of a server's rollout, in a fixed order: the error
// ratio over the shortest window of the fastest burn alert, which fails at
// that alert's burn rate (for a 99.9 % SLO, 14.4 × 0.001: at that rate 2 %
// of a 30-day budget is gone in an hour), and, with a latency objective,
// the recorded P99 latency, which fails above it. namespace is written
// into each query as is: the namespace the rollout runs in, or a template
// the caller fills in. A worker has no request SLO and no gates.
func Gates(t Target, namespace string) []Gate {
	if t.Worker {
		return nil
	}
	fast := burnWindows[0]
	factor, err := strconv.ParseFloat(fast.factor, 64)
	if err != nil {
		panic(fmt.Sprintf("monitoring: burn factor %q: %v", fast.factor, err)) // a constant of this package
	}
	budget, _ := strconv.ParseFloat(t.errorBudget(), 64)
	// Rounded like errorBudget, so 14.4 × 0.001 reads 0.0144.
	maxRatio := math.Round(factor*budget*1e8) / 1e8
	sel := sel("namespace", namespace, "service", t.Service)
	gates := []Gate{{
		Name:  "error-ratio",
		Query: fmt.Sprintf("scalar(%s%s{%s})", recErrorRatio, fast.short, sel),
		Max:   strconv.FormatFloat(maxRatio, 'f', -1, 64),
	}}
	if t.hasLatency() {
		gates = append(gates, Gate{
			Name:  "latency-p99",
			Query: fmt.Sprintf("scalar(%s{%s})", recLatencyP99, sel),
			Max:   seconds(t.LatencyP99),
		})
	}
	return gates
}
