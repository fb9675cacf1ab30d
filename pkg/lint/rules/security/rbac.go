package security

import (
	"fmt"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/celexpr"
	"github.com/platformctl/platformctl/pkg/lint"
)

// RBAC: Roles and ClusterRoles that grant more than they seem to, and
// bindings that hand out too much.
//
// A rule whose resources are "*" is reported by rbac-wildcard (or
// rbac-full-access) only; the resource-specific rules below judge rules
// that name the resource, so one broad rule does not produce a finding
// from every rule at once.

const rbacGroup = "rbac.authorization.k8s.io"

func rbacRules() []lint.Rule {
	return []lint.Rule{
		{
			ID: "rbac-full-access", Title: "Role grants everything", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "A rule with apiGroups, resources and verbs all \"*\" is cluster-admin (in a ClusterRole) or namespace-admin (in a Role) under another name: it includes Secrets, exec into pods, RBAC itself (so the holder can grant anything), and every CRD installed in the future.",
			Remediation: "List the API groups, resources and verbs the subject actually uses; `kubectl auth can-i --list --as=<subject>` and the audit log show what is needed.",
			References:  []string{"CIS 5.1.1", "CIS 5.1.3", nsaGuide, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
			CEL:         celRoleRules("!"+celFullAccess, "the role grants every verb on every resource of every API group"),
			Check:       checkFullAccess,
		},
		{
			ID: "rbac-wildcard", Title: "Role uses wildcards", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "A \"*\" in apiGroups, resources, verbs or nonResourceURLs grants everything that exists now and everything added later: a new CRD holding credentials, a new subresource such as pods/ephemeralcontainers, a new verb. What the role allows can no longer be read from it.",
			Remediation: "Replace each \"*\" with the explicit list, e.g. verbs: [get, list, watch] and resources: [deployments, replicasets].",
			References:  []string{"CIS 5.1.3", nsaGuide, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
			CEL:         celRoleRules(celFullAccess+" || !("+celGroups+" + "+celResources+" + "+celVerbs+" + r.?nonResourceURLs.orValue([])).exists(v, type(v) == string && v.contains('*'))", "the role uses a wildcard"),
			Check:       checkWildcards,
		},
		{
			ID: "cluster-admin-binding", Title: "Binding to cluster-admin", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "Binding the cluster-admin ClusterRole gives the subjects every permission (in a RoleBinding, over the whole namespace, including its Secrets and RBAC). A leaked token of such a subject is the whole cluster or namespace.",
			Remediation: "Bind a Role or ClusterRole that lists what the subject needs; for namespace administration, the built-in admin or edit ClusterRole in a RoleBinding.",
			References:  []string{"CIS 5.1.1", nsaGuide, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
			CEL:         celBinding(celBootstrapMasters+" || object.?roleRef.?kind.orValue('') != 'ClusterRole' || object.?roleRef.?name.orValue('') != 'cluster-admin'", "the binding grants cluster-admin"),
			Check:       checkClusterAdminBinding,
		},
		{
			ID: "rbac-secrets-access", Title: "Role can read Secrets", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "get, list or watch on secrets reads their values, and list or watch on all Secrets of a namespace includes every service account token and credential stored there. Rules scoped with resourceNames are not reported.",
			Remediation: "Mount the Secrets the workload needs instead of reading them through the API, or restrict the rule with resourceNames to the specific Secrets.",
			References:  []string{"CIS 5.1.2", nsaGuide, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
			CEL:         celRoleRules("r.?resourceNames.orValue([]).size() > 0 || !"+celCoreGroup+" || !('secrets' in "+celResources+") || !"+celGrants("get", "list", "watch"), "the role can read Secrets"),
			Check:       checkSecretsAccess,
		},
		{
			ID: "rbac-pod-exec", Title: "Role can exec or attach into pods", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "create (or, through WebSocket connections, get) on pods/exec or pods/attach runs commands in any pod of the scope, with that pod's service account token, mounted Secrets and network access: a step up to everything those pods can do.",
			Remediation: "Remove pods/exec and pods/attach from the role; grant them to people through a separate, audited break-glass role rather than to workloads.",
			References:  []string{nsaGuide, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
			CEL:         celRoleRules("!"+celCoreGroup+" || !("+celResource("pods/exec")+" || "+celResource("pods/attach")+") || !"+celGrants("create", "get"), "the role can exec or attach into pods"),
			Check:       checkPodExec,
		},
		{
			ID: "rbac-create-pods", Title: "Role can create pods", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "Whoever can create pods, or workloads that create pods (Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs), can run a pod with any service account and mount any Secret of the namespace, so the permission is worth every other permission there. Adding ephemeral containers to existing pods does the same.",
			Remediation: "Grant create on workloads only to the deployment pipeline's identity (e.g. the GitOps controller), and keep workloads' own service accounts read-only.",
			References:  []string{"CIS 5.1.4", nsaGuide, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
			CEL:         celRoleRules("!("+celGrants("create")+" && "+celexpr.List(podCreators)+".exists(x, x in "+celResources+")) && "+"!("+celResource("pods/ephemeralcontainers")+" && "+celCoreGroup+" && "+celGrants("update", "patch")+")", "the role can create pods, or add containers to running ones"),
			Check:       checkCreatePods,
		},
		{
			ID: "rbac-escalation-verbs", Title: "Role can bind, escalate or impersonate", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "bind and escalate on roles let the holder grant permissions it does not have; impersonate on users, groups or service accounts lets it act as any of them, system:masters included. Each is a direct path to cluster-admin.",
			Remediation: "Remove the verbs (and \"*\" on roles, clusterroles, users, groups and serviceaccounts); only the cluster's RBAC management identity should hold them.",
			References:  []string{"CIS 5.1.8", nsaGuide, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
			CEL:         celRoleRules(celFullAccess+" || !"+celSet(escalationTargets)+".exists(v, v in "+celVerbs+") && "+"!('*' in "+celVerbs+" && "+celexpr.List(escalationResources())+".exists(x, x in "+celResources+")) && "+"!('*' in "+celResources+" && '*' in "+celVerbs+" && "+celexpr.List(wildcardEscalationGroups())+".exists(g, g in "+celGroups+"))", "the role can bind, escalate or impersonate"),
			Check:       checkEscalationVerbs,
		},
		{
			ID: "rbac-node-proxy", Title: "Role can proxy to kubelets", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "nodes/proxy reaches the kubelet API of every node through the API server: it can run commands in any pod on any node, and such requests bypass admission control and most audit logging.",
			Remediation: "Remove nodes/proxy; monitoring agents read metrics from nodes/metrics and nodes/stats instead.",
			References:  []string{"CIS 5.1.10", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
			CEL:         &lint.CEL{Kinds: []string{"ClusterRole"}, Expression: celRoleRulesPass("!" + celCoreGroup + " || " + celVerbs + ".size() == 0 || !" + celResource("nodes/proxy")), Message: "the role grants access to nodes/proxy: the kubelet API of every node"},
			Check:       checkNodeProxy,
		},
		{
			ID: "rbac-anonymous-binding", Title: "Binding to anonymous or all users", Category: lint.CategorySecurity, Severity: lint.Error,
			Description: "A binding whose subject is system:anonymous, system:unauthenticated or system:authenticated grants its role to anyone who can reach the API server, or to every identity it accepts, which with some providers means any Google or cloud account. Kubernetes' own discovery bindings are not reported.",
			Remediation: "Bind the role to the specific users, groups or service accounts that need it.",
			References:  []string{nsaGuide, "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"},
			CEL:         celBinding("object.?roleRef.?name.orValue('') in "+celSet(publicRoles)+" || object.?subjects.orValue([]).all(s, !(s.?kind.orValue('') + '/' + s.?name.orValue('') in "+celSet(everyone)+"))", "the binding grants a role to anonymous or all users"),
			Check:       checkAnonymousBinding,
		},
	}
}

// policyRule is one rule of a Role or ClusterRole.
type policyRule struct {
	path                               string
	groups, resources, verbs, resNames []string
	urls                               []string
	node                               *yaml.Node
}

// bootstrap says whether o is one of Kubernetes' own RBAC roles, present in
// cluster dumps; judging their rules is noise nobody can act on. Both the
// API server's label and one of its names are required, and only role
// definitions are spared: a definition grants nothing by itself, while a
// binding is judged whatever it is called, so neither a system: prefix nor
// the label switches the rules off for what actually grants access.
func bootstrap(o *lint.Object) bool {
	if o.Labels["kubernetes.io/bootstrapping"] != "rbac-defaults" {
		return false
	}
	switch o.Name {
	case "cluster-admin", "admin", "edit", "view":
		return true
	}
	return strings.HasPrefix(o.Name, "system:")
}

// bootstrapMasters is the API server's own cluster-admin binding: the
// bootstrap ClusterRoleBinding that gives cluster-admin to system:masters
// and nobody else.
func bootstrapMasters(o *lint.Object) bool {
	if !bootstrap(o) {
		return false
	}
	subjects := lint.Items(lint.Field(o.Root, "subjects"))
	for _, s := range subjects {
		if lint.Str(lint.Field(s, "kind")) != "Group" || lint.Str(lint.Field(s, "name")) != "system:masters" {
			return false
		}
	}
	return len(subjects) > 0
}

// The RBAC rules in CEL, over one rule r of a role's rules: each reads
// the lists policyRules reads, index(list, v) >= 0 being v in list.
const (
	celRBAC      = "object.?apiVersion.orValue('').startsWith('" + rbacGroup + "/')"
	celBootstrap = "object.?metadata.?labels[?'kubernetes.io/bootstrapping'].orValue('') == 'rbac-defaults' && " +
		"(object.?metadata.?name.orValue('') in ['cluster-admin', 'admin', 'edit', 'view'] || object.?metadata.?name.orValue('').startsWith('system:'))"
	celBootstrapMasters = celBootstrap + " && object.?subjects.orValue([]).size() > 0 && " +
		"object.subjects.all(s, s.?kind.orValue('') == 'Group' && s.?name.orValue('') == 'system:masters')"
	celGroups     = "r.?apiGroups.orValue([])"
	celResources  = "r.?resources.orValue([])"
	celVerbs      = "r.?verbs.orValue([])"
	celCoreGroup  = "('' in " + celGroups + " || '*' in " + celGroups + ")"
	celFullAccess = "('*' in " + celGroups + " && '*' in " + celResources + " && '*' in " + celVerbs + ")"
)

// celRoleRulesPass is true for a role whose every rule passes, or which
// policyRules skips (another API group, Kubernetes' own roles).
func celRoleRulesPass(pass string) string {
	return "!" + celRBAC + " || " + celBootstrap + " || object.?rules.orValue([]).all(r, " + pass + ")"
}

// celRoleRules is a rule on Roles and ClusterRoles whose every rule r
// passes.
func celRoleRules(pass, message string) *lint.CEL {
	return &lint.CEL{Kinds: []string{"ClusterRole", "Role"}, Expression: celRoleRulesPass(pass), Message: message}
}

// celBinding is a rule on RoleBindings and ClusterRoleBindings, as
// isBinding reads them.
func celBinding(pass, message string) *lint.CEL {
	return &lint.CEL{Kinds: []string{"ClusterRoleBinding", "RoleBinding"}, Expression: "!" + celRBAC + " || " + pass, Message: message}
}

// celGrants is grantedVerbs(want...) in CEL: whether r grants any of want.
func celGrants(want ...string) string {
	return "('*' in " + celVerbs + " || " + celexpr.List(want) + ".exists(v, v in " + celVerbs + "))"
}

// celResource is resource(res) >= 0 in CEL: res named, or a subresource
// through its wildcards.
func celResource(res string) string {
	names := []string{res}
	if base, sub, ok := strings.Cut(res, "/"); ok {
		names = append(names, base+"/*", "*/"+sub)
	}
	return celexpr.List(names) + ".exists(x, x in " + celResources + ")"
}

func policyRules(o *lint.Object) []policyRule {
	if o.Group() != rbacGroup || (o.Kind != "Role" && o.Kind != "ClusterRole") || bootstrap(o) {
		return nil
	}
	items := lint.Items(lint.Field(o.Root, "rules"))
	out := make([]policyRule, 0, len(items))
	for i, n := range items {
		out = append(out, policyRule{
			path:      fmt.Sprintf("rules[%d]", i),
			groups:    lint.Strings(lint.Field(n, "apiGroups")),
			resources: lint.Strings(lint.Field(n, "resources")),
			verbs:     lint.Strings(lint.Field(n, "verbs")),
			resNames:  lint.Strings(lint.Field(n, "resourceNames")),
			urls:      lint.Strings(lint.Field(n, "nonResourceURLs")),
			node:      n,
		})
	}
	return out
}

func index(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// grantedVerbs returns which of want the rule grants, "*" granting all.
func (p *policyRule) grantedVerbs(want ...string) []string {
	if index(p.verbs, "*") >= 0 {
		return want
	}
	var out []string
	for _, w := range want {
		if index(p.verbs, w) >= 0 {
			out = append(out, w)
		}
	}
	return out
}

// resource returns the index of the entry naming res explicitly, or
// through a subresource wildcard (pods/* for pods/exec); "*" alone is
// left to rbac-wildcard.
func (p *policyRule) resource(res string) int {
	if i := index(p.resources, res); i >= 0 {
		return i
	}
	if base, sub, ok := strings.Cut(res, "/"); ok {
		if i := index(p.resources, base+"/*"); i >= 0 {
			return i
		}
		return index(p.resources, "*/"+sub)
	}
	return -1
}

// coreGroup says whether the rule applies to the core API group.
func (p *policyRule) coreGroup() bool {
	return index(p.groups, "") >= 0 || index(p.groups, "*") >= 0
}

func (p *policyRule) resourcePath(i int) string { return fmt.Sprintf("%s.resources[%d]", p.path, i) }

func scope(o *lint.Object) string {
	if o.Kind == "Role" {
		return fmt.Sprintf(" in namespace %s", nsName(o.Namespace))
	}
	return " cluster-wide"
}

func fullAccess(p *policyRule) bool {
	return index(p.groups, "*") >= 0 && index(p.resources, "*") >= 0 && index(p.verbs, "*") >= 0
}

func checkFullAccess(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	for _, p := range policyRules(o) {
		if fullAccess(&p) {
			r.Report(o, p.path, "%s %s grants every verb on every resource of every API group%s", o.Kind, o.Name, scope(o))
		}
	}
}

func checkWildcards(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	for _, p := range policyRules(o) {
		if fullAccess(&p) {
			continue
		}
		var fields []string
		first := ""
		for _, f := range []struct {
			name string
			list []string
		}{{"apiGroups", p.groups}, {"resources", p.resources}, {"verbs", p.verbs}, {"nonResourceURLs", p.urls}} {
			for i, v := range f.list {
				if strings.Contains(v, "*") {
					fields = append(fields, fmt.Sprintf("%s (%q)", f.name, v))
					if first == "" {
						first = fmt.Sprintf("%s.%s[%d]", p.path, f.name, i)
					}
					break
				}
			}
		}
		if first != "" {
			r.Report(o, first, "%s %s uses a wildcard in %s", o.Kind, o.Name, strings.Join(fields, " and "))
		}
	}
}

// subjects describes a binding's subjects for messages.
func subjects(o *lint.Object) string {
	var out []string
	for _, s := range lint.Items(lint.Field(o.Root, "subjects")) {
		kind, name := lint.Str(lint.Field(s, "kind")), lint.Str(lint.Field(s, "name"))
		if ns := lint.Str(lint.Field(s, "namespace")); ns != "" && kind == "ServiceAccount" {
			name = ns + "/" + name
		}
		out = append(out, kind+" "+name)
	}
	if len(out) == 0 {
		return "no subjects"
	}
	return strings.Join(out, ", ")
}

func isBinding(o *lint.Object) bool {
	return o.Group() == rbacGroup && (o.Kind == "ClusterRoleBinding" || o.Kind == "RoleBinding")
}

func checkClusterAdminBinding(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	if !isBinding(o) || bootstrapMasters(o) {
		return
	}
	ref := lint.Field(o.Root, "roleRef")
	if lint.Str(lint.Field(ref, "kind")) != "ClusterRole" || lint.Str(lint.Field(ref, "name")) != "cluster-admin" {
		return
	}
	if o.Kind == "RoleBinding" {
		r.Report(o, "roleRef.name", "%s %s grants cluster-admin over namespace %s to %s", o.Kind, o.Name, nsName(o.Namespace), subjects(o))
		return
	}
	r.Report(o, "roleRef.name", "%s %s grants cluster-admin over the whole cluster to %s", o.Kind, o.Name, subjects(o))
}

func checkSecretsAccess(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	for _, p := range policyRules(o) {
		if len(p.resNames) > 0 || !p.coreGroup() {
			continue
		}
		i := p.resource("secrets")
		if i < 0 {
			continue
		}
		if verbs := p.grantedVerbs("get", "list", "watch"); len(verbs) > 0 {
			r.Report(o, p.resourcePath(i), "%s %s can %s Secrets%s", o.Kind, o.Name, strings.Join(verbs, "/"), scope(o))
		}
	}
}

func checkPodExec(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	for _, p := range policyRules(o) {
		if !p.coreGroup() {
			continue
		}
		for _, sub := range []string{"pods/exec", "pods/attach"} {
			i := p.resource(sub)
			if i < 0 {
				continue
			}
			if verbs := p.grantedVerbs("create", "get"); len(verbs) > 0 {
				r.Report(o, p.resourcePath(i), "%s %s grants %s on %s: running commands in pods%s", o.Kind, o.Name, strings.Join(verbs, "/"), sub, scope(o))
			}
		}
	}
}

// podCreators are the resources whose creation creates pods.
var podCreators = []string{"pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "replicationcontrollers", "rollouts"}

func checkCreatePods(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	for _, p := range policyRules(o) {
		if len(p.grantedVerbs("create")) > 0 {
			for _, res := range podCreators {
				if i := p.resource(res); i >= 0 {
					r.Report(o, p.resourcePath(i), "%s %s can create %s%s, and so run pods with any service account and Secret there", o.Kind, o.Name, res, scope(o))
				}
			}
		}
		if i := p.resource("pods/ephemeralcontainers"); i >= 0 && p.coreGroup() {
			if verbs := p.grantedVerbs("update", "patch"); len(verbs) > 0 {
				r.Report(o, p.resourcePath(i), "%s %s can %s pods/ephemeralcontainers%s, adding containers to running pods", o.Kind, o.Name, strings.Join(verbs, "/"), scope(o))
			}
		}
	}
}

// escalationTargets are the resources each escalation verb applies to.
var escalationTargets = map[string][]string{
	"bind":        {"roles", "clusterroles"},
	"escalate":    {"roles", "clusterroles"},
	"impersonate": {"users", "groups", "serviceaccounts", "uids", "userextras", "userextras/*"},
}

// escalationResources are the resources of every escalation verb, each once.
func escalationResources() []string {
	var out []string
	for _, res := range escalationTargets {
		out = append(out, res...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// wildcardEscalationGroups are the API groups of wildcardEscalations, and
// "*", which grants them all.
func wildcardEscalationGroups() []string {
	out := []string{"*"}
	for _, w := range wildcardEscalations {
		out = append(out, w.group)
	}
	return out
}

// wildcardEscalations are the escalation verbs that every verb on every
// resource of an API group includes: the same grants spelled with wildcards.
var wildcardEscalations = []struct{ group, what string }{
	{rbacGroup, "API group rbac.authorization.k8s.io, bind and escalate on roles and clusterroles included"},
	{"", "the core API group, impersonate on users, groups and serviceaccounts included"},
}

// groupGrants says whether the rule applies to API group g.
func groupGrants(p *policyRule, g string) bool {
	return index(p.groups, g) >= 0 || index(p.groups, "*") >= 0
}

func checkEscalationVerbs(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	for _, p := range policyRules(o) {
		if fullAccess(&p) {
			continue
		}
		for _, verb := range []string{"bind", "escalate", "impersonate"} {
			if j := index(p.verbs, verb); j >= 0 {
				on := "resources " + quoteList(p.resources)
				if len(p.resources) == 0 {
					on = "no resources"
				}
				r.Report(o, fmt.Sprintf("%s.verbs[%d]", p.path, j), "%s %s grants %s on %s%s", o.Kind, o.Name, verb, on, scope(o))
				continue
			}
			if index(p.verbs, "*") < 0 {
				continue
			}
			for _, res := range escalationTargets[verb] {
				if i := index(p.resources, res); i >= 0 {
					r.Report(o, p.resourcePath(i), "%s %s grants every verb, %s included, on %s%s", o.Kind, o.Name, verb, res, scope(o))
				}
			}
		}
		if i := index(p.resources, "*"); i >= 0 && index(p.verbs, "*") >= 0 {
			for _, w := range wildcardEscalations {
				if groupGrants(&p, w.group) {
					r.Report(o, p.resourcePath(i), "%s %s grants every verb on every resource of %s%s", o.Kind, o.Name, w.what, scope(o))
				}
			}
		}
	}
}

func checkNodeProxy(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	if o.Kind == "Role" {
		return // nodes are cluster-scoped: a namespaced Role cannot grant them
	}
	for _, p := range policyRules(o) {
		if !p.coreGroup() || len(p.verbs) == 0 {
			continue
		}
		if i := p.resource("nodes/proxy"); i >= 0 {
			r.Report(o, p.resourcePath(i), "%s %s grants %s on nodes/proxy: the kubelet API of every node", o.Kind, o.Name, strings.Join(p.verbs, "/"))
		}
	}
}

// publicRoles are what Kubernetes itself binds to everyone: API discovery
// and a user's own permission checks.
var publicRoles = map[string]bool{"system:public-info-viewer": true, "system:discovery": true, "system:basic-user": true}

var everyone = map[string]string{
	"User/system:anonymous":        "unauthenticated requests",
	"Group/system:unauthenticated": "unauthenticated requests",
	"Group/system:authenticated":   "every authenticated identity",
}

func checkAnonymousBinding(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	if !isBinding(o) {
		return
	}
	role := lint.Str(lint.Get(o.Root, "roleRef", "name"))
	if publicRoles[role] {
		return
	}
	for i, s := range lint.Items(lint.Field(o.Root, "subjects")) {
		name := lint.Str(lint.Field(s, "name"))
		if who, ok := everyone[lint.Str(lint.Field(s, "kind"))+"/"+name]; ok {
			r.Report(o, fmt.Sprintf("subjects[%d].name", i), "%s %s grants %s %s to %s (%s)", o.Kind, o.Name, lint.Str(lint.Get(o.Root, "roleRef", "kind")), role, name, who)
		}
	}
}
