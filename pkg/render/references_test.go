package render_test

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// The reference test resolves, in each built environment, every name one
// object uses to find another: Secrets a pod mounts or reads (down to the
// key, against what the ExternalSecrets will write), ServiceAccounts,
// PriorityClasses, claims, the pods behind every Service, PDB,
// NetworkPolicy and monitor, the targets of autoscalers, routes, Ingresses,
// role bindings and GitOps objects. A dangling reference is accepted by the
// API server and fails only at run time, which is why it is checked here.

type refIndex struct {
	objs map[string]manifest.Map // kind/namespace/name
	// secretKeys are the keys of each Secret an ExternalSecret writes.
	secretKeys map[string]map[string]bool // namespace/name
	pods       []refPod
}

type refPod struct {
	ns, owner string
	labels    map[string]string
	spec      map[string]any
	// operated pods are an operator's: it creates their ServiceAccount.
	operated bool
}

func key(kind, ns, name string) string { return kind + "/" + ns + "/" + name }

func indexObjects(objs []render.Object) *refIndex {
	ix := &refIndex{objs: map[string]manifest.Map{}, secretKeys: map[string]map[string]bool{}}
	for _, o := range objs {
		m := o.Map
		kind, ns, name := manifest.String(m, "kind"), manifest.String(m, "metadata", "namespace"), manifest.String(m, "metadata", "name")
		ix.objs[key(kind, ns, name)] = m
		if kind == "ExternalSecret" {
			target := manifest.String(m, "spec", "target", "name")
			if target == "" {
				target = name
			}
			keys := map[string]bool{}
			// With a template, the Secret holds the templated keys only
			// (external-secrets' default merge policy, Replace).
			if tmpl := asMap(manifest.Get(m, "spec", "target", "template", "data")); tmpl != nil {
				for k := range tmpl {
					keys[k] = true
				}
			} else {
				for _, d := range asList(manifest.Get(m, "spec", "data")) {
					keys[asMap(d)["secretKey"].(string)] = true
				}
			}
			ix.secretKeys[ns+"/"+target] = keys
		}
		if tmpl := podTemplate(m); tmpl != nil {
			ix.pods = append(ix.pods, refPod{ns: ns, owner: kind + "/" + name,
				labels: strMap(manifest.Get(tmpl, "metadata", "labels")), spec: asMap(tmpl["spec"])})
		}
		if pod, ok := cnpgInstance(m); ok {
			pod.ns, pod.owner = ns, kind+"/"+name
			ix.pods = append(ix.pods, pod)
		}
		for _, pod := range redisPods(m) {
			pod.ns, pod.owner = ns, kind+"/"+name
			ix.pods = append(ix.pods, pod)
		}
	}
	return ix
}

func (ix *refIndex) has(kind, ns, name string) bool { _, ok := ix.objs[key(kind, ns, name)]; return ok }

// podsSelected returns the pods in ns a label selector selects.
func (ix *refIndex) podsSelected(ns string, sel map[string]any) []refPod {
	var out []refPod
	for _, p := range ix.pods {
		if p.ns == ns && selects(sel, p.labels) {
			out = append(out, p)
		}
	}
	return out
}

func containers(podSpec map[string]any) []map[string]any {
	var out []map[string]any
	for _, f := range []string{"initContainers", "containers"} {
		for _, c := range asList(podSpec[f]) {
			out = append(out, asMap(c))
		}
	}
	return out
}

func portNames(p refPod) map[string]bool {
	names := map[string]bool{}
	for _, c := range containers(p.spec) {
		for _, port := range asList(c["ports"]) {
			if n, ok := asMap(port)["name"].(string); ok {
				names[n] = true
			}
		}
	}
	return names
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// addonPods are objects whose pods an installed add-on runs, not
// platformctl: the edge Service and policy select the Gateway API
// implementation's or ingress-nginx's controller pods, the edge PodMonitor
// Envoy Gateway's proxies (in its own namespace), the monitoring policies
// prometheus-operator's Prometheus and Grafana.
var addonPods = map[string]string{
	"Service/edge":                  "the edge controller",
	"NetworkPolicy/edge-controller": "the edge controller",
	"PodMonitor/edge-proxies":       "Envoy Gateway's proxies",
	"NetworkPolicy/prometheus":      "Prometheus",
	"NetworkPolicy/grafana":         "Grafana",
}

func (ix *refIndex) problems() []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	needSecret := func(who, ns, name, k string) {
		keys, ok := ix.secretKeys[ns+"/"+name]
		switch {
		case !ok:
			bad("%s: Secret %s/%s is written by no ExternalSecret", who, ns, name)
		case k != "" && !keys[k]:
			bad("%s: Secret %s/%s will have no key %q", who, ns, name, k)
		}
	}
	for _, p := range ix.pods {
		who := p.owner + " in " + p.ns
		if sa := str(p.spec, "serviceAccountName"); !p.operated && !ix.has("ServiceAccount", p.ns, sa) {
			bad("%s: ServiceAccount %q does not exist", who, sa)
		}
		if pc := str(p.spec, "priorityClassName"); pc != "" && !ix.has("PriorityClass", "", pc) {
			bad("%s: PriorityClass %q does not exist", who, pc)
		}
		secretVolumes := map[string]string{} // volume → Secret
		for _, v := range asList(p.spec["volumes"]) {
			vm := asMap(v)
			if s := asMap(vm["secret"]); s != nil {
				secretVolumes[str(vm, "name")] = str(s, "secretName")
				needSecret(who, p.ns, str(s, "secretName"), "")
				for _, it := range asList(s["items"]) {
					needSecret(who, p.ns, str(s, "secretName"), str(asMap(it), "key"))
				}
			}
			if c := asMap(vm["persistentVolumeClaim"]); c != nil && !ix.has("PersistentVolumeClaim", p.ns, str(c, "claimName")) {
				bad("%s: PersistentVolumeClaim %q does not exist", who, str(c, "claimName"))
			}
			if c := asMap(vm["configMap"]); c != nil && !ix.has("ConfigMap", p.ns, str(c, "name")) {
				bad("%s: ConfigMap %q does not exist", who, str(c, "name"))
			}
		}
		for _, c := range containers(p.spec) {
			mounts := map[string]string{} // mount path → Secret
			for _, vm := range asList(c["volumeMounts"]) {
				if s, ok := secretVolumes[str(asMap(vm), "name")]; ok {
					mounts[str(asMap(vm), "mountPath")] = s
				}
			}
			for _, e := range asList(c["env"]) {
				em := asMap(e)
				if ref := asMap(asMap(em["valueFrom"])["secretKeyRef"]); ref != nil {
					needSecret(who, p.ns, str(ref, "name"), str(ref, "key"))
				}
				// A *_FILE variable names a file that a Secret volume must provide.
				if v := str(em, "value"); strings.HasSuffix(str(em, "name"), "_FILE") {
					s, ok := mounts[path.Dir(v)]
					if !ok {
						bad("%s: %s=%s is in no mounted Secret", who, str(em, "name"), v)
						continue
					}
					needSecret(who, p.ns, s, path.Base(v))
				}
			}
			for _, ef := range asList(c["envFrom"]) {
				if ref := asMap(asMap(ef)["secretRef"]); ref != nil {
					needSecret(who, p.ns, str(ref, "name"), "")
				}
			}
		}
	}
	for k, m := range ix.objs {
		kind, ns := manifest.String(m, "kind"), manifest.String(m, "metadata", "namespace")
		sp := asMap(m["spec"])
		if _, ok := addonPods[kind+"/"+manifest.String(m, "metadata", "name")]; ok {
			continue
		}
		if kind == "NetworkPolicy" && manifest.String(m, "metadata", "annotations", "ignore.platformctl.dev/networkpolicy-no-pods") != "" {
			continue // selects pods created at run time, as its annotation says
		}
		switch kind {
		case "Service":
			if sp["selector"] == nil {
				continue
			}
			pods := ix.podsSelected(ns, map[string]any{"matchLabels": sp["selector"]})
			if len(pods) == 0 {
				bad("%s selects no pods", k)
			}
			for _, port := range asList(sp["ports"]) {
				if tp, ok := asMap(port)["targetPort"].(string); ok && len(pods) > 0 && !portNames(pods[0])[tp] {
					bad("%s: targetPort %q is no container port of its pods", k, tp)
				}
			}
		case "PodDisruptionBudget", "PodMonitor":
			sel := asMap(sp["selector"])
			if len(ix.podsSelected(ns, sel)) == 0 && kind == "PodDisruptionBudget" {
				bad("%s selects no pods", k)
			}
			if kind == "PodMonitor" {
				n := 0
				for _, target := range asList(asMap(sp["namespaceSelector"])["matchNames"]) {
					for _, p := range ix.podsSelected(target.(string), sel) {
						n++
						for _, ep := range asList(sp["podMetricsEndpoints"]) {
							if !portNames(p)[str(asMap(ep), "port")] {
								bad("%s: pods of %s have no port %q", k, p.owner, str(asMap(ep), "port"))
							}
						}
					}
				}
				if n == 0 {
					bad("%s selects no pods", k)
				}
			}
		case "ServiceMonitor":
			n := 0
			for _, target := range asList(asMap(sp["namespaceSelector"])["matchNames"]) {
				for sk, svc := range ix.objs {
					if manifest.String(svc, "kind") != "Service" || manifest.String(svc, "metadata", "namespace") != target.(string) ||
						!selects(asMap(sp["selector"]), strMap(manifest.Get(svc, "metadata", "labels"))) {
						continue
					}
					n++
					ports := map[string]bool{}
					for _, p := range asList(manifest.Get(svc, "spec", "ports")) {
						ports[str(asMap(p), "name")] = true
					}
					for _, ep := range asList(sp["endpoints"]) {
						if !ports[str(asMap(ep), "port")] {
							bad("%s: %s has no port %q", k, sk, str(asMap(ep), "port"))
						}
					}
				}
			}
			if n == 0 {
				bad("%s selects no Service", k)
			}
		case "NetworkPolicy":
			sel := asMap(sp["podSelector"])
			if len(sel) > 0 && len(ix.podsSelected(ns, sel)) == 0 {
				bad("%s selects no pods", k)
			}
		case "HorizontalPodAutoscaler", "VerticalPodAutoscaler":
			ref := asMap(sp["scaleTargetRef"])
			if kind == "VerticalPodAutoscaler" {
				ref = asMap(sp["targetRef"])
			}
			if !ix.has(str(ref, "kind"), ns, str(ref, "name")) {
				bad("%s targets missing %s %q", k, str(ref, "kind"), str(ref, "name"))
			}
		case "StatefulSet":
			if !ix.has("Service", ns, str(sp, "serviceName")) {
				bad("%s: governing Service %q does not exist", k, str(sp, "serviceName"))
			}
		case "HTTPRoute", "GRPCRoute":
			for _, pr := range asList(sp["parentRefs"]) {
				pns := str(asMap(pr), "namespace")
				if pns == "" {
					pns = ns
				}
				if !ix.has("Gateway", pns, str(asMap(pr), "name")) {
					bad("%s: parent Gateway %s/%s does not exist", k, pns, str(asMap(pr), "name"))
				}
			}
			for _, r := range asList(sp["rules"]) {
				for _, br := range asList(asMap(r)["backendRefs"]) {
					ix.needServicePort(k, ns, str(asMap(br), "name"), asMap(br)["port"], bad)
				}
			}
		case "Ingress":
			for _, r := range asList(sp["rules"]) {
				for _, p := range asList(asMap(asMap(r)["http"])["paths"]) {
					svc := asMap(asMap(asMap(p)["backend"])["service"])
					port := asMap(svc["port"])
					want := port["number"]
					if want == nil {
						want = port["name"]
					}
					ix.needServicePort(k, ns, str(svc, "name"), want, bad)
				}
			}
		case "RoleBinding":
			ref := asMap(m["roleRef"])
			if !ix.has(str(ref, "kind"), ns, str(ref, "name")) {
				bad("%s: %s %q does not exist", k, str(ref, "kind"), str(ref, "name"))
			}
			for _, s := range asList(m["subjects"]) {
				sm := asMap(s)
				if str(sm, "kind") == "ServiceAccount" && !ix.has("ServiceAccount", str(sm, "namespace"), str(sm, "name")) {
					bad("%s: ServiceAccount %s/%s does not exist", k, str(sm, "namespace"), str(sm, "name"))
				}
			}
		case "Application":
			if !ix.has("AppProject", ns, str(sp, "project")) {
				bad("%s: AppProject %q does not exist", k, str(sp, "project"))
			}
		case "ApplicationSet":
			if project := manifest.String(m, "spec", "template", "spec", "project"); !ix.has("AppProject", ns, project) {
				bad("%s: AppProject %q of its Applications does not exist", k, project)
			}
		case "Kustomization":
			ref := asMap(sp["sourceRef"])
			if !ix.has(str(ref, "kind"), ns, str(ref, "name")) {
				bad("%s: source %s %q does not exist", k, str(ref, "kind"), str(ref, "name"))
			}
		}
	}
	out = append(out, ix.rbacProblems()...)
	sort.Strings(out)
	return out
}

// rbacProblems checks what the API server's escalation check and Argo CD's
// project check would refuse at apply time: a Role granting more than the
// deployer that applies it holds (gitops: none), and a cluster-scoped kind
// missing from the AppProject's whitelist.
func (ix *refIndex) rbacProblems() []string {
	var out []string
	for k, m := range ix.objs {
		ns := manifest.String(m, "metadata", "namespace")
		switch manifest.String(m, "kind") {
		case "Role":
			deployer, ok := ix.objs[key("Role", ns, "deployer")]
			if !ok || manifest.String(m, "metadata", "name") == "deployer" || !writes(deployer) {
				continue
			}
			for _, r := range asList(m["rules"]) {
				if !covered(asMap(r), asList(deployer["rules"])) {
					out = append(out, fmt.Sprintf("%s grants %v, which the deployer applying it does not hold", k, r))
				}
			}
		case "AppProject":
			// The project of the environment's own Application deploys
			// its objects; another (the previews') deploys other ones.
			if !ix.projectOfApplication(manifest.String(m, "metadata", "name")) {
				continue
			}
			allowed := map[string]bool{}
			for _, gk := range asList(manifest.Get(m, "spec", "clusterResourceWhitelist")) {
				allowed[str(asMap(gk), "group")+"/"+str(asMap(gk), "kind")] = true
			}
			for ok, o := range ix.objs {
				if manifest.String(o, "metadata", "namespace") != "" {
					continue
				}
				group, _, _ := strings.Cut(manifest.String(o, "apiVersion"), "/")
				if !strings.Contains(manifest.String(o, "apiVersion"), "/") {
					group = ""
				}
				if !allowed[group+"/"+manifest.String(o, "kind")] {
					out = append(out, fmt.Sprintf("%s: cluster-scoped %s is not in the whitelist of %s", ok, manifest.String(o, "kind"), k))
				}
			}
		}
	}
	return out
}

// projectOfApplication says whether an Application of the index names
// the AppProject name.
func (ix *refIndex) projectOfApplication(name string) bool {
	for _, o := range ix.objs {
		if manifest.String(o, "kind") == "Application" && manifest.String(o, "spec", "project") == name {
			return true
		}
	}
	return false
}

// writes reports whether a Role may create objects (the deployer of gitops: none).
func writes(role manifest.Map) bool {
	for _, r := range asList(role["rules"]) {
		for _, v := range asList(asMap(r)["verbs"]) {
			if v == "create" {
				return true
			}
		}
	}
	return false
}

// covered reports whether every (group, resource, verb) of rule is granted
// by some rule of rules; resourceNames only narrow a rule, so they are
// ignored on the granted side only when it has none.
func covered(rule map[string]any, rules []any) bool {
	for _, g := range asList(rule["apiGroups"]) {
		for _, res := range asList(rule["resources"]) {
			for _, v := range asList(rule["verbs"]) {
				found := false
				for _, h := range rules {
					hm := asMap(h)
					if contains(asList(hm["apiGroups"]), g) && contains(asList(hm["resources"]), res) && contains(asList(hm["verbs"]), v) &&
						hm["resourceNames"] == nil {
						found = true
					}
				}
				if !found {
					return false
				}
			}
		}
	}
	return true
}

func contains(l []any, x any) bool {
	for _, y := range l {
		if y == x {
			return true
		}
	}
	return false
}

// needServicePort checks a backend: the Service exists and has the port
// (by number, or by name).
func (ix *refIndex) needServicePort(who, ns, name string, port any, bad func(string, ...any)) {
	svc, ok := ix.objs[key("Service", ns, name)]
	if !ok {
		bad("%s: backend Service %s/%s does not exist", who, ns, name)
		return
	}
	for _, p := range asList(manifest.Get(svc, "spec", "ports")) {
		pm := asMap(p)
		if fmt.Sprint(pm["port"]) == fmt.Sprint(port) || pm["name"] == port {
			return
		}
	}
	bad("%s: Service %s/%s has no port %v", who, ns, name, port)
}

func TestEveryReferenceResolves(t *testing.T) {
	for _, file := range examples(t) {
		d, err := spec.LoadAndValidate(file)
		require.NoError(t, err)
		for _, env := range d.Platform.EnvironmentNames() {
			t.Run(filepath.Base(filepath.Dir(file))+"/"+env, func(t *testing.T) {
				objs, err := render.Environment(d.Platform, env)
				require.NoError(t, err)
				ix := indexObjects(objs)
				require.NotEmpty(t, ix.pods)
				assert.Empty(t, ix.problems())
			})
		}
	}
}

// TestReferenceCheckerFindsDanglingNames breaks one reference of each family
// the generator emits and expects the checker to notice.
func TestReferenceCheckerFindsDanglingNames(t *testing.T) {
	d, err := spec.LoadAndValidate("../../examples/shop/platform.yaml")
	require.NoError(t, err)
	tests := []struct {
		name  string
		drop  func(m manifest.Map) bool
		edit  func(m manifest.Map)
		wants string
	}{
		{name: "binding ExternalSecret removed", wants: "Secret apps/orders-db-binding is written by no ExternalSecret",
			drop: func(m manifest.Map) bool { return manifest.String(m, "metadata", "name") == "orders-db-binding" }},
		{name: "ServiceAccount removed", wants: `ServiceAccount "orders"`,
			drop: func(m manifest.Map) bool {
				return manifest.String(m, "kind") == "ServiceAccount" && manifest.String(m, "metadata", "name") == "orders"
			}},
		{name: "HPA target removed", wants: "targets missing Deployment",
			drop: func(m manifest.Map) bool {
				return manifest.String(m, "kind") == "Deployment" && manifest.String(m, "metadata", "name") == "web"
			}},
		{name: "secret key not written", wants: `will have no key "password"`,
			edit: func(m manifest.Map) {
				if manifest.String(m, "metadata", "name") == "cache-binding" {
					delete(asMap(manifest.Get(m, "spec", "target", "template", "data")), "password")
				}
			}},
		{name: "service selector changed", wants: "Service/apps/orders selects no pods",
			edit: func(m manifest.Map) {
				if manifest.String(m, "kind") == "Service" && manifest.String(m, "metadata", "name") == "orders" {
					asMap(manifest.Get(m, "spec", "selector"))["app.kubernetes.io/name"] = "nobody"
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := render.Environment(d.Platform, "production")
			require.NoError(t, err)
			var kept []render.Object
			for _, o := range objs {
				if tt.drop != nil && tt.drop(o.Map) {
					continue
				}
				if tt.edit != nil {
					tt.edit(o.Map)
				}
				kept = append(kept, o)
			}
			assert.Contains(t, strings.Join(indexObjects(kept).problems(), "\n"), tt.wants)
		})
	}
}

// TestDeployerCanApplyWhatItDeploys renders the shop with gitops: none, where
// the pipeline's deployer applies the team Roles itself, and proves the
// checks bite: a deployer short of one permission, and an AppProject short of
// one cluster-scoped kind, are both reported.
func TestDeployerCanApplyWhatItDeploys(t *testing.T) {
	d, err := spec.LoadAndValidate("../../examples/shop/platform.yaml")
	require.NoError(t, err)
	argo, err := render.Environment(d.Platform, "production")
	require.NoError(t, err)
	d.Platform.Spec.CICD.GitOps = "none"
	objs, err := render.Environment(d.Platform, "production")
	require.NoError(t, err)
	require.Empty(t, indexObjects(objs).problems())

	for _, o := range objs {
		if manifest.String(o.Map, "kind") == "Role" && manifest.String(o.Map, "metadata", "name") == "deployer" {
			rules := asList(o.Map["rules"])
			o.Map["rules"] = slices.DeleteFunc(slices.Clone(rules), func(r any) bool { // drops apps/replicasets
				return slices.Contains(asList(asMap(r)["resources"]), any("replicasets"))
			})
			require.Len(t, o.Map["rules"], len(rules)-1)
		}
	}
	assert.Contains(t, strings.Join(indexObjects(objs).problems(), "\n"), "which the deployer applying it does not hold")

	for _, o := range argo {
		if manifest.String(o.Map, "kind") == "AppProject" {
			wl := asList(manifest.Get(o.Map, "spec", "clusterResourceWhitelist"))
			asMap(o.Map["spec"])["clusterResourceWhitelist"] = wl[:1]
		}
	}
	assert.Contains(t, strings.Join(indexObjects(argo).problems(), "\n"), "cluster-scoped PriorityClass is not in the whitelist")
}

// cnpgInstance is the pod CloudNativePG creates for each instance of a
// Cluster: the Cluster's inherited labels and its own, and the ports of its
// postgres container (postgresql, status, metrics).
func cnpgInstance(m manifest.Map) (refPod, bool) {
	if manifest.String(m, "kind") != "Cluster" || !strings.HasPrefix(manifest.String(m, "apiVersion"), "postgresql.cnpg.io/") {
		return refPod{}, false
	}
	labels := map[string]string{"cnpg.io/cluster": manifest.String(m, "metadata", "name")}
	for k, v := range strMap(manifest.Get(m, "spec", "inheritedMetadata", "labels")) {
		labels[k] = v
	}
	ports := []any{
		map[string]any{"name": "postgresql", "containerPort": int64(5432)},
		map[string]any{"name": "status", "containerPort": int64(8000)},
		map[string]any{"name": "metrics", "containerPort": int64(9187)},
	}
	return refPod{labels: labels, operated: true, spec: map[string]any{"containers": []any{map[string]any{"name": "postgres", "ports": ports}}}}, true
}

// redisPods are the pods the OT redis-operator creates for a
// RedisReplication (a primary and a replica: its redis-role label tells
// them apart) or a RedisSentinel: the resource's labels and the
// operator's, the ServiceAccount it names, the password Secret each
// container reads, and the exporter's port.
func redisPods(m manifest.Map) []refPod {
	kind := manifest.String(m, "kind")
	if !strings.HasPrefix(manifest.String(m, "apiVersion"), "redis.redis.opstreelabs.in/") || (kind != "RedisReplication" && kind != "RedisSentinel") {
		return nil
	}
	name := manifest.String(m, "metadata", "name")
	secret := func(ref map[string]any) map[string]any {
		return map[string]any{"name": "REDIS_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": ref}}
	}
	var env []any
	if s := asMap(manifest.Get(m, "spec", "kubernetesConfig", "redisSecret")); s != nil {
		env = append(env, secret(s))
	}
	if s := asMap(manifest.Get(m, "spec", "redisSentinelConfig", "redisReplicationPassword", "secretKeyRef")); s != nil {
		env = append(env, secret(s))
	}
	containers := []any{map[string]any{"name": name, "env": env}}
	if manifest.Get(m, "spec", "redisExporter", "enabled") == true {
		containers = append(containers, map[string]any{"name": "redis-exporter", "env": env,
			"ports": []any{map[string]any{"name": "redis-exporter", "containerPort": int64(9121)}}})
	}
	pod := func(app, setup string, extra map[string]string) refPod {
		labels := map[string]string{"app": app, "redis_setup_type": setup, "role": setup}
		for k, v := range strMap(manifest.Get(m, "metadata", "labels")) {
			labels[k] = v
		}
		for k, v := range extra {
			labels[k] = v
		}
		spec := map[string]any{"containers": containers}
		if sa := manifest.String(m, "spec", "serviceAccountName"); sa != "" {
			spec["serviceAccountName"] = sa
		}
		return refPod{labels: labels, spec: spec}
	}
	if kind == "RedisSentinel" {
		return []refPod{pod(name+"-sentinel", "sentinel", nil)}
	}
	return []refPod{pod(name, "replication", map[string]string{"redis-role": "master"}), pod(name, "replication", map[string]string{"redis-role": "slave"})}
}

// TestOutsideNamespacesAreSelectedByNameOnly: a NetworkPolicy peer naming
// a namespace the environment does not render (kube-system, an operator's
// namespace) selects it by its name alone. The overlays add the
// environment's label to every matchLabels, and such a namespace carries
// none of the platform's labels: a peer with matchLabels would match
// nothing, silently cutting the operator off from its pods.
func TestOutsideNamespacesAreSelectedByNameOnly(t *testing.T) {
	examples, err := filepath.Glob("../../examples/*/platform.yaml")
	require.NoError(t, err)
	rendered := map[string]bool{}
	type peer struct {
		where string
		sel   map[string]any
	}
	var peers []peer
	eachRendered(t, examples, func(file, env string, m manifest.Map) {
		switch manifest.String(m, "kind") {
		case "Namespace":
			rendered[file+"/"+env+"/"+manifest.String(m, "metadata", "name")] = true
		case "NetworkPolicy":
			for _, dir := range []string{"ingress", "egress"} {
				for _, r := range asList(manifest.Get(m, "spec", dir)) {
					for _, p := range append(asList(asMap(r)["from"]), asList(asMap(r)["to"])...) {
						if sel := asMap(asMap(p)["namespaceSelector"]); sel != nil {
							peers = append(peers, peer{file + "/" + env + "/" + manifest.String(m, "metadata", "namespace") + "/" + manifest.String(m, "metadata", "name"), sel})
						}
					}
				}
			}
		}
	})
	outside := 0
	for _, p := range peers {
		prefix := p.where[:strings.LastIndex(p.where[:strings.LastIndex(p.where, "/")], "/")+1]
		var names []string
		if n, ok := asMap(p.sel["matchLabels"])["kubernetes.io/metadata.name"].(string); ok {
			names = append(names, n)
		}
		for _, e := range asList(p.sel["matchExpressions"]) {
			if asMap(e)["key"] == "kubernetes.io/metadata.name" && asMap(e)["operator"] == "In" {
				for _, v := range asList(asMap(e)["values"]) {
					names = append(names, v.(string))
				}
			}
		}
		inside := false
		for _, n := range names {
			inside = inside || rendered[prefix+n]
		}
		if len(names) == 0 || inside {
			continue
		}
		outside++
		assert.Empty(t, p.sel["matchLabels"], "%s selects %v, which the environment does not render, with matchLabels: no such namespace has them", p.where, names)
	}
	require.Positive(t, outside, "the examples select operator and system namespaces")
}
