// Package security holds the security rules: pod security (the Pod Security
// Standards and more), RBAC, exposure, images and secrets.
package security

import "github.com/platformctl/platformctl/pkg/lint"

// Rules returns the security rules.
func Rules() []lint.Rule {
	return []lint.Rule{}
}
