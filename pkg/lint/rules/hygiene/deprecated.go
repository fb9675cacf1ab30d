package hygiene

import (
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// deprecatedServiceAccountField has no CEL form: the API server writes
// serviceAccount from serviceAccountName when it converts a pod to v1, so
// at admission every pod would look like one that sets it.
func deprecatedServiceAccountField() lint.Rule {
	return lint.Rule{
		ID: "deprecated-service-account-field", Title: "Pod uses the deprecated serviceAccount field", Category: lint.CategoryHygiene, Severity: lint.Warning,
		Description: "spec.serviceAccount is the deprecated alias of spec.serviceAccountName. The API server copies it only when serviceAccountName is empty; when both are set and differ, serviceAccountName wins and the value readers see first is not the identity the pod runs as. " +
			"Tools that read only serviceAccountName (RBAC reviews, policy engines) miss the account entirely.",
		Remediation: "Rename the field to serviceAccountName (keep one of the two).",
		References:  []string{"https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security", "kube-linter deprecated-service-account-field"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			p := o.Pod()
			if p == nil {
				return
			}
			old := lint.Field(p.Spec, "serviceAccount")
			if old == nil || old.Tag == "!!null" {
				return
			}
			name := lint.Str(lint.Field(p.Spec, "serviceAccountName"))
			switch v := lint.Str(old); {
			case name != "" && name != v:
				r.Report(o, p.Path+".serviceAccount", "the pods of %s set the deprecated serviceAccount %q, which is ignored: serviceAccountName %q wins", facts.Describe(o), v, name)
			default:
				r.Report(o, p.Path+".serviceAccount", "the pods of %s set the deprecated field serviceAccount; use serviceAccountName", facts.Describe(o))
			}
		},
	}
}
