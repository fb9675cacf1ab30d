// Package hygiene holds the hygiene rules: API versions, namespaces,
// labels, environment variables and finished Jobs.
package hygiene

import "github.com/platformctl/platformctl/pkg/lint"

// Rules returns the hygiene rules. The list is explicit: a rule that is not
// here does not exist.
func Rules() []lint.Rule {
	return []lint.Rule{
		// api.go
		removedAPIVersion(),
		apiVersionNotServed(),
		deprecatedAPIVersion(),
		defaultNamespace(),
		missingRequiredLabels(),
		// env.go
		duplicateEnvVar(),
		// jobs.go
		jobMissingTTL(),
		// metadata.go
		invalidLabel(),
		instanceLabelMismatch(),
		missingRequiredAnnotations(),
		// deprecated.go
		deprecatedServiceAccountField(),
		// cronjob_ttl.go
		cronJobTTL(),
		// schema.go
		unknownField(),
		wrongFieldType(),
		missingRequiredField(),
		invalidEnumValue(),
	}
}
