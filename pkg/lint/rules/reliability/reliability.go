// Package reliability holds the reliability and networking rules: probes,
// resources, replicas, autoscaling, disruption budgets, spread, references
// between objects, and API hygiene.
package reliability

import "github.com/platformctl/platformctl/pkg/lint"

// Rules returns the reliability rules.
func Rules() []lint.Rule {
	return []lint.Rule{}
}
