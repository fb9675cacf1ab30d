// Package lint is the rules engine: objects with source positions, rules
// declared as data plus a check function, ignores, configuration, and a
// parallel runner. Rules themselves live in pkg/lint/rules; output formats
// in pkg/output.
package lint

import (
	"fmt"
	"strings"

	"github.com/platformctl/platformctl/pkg/crdschema"
)

// Severity orders findings; --fail-on compares against it.
type Severity int

// Severities, least to most severe.
const (
	Info Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "info", "warning" or "error".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "info":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("unknown severity %q (info, warning, error)", s)
}

// MarshalText writes the severity's name (JSON, YAML).
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Category groups rules in the catalog.
type Category string

// Categories.
const (
	CategorySecurity    Category = "security"
	CategoryReliability Category = "reliability"
	CategoryNetworking  Category = "networking"
	CategoryHygiene     Category = "hygiene"
)

// Rule is one check: metadata as data, logic as a function. Exactly one of
// Check and CheckSet is set.
type Rule struct {
	// ID is stable kebab-case, never derived from the title: users' ignore
	// annotations and config name it.
	ID          string
	Title       string
	Category    Category
	Severity    Severity
	Description string
	Remediation string
	// References are standards the rule implements: "PSS restricted",
	// "CIS 5.2.3", "NSA/CISA Kubernetes Hardening Guide".
	References []string
	// Disabled rules run only when enabled in the config.
	Disabled bool
	// HelpURI is the rule's documentation when it is not in docs/rules.md
	// (a custom rule's url).
	HelpURI string
	// CEL is the rule as a ValidatingAdmissionPolicy validation, for
	// `platformctl policies export`; nil where CEL cannot say it.
	CEL *CEL
	// Check runs once per object.
	Check func(o *Object, c *Context, r *Reporter)
	// CheckSet runs once with every object of the invocation, for rules
	// that relate objects to each other.
	CheckSet func(s *Set, c *Context, r *Reporter)
}

// Params are the knobs rules read; users set them in .platformctl.yaml.
type Params struct {
	// AllowedRegistries lists where trusted images come from (empty: every
	// registry is trusted): a host (ghcr.io), a host and path (ghcr.io/acme)
	// or *.domain, each a prefix of image names at a path boundary, as
	// imageref.Allowed reads it and as spec.security.allowedRegistries means.
	AllowedRegistries []string `mapstructure:"allowedRegistries" json:"allowedRegistries,omitempty"`
	// MinReplicas is the replica floor for Deployments and StatefulSets without an HPA.
	MinReplicas int `mapstructure:"minReplicas" json:"minReplicas,omitempty" check:"min=1"`
	// RequiredLabels must be on every object.
	RequiredLabels []string `mapstructure:"requiredLabels" json:"requiredLabels,omitempty"`
	// RequiredAnnotations must be on every object (none by default).
	RequiredAnnotations []string `mapstructure:"requiredAnnotations" json:"requiredAnnotations,omitempty"`
	// KubeVersion is the Kubernetes release the manifests are applied to
	// (1.27 through 1.37, default the newest): API versions removed by then,
	// or not yet served, are findings. `lint --kube-version` overrides it.
	KubeVersion string `mapstructure:"kubeVersion" json:"kubeVersion,omitempty" check:"kubeversion"`
}

// KubeMinor is the target Kubernetes minor release of Params, validated
// when the config was compiled.
func (p Params) KubeMinor() int {
	m, err := KubeMinor(p.KubeVersion)
	if err != nil {
		return NewestKubeMinor
	}
	return m
}

// DefaultParams are used where the config says nothing.
func DefaultParams() Params {
	return Params{MinReplicas: 2, RequiredLabels: []string{"app.kubernetes.io/name"}}
}

// Context is what a check may read besides the object.
type Context struct {
	Params Params
	// Set is every object of the invocation (nil during per-object checks
	// would force rules to be cross-object; it is always set).
	Set *Set
	// CRDs are the user's CustomResourceDefinition schemas (lint --crds),
	// read before the bundled add-on CRDs' by the schema rules.
	CRDs *crdschema.Set
}
