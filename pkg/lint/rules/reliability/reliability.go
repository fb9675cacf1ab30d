// Package reliability holds the reliability, networking and hygiene rules:
// probes, resources, replicas, autoscaling, disruption budgets, spread,
// references between objects, network isolation, and API hygiene.
package reliability

import "github.com/platformctl/platformctl/pkg/lint"

// Rules returns the reliability, networking and hygiene rules. The list is
// explicit: a rule that is not here does not exist.
func Rules() []lint.Rule {
	return []lint.Rule{
		// containers.go
		latestImageTag(),
		missingCPURequest(),
		missingMemoryRequest(),
		missingMemoryLimit(),
		missingCPULimit(),
		missingEphemeralStorage(),
		duplicateEnvVar(),
		// probes.go
		missingReadinessProbe(),
		missingLivenessProbe(),
		identicalProbes(),
		probeNamedPortMissing(),
		probePortNotDeclared(),
		// scaling.go
		replicasBelowMinimum(),
		hpaMinReplicasTooLow(),
		hpaCannotScale(),
		hpaTargetMissing(),
		hpaTargetSetsReplicas(),
		hpaTargetMissingRequests(),
		// disruption.go
		missingPDB(),
		pdbBlocksEviction(),
		pdbExceedsHPAMin(),
		pdbUnhealthyEvictionPolicy(),
		pdbNoPods(),
		missingTopologySpread(),
		// workloads.go
		selectorMismatch(),
		nonRollingUpdateStrategy(),
		cronJobMissingDeadline(),
		cronJobMissingConcurrencyPolicy(),
		jobMissingTTL(),
		statefulSetHeadlessService(),
		// network.go
		serviceNoPods(),
		serviceTargetPortNotFound(),
		ingressBackendMissing(),
		routeBackendMissing(),
		networkPolicyNoPods(),
		defaultDeny("ingress", "missing-default-deny-ingress", lint.Warning),
		defaultDeny("egress", "missing-default-deny-egress", lint.Warning),
		podNotCovered(),
		serviceMonitorNoServices(),
		podMonitorNoPods(),
		invalidPortName(),
		// api.go
		removedAPIVersion(),
		deprecatedAPIVersion(),
		defaultNamespace(),
		missingRequiredLabels(),
	}
}
