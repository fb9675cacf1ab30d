package output

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

// Rule IDs of the fixture. They are made up so the fixture does not change
// when the real catalog does.
const (
	ruleHostNetwork = "host-network"
	ruleLatestTag   = "latest-tag"
	ruleReplicas    = "min-replicas"
	ruleLabels      = "required-labels"
)

// Paths that need escaping in every format: a space, a colon and a comma.
const oddFile = "manifests/my app/a:b,c.yaml"

func fixtureRules() []lint.Rule {
	rules := []lint.Rule{
		{
			ID: ruleHostNetwork, Title: "Pod uses the host network", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "A pod on the host network sees every interface of the node & can bind its ports.",
			Remediation: "Remove `hostNetwork: true`, or ignore the rule with a reason.",
			References:  []string{"PSS baseline", "CIS 5.2.4"},
		},
		{
			ID: ruleLatestTag, Title: "Image uses the latest tag", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A mutable tag runs whatever was pushed last.",
			Remediation: "Pin the image by digest or an immutable tag.",
			References:  []string{"NSA/CISA Kubernetes Hardening Guide"},
		},
		{
			ID: ruleReplicas, Title: "Too few replicas", Category: lint.CategoryReliability, Severity: lint.Warning,
			Description: "One replica means downtime during every rollout and node drain.",
			Remediation: "Set spec.replicas to at least 2, or add a HorizontalPodAutoscaler.",
		},
		{
			ID: ruleLabels, Title: "Required label missing", Category: lint.CategoryHygiene, Severity: lint.Info,
			Description: "Objects without the required labels are hard to attribute.",
			Remediation: "Add the labels listed under lint.params.requiredLabels.",
		},
	}
	return append(rules, lint.EngineRules()...)
}

func diag(rule string, sev lint.Severity, file string, line, col int, kind, ns, name, path, msg string) lint.Diagnostic {
	ref := kind + " " + name
	if ns != "" {
		ref = kind + " " + ns + "/" + name
	}
	return lint.Diagnostic{
		RuleID: rule, Severity: sev, Message: msg, File: file, Line: line, Column: col, Path: path,
		Object: ref, Kind: kind, Namespace: ns, Name: name,
	}
}

// fixtureReport has findings of every severity, one rule with none, an
// annotation and a config suppression (one on an object that also has an
// active finding of the same rule), a path needing escapes, a message
// with a newline and '%', stdin input, and a finding from a rendered spec.
func fixtureReport() *Report {
	spec := diag(lint.RuleIgnoreWithoutReason, lint.Warning, "platform.yaml", 14, 5, "Service", "prod", "api",
		`metadata.annotations["ignore.platformctl.dev/host-network"]`,
		"ignore.platformctl.dev/host-network has no reason, so host-network is not ignored")
	spec.Source = "platform.yaml:14 services.api (environment prod, prod/api/service.yaml)"

	findings := []lint.Diagnostic{
		diag(ruleReplicas, lint.Warning, "<stdin>", 7, 3, "StatefulSet", "db", "pg", "spec.replicas",
			"replicas is 1; at least 2 keep the service up during a rollout"),
		diag(ruleReplicas, lint.Warning, "deploy/web.yaml", 8, 3, "Deployment", "prod", "web", "spec.replicas",
			"replicas is 1; at least 2 keep the service up during a rollout"),
		diag(ruleLabels, lint.Info, "deploy/web.yaml", 4, 3, "Deployment", "prod", "web", "metadata.labels",
			`label "app.kubernetes.io/name" is missing`),
		diag(ruleHostNetwork, lint.Error, "deploy/web.yaml", 12, 7, "Deployment", "prod", "web", "spec.template.spec.hostNetwork",
			"pod uses the host network"),
		diag(ruleLabels, lint.Info, "deploy/web.yaml", 10, 7, "Deployment", "prod", "web", "spec.template.metadata.labels",
			`label "app.kubernetes.io/name" is missing`),
		diag(ruleHostNetwork, lint.Error, oddFile, 5, 3, "DaemonSet", "kube-system", "agent", "spec.template.spec.hostNetwork",
			"hostNetwork: true\nshares 100% of the node's ports"),
		spec,
	}
	lint.SortDiagnostics(findings)

	annotated := diag(ruleHostNetwork, lint.Error, "deploy/cni.yaml", 9, 7, "DaemonSet", "kube-system", "cni", "spec.template.spec.hostNetwork",
		"pod uses the host network")
	annotated.Suppression = &lint.Suppression{Kind: "annotation", Reason: "CNI agent needs the host network"}
	configured := diag(ruleReplicas, lint.Warning, "deploy/dev.yaml", 8, 3, "Deployment", "dev", "web", "spec.replicas",
		"replicas is 1; at least 2 keep the service up during a rollout")
	configured.Suppression = &lint.Suppression{Kind: "config", Reason: "dev runs one replica until 2026-12-31"}
	alongside := diag(ruleLabels, lint.Info, "deploy/web.yaml", 3, 3, "Deployment", "prod", "web", `metadata.labels["team"]`,
		`label "team" is missing`)
	alongside.Suppression = &lint.Suppression{Kind: "config", Reason: "team labels come from the chart"}
	suppressed := []lint.Diagnostic{annotated, configured, alongside}
	lint.SortDiagnostics(suppressed)

	rules := fixtureRules()
	return &Report{
		Result:      &lint.Result{Findings: findings, Suppressed: suppressed, Rules: rules, Objects: 9},
		Catalog:     rules,
		ShowIgnored: true,
		FailOn:      lint.Error,
		ToolVersion: "1.2.3",
	}
}

// emptyReport is a clean run: every rule passes.
func emptyReport() *Report {
	rules := fixtureRules()
	return &Report{Result: &lint.Result{Rules: rules, Objects: 3}, Catalog: rules, FailOn: lint.Error, ToolVersion: "1.2.3"}
}

func render(t *testing.T, f Format, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, f(&buf, r))
	return buf.Bytes()
}
