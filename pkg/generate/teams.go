package generate

import (
	"fmt"
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/platformctl/platformctl/pkg/spec"
)

var (
	typeRole        = metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"}
	typeRoleBinding = metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"}
)

// teams gives each team a Role in the apps namespace, bound to its group:
// read access to what runs there (never Secrets, never exec), and with
// access: edit, the right to restart, scale and patch its own services'
// Deployments and to suspend or resume its own cronjobs, by name only.
// Nothing here is cluster-scoped.
func teams(c *Context) ([]Object, error) {
	var out []Object
	ns := c.NS("apps")
	for i, t := range c.P.Spec.Teams {
		src := fmt.Sprintf("spec.teams[%d]", i)
		name := "team-" + t.Name
		rules := []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"configmaps", "endpoints", "events", "pods", "pods/log", "serviceaccounts", "services"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"autoscaling"}, Resources: []string{"horizontalpodautoscalers"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"batch"}, Resources: []string{"cronjobs", "jobs"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"policy"}, Resources: []string{"poddisruptionbudgets"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"networkpolicies"}, Verbs: []string{"get", "list", "watch"}},
		}
		if t.Access == spec.AccessEdit && len(t.Services) > 0 {
			var names, cronJobs []string
			for _, s := range t.Services {
				if svc := c.P.Service(s); svc != nil && svc.Kind == spec.KindCronJob {
					// Suspend or resume its schedule.
					cronJobs = append(cronJobs, s)
					continue
				}
				names = append(names, s)
				if svc := c.P.Service(s); svc != nil && svc.Canary != nil {
					names = append(names, s+"-canary")
				}
			}
			sort.Strings(names)
			if len(names) > 0 {
				rules = append(rules, rbacv1.PolicyRule{
					APIGroups: []string{"apps"}, Resources: []string{"deployments", "deployments/scale"},
					ResourceNames: names, Verbs: []string{"patch", "update"},
				})
			}
			if len(cronJobs) > 0 {
				sort.Strings(cronJobs)
				rules = append(rules, rbacv1.PolicyRule{
					APIGroups: []string{"batch"}, Resources: []string{"cronjobs"},
					ResourceNames: cronJobs, Verbs: []string{"patch", "update"},
				})
			}
		}
		labels := c.labels(name, "rbac")
		out = append(out,
			Object{ID: id("apps", "Role", name), Area: "apps", Source: src, Obj: &rbacv1.Role{
				TypeMeta: typeRole, ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}, Rules: rules,
			}},
			Object{ID: id("apps", "RoleBinding", name), Area: "apps", Source: src, Obj: &rbacv1.RoleBinding{
				TypeMeta:   typeRoleBinding,
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: t.Group}},
			}},
		)
	}
	return out, nil
}
