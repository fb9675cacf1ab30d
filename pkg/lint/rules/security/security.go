// Package security holds the security rules: pod security (the Pod Security
// Standards and more), host access, service accounts, secrets, RBAC,
// exposure and images.
//
// Rules that judge the same field at different severities are exclusive:
// a setting is reported by the most specific rule only (a docker.sock
// hostPath by container-runtime-socket, not also by host-path-volume), so
// one mistake is one finding.
package security

import "github.com/platformctl/platformctl/pkg/lint"

// Rules returns the security rules.
func Rules() []lint.Rule {
	var all []lint.Rule
	for _, family := range [][]lint.Rule{
		podRules(),
		capabilityRules(),
		hostRules(),
		serviceAccountRules(),
		secretRules(),
		rbacRules(),
		exposureRules(),
		imageRules(),
		portAndPullRules(),
		peerRules(),
		meshRules(),
	} {
		all = append(all, family...)
	}
	return all
}
