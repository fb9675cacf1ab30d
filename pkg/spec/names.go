package spec

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// The names of objects platformctl derives from names in the spec. They are
// built here, and only here, so that the validator checks the very names
// the generator writes: a name that is valid in the spec can become invalid
// once a prefix or suffix is added.

// Suffixes of the cluster-scoped objects of an environment (ClusterName).
const (
	ClusterPriorityPlatform = "platform"
	ClusterPriorityApps     = "apps"
	ClusterPriorityBatch    = "batch"
	ClusterPodBaseline      = "pod-baseline"
	ClusterVerifyImages     = "verify-images"
)

// reservedPriorityPrefix is the PriorityClass name prefix the API server
// keeps for its own classes (k8s.io/kubernetes pkg/apis/scheduling:
// SystemPriorityClassPrefix).
const reservedPriorityPrefix = "system-"

// cronJobNameMax is the API server's limit on a CronJob name: the Jobs it
// creates append an 11-character suffix to it, and a Job's name must stay
// a label value (k8s.io/kubernetes pkg/apis/batch/validation).
const cronJobNameMax = 52

// ClusterName names a cluster-scoped object of env (nil: the base).
// Environments sharing a cluster (namespace isolation) each get their own,
// so no two GitOps applications own the same cluster-scoped object.
func (p *Platform) ClusterName(env *Environment, suffix string) string {
	name := p.Metadata.Name
	if env != nil && env.Isolation == IsolationNamespace {
		name += "-" + env.Name
	}
	return name + "-" + suffix
}

// BackupJobName is the CronJob that backs up the in-cluster store ds.
func BackupJobName(ds string) string { return ds + "-backup" }

// RestoreTestJobName is the CronJob that restores the latest backup of ds
// into a scratch instance.
func RestoreTestJobName(ds string) string { return ds + "-restore-test" }

// HostName is the public host name of an exposed service in env.
func (p *Platform) HostName(env *Environment, e *Expose) string {
	return e.Host + "." + p.EnvDomain(env)
}

// clusterSuffixes are the suffixes of the cluster-scoped objects p renders.
func clusterSuffixes(p *Platform) []string {
	out := []string{ClusterPriorityPlatform, ClusterPriorityApps, ClusterPriorityBatch}
	if p.Spec.Security.AdmissionPolicies {
		out = append(out, ClusterPodBaseline)
	}
	if p.Spec.Security.ImageVerification != nil {
		out = append(out, ClusterVerifyImages)
	}
	return out
}

// The names built from spec names are checked against the rules the API
// server applies to them (rows of Rules). The checks run before defaults,
// so the isolation an environment gets by default is worked out here as
// Default does.

func checkReservedPriorityName(p *Platform, report reportFunc) {
	if name := p.Metadata.Name; name != "" && strings.HasPrefix(name+"-", reservedPriorityPrefix) {
		report("metadata.name", 0, name, p.ClusterName(nil, ClusterPriorityPlatform), reservedPriorityPrefix)
	}
}

func checkClusterNames(p *Platform, report reportFunc) {
	// A name that breaks its own field rule is reported there already.
	if !validName(p.Metadata.Name, 40) {
		return
	}
	suffixes := clusterSuffixes(p)
	longest := suffixes[0]
	for _, sfx := range suffixes {
		if len(sfx) > len(longest) {
			longest = sfx
		}
	}
	for i := range p.Spec.Environments {
		e := p.Spec.Environments[i]
		if !validName(e.Name, 20) {
			continue
		}
		if e.Isolation == "" {
			e.Isolation = defaultIsolation(e.Tier)
		}
		// The cluster-scoped name is also its app.kubernetes.io/name label.
		if n := p.ClusterName(&e, longest); len(n) > validation.LabelValueMaxLength {
			report(fmt.Sprintf("spec.environments[%d].name", i), 0, n, len(n), validation.LabelValueMaxLength, len(n)-validation.LabelValueMaxLength)
		}
	}
}

func checkCronJobNames(p *Platform, report reportFunc) {
	for i, ds := range p.Spec.Data {
		if ds.Backup == nil || ds.Mode == ModeManaged || !validName(ds.Name, 40) {
			continue
		}
		if n := RestoreTestJobName(ds.Name); len(n) > cronJobNameMax {
			report(fmt.Sprintf("spec.data[%d].name", i), 0, n, len(n), cronJobNameMax, cronJobNameMax-(len(n)-len(ds.Name)))
		}
	}
}

// checkHostNames checks every host name the edge serves: <host>.<env domain>
// per exposed service and environment, where the environment's domain may
// itself be derived (<env>.<domain>).
func checkHostNames(p *Platform, report reportFunc) {
	s := &p.Spec
	if s.Domain == "" || DomainProblem(s.Domain) != "" {
		return // reported on the field
	}
	for i := range s.Services {
		svc := &s.Services[i]
		if svc.Expose == nil || svc.Expose.Host == "" || !dnsLabelRE().MatchString(svc.Expose.Host) {
			continue
		}
		for j := range s.Environments {
			e := &s.Environments[j]
			if e.Domain != "" && DomainProblem(e.Domain) != "" {
				continue // reported on the field
			}
			h := p.HostName(e, svc.Expose)
			if problem := HostnameProblem(h, 2); problem != "" {
				report(fmt.Sprintf("spec.services[%d].expose.host", i), 0, e.Name, shortText(h), problem)
				break // one environment says it; the others would repeat it
			}
		}
	}
}

func defaultIsolation(t Tier) Isolation {
	if t == TierProduction {
		return IsolationCluster
	}
	return IsolationNamespace
}

// validName says whether a spec name passes its field rule (dnslabel,
// max), the precondition for checking what is derived from it.
func validName(s string, maxLen int) bool {
	return s != "" && len(s) <= maxLen && dnsLabelRE().MatchString(s)
}
