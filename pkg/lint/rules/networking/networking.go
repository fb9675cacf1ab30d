// Package networking holds the networking rules: Services, Ingresses and
// routes that reach no pods or ports, NetworkPolicy isolation, monitors
// that select nothing, and port names.
package networking

import "github.com/platformctl/platformctl/pkg/lint"

// Rules returns the networking rules. The list is explicit: a rule that is
// not here does not exist.
func Rules() []lint.Rule {
	return []lint.Rule{
		serviceNoPods(),
		serviceTargetPortNotFound(),
		gatewayDuplicateLoadBalancer(),
		ingressBackendMissing(),
		routeBackendMissing(),
		networkPolicyNoPods(),
		defaultDeny("ingress", "missing-default-deny-ingress", lint.Warning),
		defaultDeny("egress", "missing-default-deny-egress", lint.Warning),
		podNotCovered(),
		metadataEndpointReachable(),
		serviceMonitorNoServices(),
		podMonitorNoPods(),
		invalidPortName(),
		// peers.go
		networkPolicyPeerNoPods(),
		podIsolatedOneDirection(),
		// mesh.go
		meshPortBlocked(),
		meshProbesBlocked(),
	}
}
