// Package policyexport writes lint rules as ValidatingAdmissionPolicies and
// their bindings, so the API server refuses at admission what lint reports
// in CI: the config's custom rules (lint.custom) and every built-in rule
// that carries a CEL form (lint.Rule.CEL), enabled and with the severities
// the config gives them.
//
// What carries over from lint: the ignore annotation (an object, or its pod
// template, annotated ignore.platformctl.dev/<rule>: "<reason>" is not
// judged), the config's exclusions by kind, namespace and name (match
// conditions), and the severity, as the binding's validation actions:
// error denies, warning warns (and audits), info audits. Exclusions by path
// have no meaning at admission (an API request has no file) and are left
// out with a warning; an exclusion's expiry date is not enforced by the
// server (CEL at admission has no clock): export again after it.
package policyexport

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/celexpr"
	"github.com/platformctl/platformctl/pkg/kubeapi"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/manifest"
)

// Prefix starts every exported object's name.
const Prefix = "platformctl-"

// minVAPMinor is the first release that serves
// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy.
const minVAPMinor = 30

// DefaultExcludedNamespaces are the namespaces the bindings leave alone by
// default: the control plane's own, whose components (kube-proxy, CNI
// agents) need what the rules forbid and are not the platform's to judge.
var DefaultExcludedNamespaces = []string{"kube-node-lease", "kube-public", "kube-system"}

// Actions say how a binding enforces: by the rule's severity, or the same
// action for all (warn to roll the policies out before they deny).
var Actions = []string{"severity", "deny", "warn", "audit"}

// Options are what to export.
type Options struct {
	// Rules is the catalog (the built-in rules); Config's custom rules are
	// added to it.
	Rules  []lint.Rule
	Config lint.Config
	// ExcludeNamespaces are left out by every binding.
	ExcludeNamespaces []string
	// Action is one of Actions ("" is severity).
	Action string
	// Now decides which exclusions have expired.
	Now time.Time
}

// Result is the exported policies and what could not be carried over.
type Result struct {
	// YAML is the policies and bindings, one document each, by rule ID.
	YAML []byte
	// Rules are the IDs exported, sorted.
	Rules []string
	// Warnings say what of the config admission does not enforce.
	Warnings []string
}

// Export builds the policies.
func Export(opts Options) (*Result, error) {
	if opts.Action != "" && !slices.Contains(Actions, opts.Action) {
		return nil, fmt.Errorf("action %q: one of %s", opts.Action, strings.Join(Actions, ", "))
	}
	minor := opts.Config.Params.KubeMinor()
	if minor < minVAPMinor {
		return nil, fmt.Errorf("--kube-version 1.%d: ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) is served from 1.%d on", minor, minVAPMinor)
	}
	rules, err := lint.Effective(opts.Config, opts.Rules)
	if err != nil {
		return nil, err
	}
	env, err := celexpr.NewEnv(minor)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	var docs []any
	for _, r := range rules {
		if r.CEL == nil {
			continue
		}
		if _, err := r.CEL.Compile(env); err != nil {
			return nil, fmt.Errorf("rule %s: %w (Kubernetes 1.%d)", r.ID, err, minor)
		}
		policy, warnings, err := buildPolicy(r, opts)
		if err != nil {
			return nil, err
		}
		res.Warnings = append(res.Warnings, warnings...)
		docs = append(docs, policy, binding(r, opts))
		res.Rules = append(res.Rules, r.ID)
	}
	var buf bytes.Buffer
	for i, d := range docs {
		m, err := manifest.ToMap(d)
		if err != nil {
			return nil, fmt.Errorf("policy %d: %w", i, err)
		}
		b, err := manifest.Encode(m)
		if err != nil {
			return nil, fmt.Errorf("policy %d: %w", i, err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	res.YAML = buf.Bytes()
	return res, nil
}

func objectMeta(r lint.Rule) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name: Prefix + r.ID,
		Labels: map[string]string{
			"app.kubernetes.io/managed-by": "platformctl",
			"platformctl.dev/rule":         r.ID,
		},
		Annotations: map[string]string{"platformctl.dev/severity": r.Severity.String()},
	}
}

func buildPolicy(r lint.Rule, opts Options) (*admissionv1.ValidatingAdmissionPolicy, []string, error) {
	rules, err := resourceRules(r)
	if err != nil {
		return nil, nil, err
	}
	fail := admissionv1.Fail
	conditions, warnings := matchConditions(r, opts)
	p := &admissionv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: objectMeta(r),
		Spec: admissionv1.ValidatingAdmissionPolicySpec{
			FailurePolicy:    &fail,
			MatchConstraints: &admissionv1.MatchResources{ResourceRules: rules},
			MatchConditions:  conditions,
		},
	}
	for _, v := range r.CEL.Variables {
		p.Spec.Variables = append(p.Spec.Variables, admissionv1.Variable{Name: v.Name, Expression: v.Expression})
	}
	reason := metav1.StatusReasonInvalid
	p.Spec.Validations = []admissionv1.Validation{{
		Expression: r.CEL.Expression,
		Message:    fmt.Sprintf("%s (platformctl rule %s)", r.CEL.Message, r.ID),
		Reason:     &reason,
	}}
	return p, warnings, nil
}

// resourceRules match the resources that serve the rule's kinds, for
// creates and updates, one rule per API group.
func resourceRules(r lint.Rule) ([]admissionv1.NamedRuleWithOperations, error) {
	byGroup := map[string][]string{}
	for _, k := range r.CEL.Kinds {
		res := kubeapi.ForKind(k)
		if len(res) == 0 {
			return nil, fmt.Errorf("rule %s: kind %s is not a built-in kind of Kubernetes (policies export matches the kinds the API server serves itself)", r.ID, k)
		}
		for _, x := range res {
			if !slices.Contains(byGroup[x.Group], x.Resource) {
				byGroup[x.Group] = append(byGroup[x.Group], x.Resource)
			}
		}
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	scope := admissionv1.AllScopes
	out := make([]admissionv1.NamedRuleWithOperations, 0, len(groups))
	for _, g := range groups {
		resources := byGroup[g]
		sort.Strings(resources)
		out = append(out, admissionv1.NamedRuleWithOperations{RuleWithOperations: admissionv1.RuleWithOperations{
			Operations: []admissionv1.OperationType{admissionv1.Create, admissionv1.Update},
			Rule:       admissionv1.Rule{APIGroups: []string{g}, APIVersions: []string{"*"}, Resources: resources, Scope: &scope},
		}})
	}
	return out, nil
}

// matchConditions leave out what lint does not judge: an object ignored by
// annotation, and the config's exclusions that admission can see.
func matchConditions(r lint.Rule, opts Options) ([]admissionv1.MatchCondition, []string) {
	key := lint.IgnorePrefix + r.ID
	conds := []admissionv1.MatchCondition{{
		Name: "not-ignored",
		// The reason must not be blank, as lint's ignores: a blank one
		// ignores nothing (ignore-without-reason).
		Expression: fmt.Sprintf("![object.metadata, object.?spec.?template.?metadata.orValue({}), "+
			"object.?spec.?jobTemplate.?spec.?template.?metadata.orValue({})]"+
			".exists(m, m.?annotations[?%s].orValue('').trim() != '')", celexpr.Quote(key)),
	}}
	var warnings []string
	for i, e := range opts.Config.Exclude {
		if len(e.Rules) > 0 && !slices.Contains(e.Rules, r.ID) {
			continue
		}
		if e.Expires != "" {
			if t, err := time.Parse("2006-01-02", e.Expires); err == nil && !opts.Now.Before(t.AddDate(0, 0, 1)) {
				continue // expired: lint counts the findings again
			}
		}
		if len(e.Paths) > 0 {
			warnings = append(warnings, fmt.Sprintf("rule %s: exclude[%d] selects files (paths), which admission does not see: not exported, so admission judges what it excludes", r.ID, i))
			continue
		}
		var terms []string
		if len(e.Kinds) > 0 {
			terms = append(terms, "object.kind in "+celexpr.List(e.Kinds))
		}
		if len(e.Namespaces) > 0 {
			terms = append(terms, "request.namespace in "+celexpr.List(e.Namespaces))
		}
		if len(e.Names) > 0 {
			terms = append(terms, "object.metadata.?name.orValue('') in "+celexpr.List(e.Names))
		}
		if len(terms) == 0 {
			continue
		}
		if e.Expires != "" {
			warnings = append(warnings, fmt.Sprintf("rule %s: exclude[%d] expires %s: admission cannot tell the date; export the policies again after it", r.ID, i, e.Expires))
		}
		conds = append(conds, admissionv1.MatchCondition{Name: fmt.Sprintf("not-excluded-%d", i), Expression: "!(" + strings.Join(terms, " && ") + ")"})
	}
	return conds, warnings
}

func binding(r lint.Rule, opts Options) *admissionv1.ValidatingAdmissionPolicyBinding {
	b := &admissionv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: objectMeta(r),
		Spec: admissionv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        Prefix + r.ID,
			ValidationActions: actions(r.Severity, opts.Action),
		},
	}
	if len(opts.ExcludeNamespaces) > 0 {
		ns := slices.Sorted(slices.Values(opts.ExcludeNamespaces))
		b.Spec.MatchResources = &admissionv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: slices.Compact(ns)}},
		}}
	}
	return b
}

// actions is a binding's validation actions: by severity, or action.
func actions(s lint.Severity, action string) []admissionv1.ValidationAction {
	switch action {
	case "deny":
		return []admissionv1.ValidationAction{admissionv1.Deny}
	case "warn":
		return []admissionv1.ValidationAction{admissionv1.Warn}
	case "audit":
		return []admissionv1.ValidationAction{admissionv1.Audit}
	}
	switch s {
	case lint.Error:
		return []admissionv1.ValidationAction{admissionv1.Deny}
	case lint.Warning:
		return []admissionv1.ValidationAction{admissionv1.Warn, admissionv1.Audit}
	}
	return []admissionv1.ValidationAction{admissionv1.Audit}
}
