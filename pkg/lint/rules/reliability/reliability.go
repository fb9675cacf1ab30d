// Package reliability holds the reliability rules: probes, resources,
// replicas, autoscaling, disruption budgets, spread, workload settings and
// the data stores' replicas, budgets and backups.
// Networking rules are in package networking, hygiene rules in package
// hygiene; the facts they share are in rules/internal/facts.
package reliability

import "github.com/platformctl/platformctl/pkg/lint"

// Rules returns the reliability rules. The list is explicit: a rule that is
// not here does not exist.
func Rules() []lint.Rule {
	return []lint.Rule{
		// containers.go
		latestImageTag(),
		missingCPURequest(),
		missingMemoryRequest(),
		missingMemoryLimit(),
		missingCPULimit(),
		missingEphemeralStorage(),
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
		statefulSetHeadlessService(),
		// podspec.go
		requestsEqualLimits(),
		priorityClassNotSet(),
		invalidRestartPolicy(),
		invalidContainerPort(),
		invalidUpdateStrategy(),
		pdbNoBudget(),
		podWithoutContainers(),
		// references.go
		envRefMissing(),
		// datastores.go
		databaseSingleReplicaProduction(),
		databaseMissingPDB(),
		// backups.go
		backupOnlyToPVC(),
	}
}
