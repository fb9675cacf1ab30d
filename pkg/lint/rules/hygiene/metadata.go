package hygiene

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

const labelInstance = "app.kubernetes.io/instance"

func invalidLabel() lint.Rule {
	return lint.Rule{
		ID: "invalid-label", Title: "Label key or value the API server rejects", Category: lint.CategoryHygiene, Severity: lint.Error,
		Description: "A label (on the object, on its pod template, or in a selector's matchLabels, a Service's selector or a matchExpressions value list) breaks the API server's label syntax: " +
			"a value is at most 63 characters, empty or starting and ending with a letter or digit, with only letters, digits, '-', '_' and '.' between; " +
			"a key is an optional DNS-subdomain prefix (at most 253 characters) and '/', then a name following the value rules but not empty. " +
			"A value written as a YAML boolean, number or null-free non-string (version: 1.0, enabled: yes) is not a string at all once kubectl converts the YAML. The apply is rejected.",
		Remediation: "Quote values that YAML reads as booleans or numbers (\"true\", \"1.0\"), shorten long values (a hash, not the whole string), and replace characters such as ' ', ':' or '/' in values with '-' or '.'.",
		References:  []string{"https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set", "kube-linter invalid-label"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			checkLabelMap(o, r, "metadata.labels", lint.Get(o.Root, "metadata", "labels"))
			if p := o.Pod(); p != nil && p.MetaPath != "metadata" {
				checkLabelMap(o, r, p.MetaPath+".labels", lint.Field(p.Meta, "labels"))
			}
			if o.Kind == facts.KindService || o.Kind == facts.KindReplicationController || o.Kind == "DeploymentConfig" {
				checkLabelMap(o, r, "spec.selector", lint.Get(o.Root, "spec", "selector"))
			}
			if o.Group() == "cilium.io" {
				// Cilium's endpoint selectors prefix keys with a label
				// source (k8s:io.kubernetes.pod.namespace, reserved:host):
				// not Kubernetes label selectors, and not judged as such.
				return
			}
			spec := lint.Field(o.Root, "spec")
			if !selectorProblem(spec) {
				return // the common case, found without building a path
			}
			walkSelectors(spec, []string{"spec"}, func(path []string, sel *yaml.Node) {
				checkLabelMap(o, r, strings.Join(path, "")+".matchLabels", lint.Field(sel, "matchLabels"))
				for i, e := range lint.Items(lint.Field(sel, "matchExpressions")) {
					for j, v := range lint.Items(lint.Field(e, "values")) {
						if msg := labelValueProblem(v); msg != "" {
							r.Report(o, fmt.Sprintf("%s.matchExpressions[%d].values[%d]", strings.Join(path, ""), i, j), "selector value %s: %s", describeScalar(v), msg)
						}
					}
				}
			})
		},
	}
}

// walkSelectors calls fn for every mapping under n that has matchLabels
// or matchExpressions: LabelSelectors sit at many depths (workload and PDB
// selectors, NetworkPolicy peers, affinity terms, spread constraints).
// The path is kept as segments (joined, they are the field path) and only
// joined for a selector: the walk visits every mapping of every object, and
// a string per mapping was most of this rule's cost.
func walkSelectors(n *yaml.Node, path []string, fn func(path []string, sel *yaml.Node)) {
	switch {
	case n == nil:
	case n.Kind == yaml.MappingNode:
		if lint.Field(n, "matchLabels") != nil || lint.Field(n, "matchExpressions") != nil {
			fn(path, n)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; k.Value != "matchLabels" && len(v.Content) > 0 {
				walkSelectors(v, append(path, ".", k.Value), fn)
			}
		}
	case n.Kind == yaml.SequenceNode:
		for i, it := range n.Content {
			if len(it.Content) > 0 {
				walkSelectors(it, append(path, "[", strconv.Itoa(i), "]"), fn)
			}
		}
	}
}

// selectorProblem says whether any selector under n has a label key or
// value the API server rejects. It allocates nothing, so objects without
// such a problem (nearly all) never pay for walkSelectors' paths.
func selectorProblem(n *yaml.Node) bool {
	if n == nil || len(n.Content) == 0 {
		return false
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch k.Value {
			case "matchLabels":
				for j := 0; j+1 < len(v.Content); j += 2 {
					if labelKeyProblem(v.Content[j].Value) != "" || labelValueProblem(v.Content[j+1]) != "" {
						return true
					}
				}
				continue
			case "matchExpressions":
				for _, e := range lint.Items(v) {
					for _, val := range lint.Items(lint.Field(e, "values")) {
						if labelValueProblem(val) != "" {
							return true
						}
					}
				}
			}
			if selectorProblem(v) {
				return true
			}
		}
		return false
	}
	for _, c := range n.Content {
		if selectorProblem(c) {
			return true
		}
	}
	return false
}

func checkLabelMap(o *lint.Object, r *lint.Reporter, path string, m *yaml.Node) {
	lint.Pairs(m, func(k, v *yaml.Node) {
		if msg := labelKeyProblem(k.Value); msg != "" {
			r.Report(o, fmt.Sprintf("%s[%q]", path, k.Value), "label key %q: %s", k.Value, msg)
			return
		}
		if msg := labelValueProblem(v); msg != "" {
			r.Report(o, fmt.Sprintf("%s[%q]", path, k.Value), "label %s value %s: %s", k.Value, describeScalar(v), msg)
		}
	})
}

func describeScalar(v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		return "(not a string)"
	}
	return fmt.Sprintf("%q", v.Value)
}

// labelValueProblem says what is wrong with a label value as the API
// server reads it (Decode has resolved the scalar: yes is the boolean
// true), or "".
func labelValueProblem(v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		return "a label value must be a string"
	}
	switch v.Tag {
	case "!!null":
		return ""
	case "!!bool":
		return "YAML reads it as a boolean, not a string, so the API server rejects the object; quote it"
	case "!!int", "!!float":
		return "YAML reads it as a number, not a string, so the API server rejects the object; quote it"
	}
	s := v.Value
	if s == "" {
		return ""
	}
	if len(s) > 63 {
		return fmt.Sprintf("%d characters; a label value has at most 63", len(s))
	}
	return qualifiedNamePart(s)
}

// qualifiedNamePart checks the name syntax shared by label values and the
// name part of keys: letters, digits, '-', '_', '.', starting and ending
// with a letter or digit.
func qualifiedNamePart(s string) string {
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
	if !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return "must start and end with a letter or digit"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '-' && c != '_' && c != '.' {
			return fmt.Sprintf("character %q is not allowed (letters, digits, '-', '_', '.')", c)
		}
	}
	return ""
}

// labelKeyProblem checks a label key: [prefix/]name, the prefix a DNS
// subdomain of at most 253 characters, the name at most 63.
func labelKeyProblem(key string) string {
	prefix, name, hasPrefix := strings.Cut(key, "/")
	if !hasPrefix {
		name = prefix
	} else if prefix == "" || len(prefix) > 253 || !dnsSubdomain(prefix) {
		return fmt.Sprintf("prefix %q is not a DNS subdomain (lowercase letters, digits, '-', '.', at most 253 characters)", prefix)
	}
	switch {
	case name == "":
		return "the name part is empty"
	case len(name) > 63:
		return fmt.Sprintf("the name part has %d characters; at most 63", len(name))
	}
	return qualifiedNamePart(name)
}

func dnsSubdomain(s string) bool {
	for rest := s; ; {
		label, after, more := strings.Cut(rest, ".")
		if !facts.IsDNSLabel(label) {
			return false
		}
		if !more {
			return true
		}
		rest = after
	}
}

func instanceLabelMismatch() lint.Rule {
	return lint.Rule{
		ID: "instance-label-mismatch", Title: "app.kubernetes.io/instance does not fit the object", Category: lint.CategoryHygiene, Severity: lint.Warning,
		Description: "The recommended label app.kubernetes.io/instance names the instance an object belongs to, and tools group by it (Helm and Argo CD track releases with it, dashboards and cost reports split by it). " +
			"It is reported when a workload's pod template carries a different instance than the workload itself (the pods are counted under another instance), " +
			"and when the instance is not part of the object's name: neither the name itself nor a '-'-separated part of it, as Helm's <release>-<chart> and Kustomize's name prefixes and suffixes make it — usually an instance label copied from another object.",
		Remediation: "Set app.kubernetes.io/instance to the instance the object belongs to, the same on the object and its pod template (Kustomize labels: with includeTemplates: true sets both).",
		References:  []string{"https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/"},
		Check: func(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
			inst, ok := o.Labels[labelInstance]
			if !ok {
				return
			}
			if p := o.Pod(); p != nil && p.MetaPath != "metadata" {
				if podInst := lint.Str(lint.Get(p.Meta, "labels", labelInstance)); podInst != "" && podInst != inst {
					r.Report(o, fmt.Sprintf("%s.labels[%q]", p.MetaPath, labelInstance), "%s has %s %q, but its pod template has %q", facts.Describe(o), labelInstance, inst, podInst)
					return
				}
			}
			if inst == "" || o.Name == "" {
				return
			}
			if !namePart(o.Name, inst) {
				r.Report(o, fmt.Sprintf("metadata.labels[%q]", labelInstance), "%s has %s %q, which is not part of its name", facts.Describe(o), labelInstance, inst)
			}
		},
	}
}

// namePart says whether inst is name or a run of its '-'-separated words.
func namePart(name, inst string) bool {
	if name == inst {
		return true
	}
	return strings.HasPrefix(name, inst+"-") || strings.HasSuffix(name, "-"+inst) || strings.Contains(name, "-"+inst+"-")
}

func missingRequiredAnnotations() lint.Rule {
	return lint.Rule{
		ID: "missing-required-annotations", Title: "Object without the required annotations", Category: lint.CategoryHygiene, Severity: lint.Warning,
		Description: "The object lacks annotations the configuration requires (params.requiredAnnotations, none by default): an owner or team, a runbook, a cost centre — what an organisation relies on finding on every object during an incident or an audit.",
		Remediation: "Add the annotations to metadata.annotations (Kustomize commonAnnotations: sets them everywhere).",
		References:  []string{"https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/", "kube-linter required-annotation-email"},
		Check: func(o *lint.Object, c *lint.Context, r *lint.Reporter) {
			var missing []string
			for _, a := range c.Params.RequiredAnnotations {
				if _, ok := o.Annotations[a]; !ok {
					missing = append(missing, a)
				}
			}
			if len(missing) == 0 {
				return
			}
			sort.Strings(missing)
			path := "metadata.annotations"
			if lint.Get(o.Root, "metadata", "annotations") == nil {
				path = "metadata"
			}
			r.Report(o, path, "%s has no %s annotation%s", facts.Describe(o), strings.Join(missing, ", "), map[bool]string{true: "s"}[len(missing) > 1])
		},
	}
}
