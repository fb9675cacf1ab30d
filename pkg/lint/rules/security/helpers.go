package security

import (
	"fmt"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
)

// Reference labels shared by many rules. CIS item numbers follow the CIS
// Kubernetes Benchmark v1.8 to v1.10 numbering.
const (
	pssBaseline   = "Pod Security Standards: baseline"
	pssRestricted = "Pod Security Standards: restricted"
	nsaGuide      = "NSA/CISA Kubernetes Hardening Guide"
	pssDoc        = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
)

// Labels the platform puts on objects; rules read them to tell production
// and edge objects apart.
const (
	labelEnvironment     = "platformctl.dev/environment"
	labelEnvironmentBare = "environment"
	labelArea            = "platformctl.dev/area"
)

// who names a container the way messages do: the kind matters to the
// reader, because init and ephemeral containers are easy to overlook.
func who(c *lint.Container) string {
	switch c.Kind {
	case lint.InitContainer:
		if c.Sidecar {
			return fmt.Sprintf("sidecar container %q", c.Name)
		}
		return fmt.Sprintf("init container %q", c.Name)
	case lint.EphemeralContainer:
		return fmt.Sprintf("ephemeral container %q", c.Name)
	}
	return fmt.Sprintf("container %q", c.Name)
}

// names joins container names for a message about several at once.
func names(cs []*lint.Container) string {
	if len(cs) == 1 {
		return who(cs[0])
	}
	q := make([]string, len(cs))
	for i, c := range cs {
		q[i] = fmt.Sprintf("%q", c.Name)
	}
	return "containers " + strings.Join(q, ", ")
}

// byPath groups containers by the path of the field that decided a value,
// so a pod-level setting inherited by every container is reported once,
// at the pod, rather than once per container at the same line.
type byPath struct {
	order []string
	group map[string][]*lint.Container
}

func (g *byPath) add(path string, c *lint.Container) {
	if g.group == nil {
		g.group = map[string][]*lint.Container{}
	}
	if _, ok := g.group[path]; !ok {
		g.order = append(g.order, path)
	}
	g.group[path] = append(g.group[path], c)
}

func (g *byPath) each(fn func(path string, cs []*lint.Container)) {
	for _, p := range g.order {
		fn(p, g.group[p])
	}
}

// containers returns the pod and its containers, or nil for objects without
// a pod. The slice is shared between rules: read it, never modify it.
func containers(o *lint.Object) (*lint.Pod, []lint.Container) {
	if e, ok := recent.get(o); ok {
		return e.pod, e.containers
	}
	e := podEntry{pod: buildPod(o)}
	if e.pod != nil {
		e.containers = e.pod.Containers()
	}
	recent.put(o, e)
	return e.pod, e.containers
}

// podOf returns the object's pod, or nil.
func podOf(o *lint.Object) *lint.Pod {
	p, _ := containers(o)
	return p
}

// buildPod finds the pod as lint.Object.Pod does, without caching it in
// the object: Object.Pod writes its cache unsynchronized, and set rules
// (ours or others') read it from another goroutine while per-object rules
// run, which is a data race. Building our own lint.Pod keeps this package
// out of it.
func buildPod(o *lint.Object) *lint.Pod {
	spec, path := podSpecOf(o)
	if spec == nil {
		return nil
	}
	if path == "spec" {
		return &lint.Pod{Path: path, Spec: spec, MetaPath: "metadata", Meta: lint.Field(o.Root, "metadata")}
	}
	base := strings.TrimSuffix(path, ".spec")
	keys := podSpecKeys[o.Kind]
	if keys == nil {
		keys = templateSpecKeys
	}
	tmpl := get(o.Root, keys[:len(keys)-1]...)
	return &lint.Pod{Path: path, Spec: spec, MetaPath: base + ".metadata", Meta: lint.Field(tmpl, "metadata")}
}

// recent remembers the pods and containers of the last few objects.
// Pod.Containers builds the list, paths and merged security settings anew
// on every call, and some twenty rules here ask for it per object; the
// engine runs all per-object rules on one object before the next, on each
// worker, so a few entries catch nearly every repeat. Keys are held
// strongly, so an entry can never be mistaken for a new object allocated
// at a reused address.
var recent containerCache

type podEntry struct {
	pod        *lint.Pod
	containers []lint.Container
}

type containerCache struct {
	mu   sync.Mutex
	next int
	keys [8]*lint.Object
	vals [8]podEntry
}

func (c *containerCache) get(o *lint.Object) (podEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, k := range c.keys {
		if k == o {
			return c.vals[i], true
		}
	}
	return podEntry{}, false
}

func (c *containerCache) put(o *lint.Object, e podEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys[c.next], c.vals[c.next] = o, e
	c.next = (c.next + 1) % len(c.keys)
}

// isWindows says whether the pod declares it runs on Windows: the Linux
// security settings (capabilities, seccomp, privilege escalation, read-only
// root) do not exist there, and the Pod Security Standards exempt them.
func isWindows(p *lint.Pod) bool {
	return lint.Str(get(p.Spec, "os", "name")) == "windows"
}

// securityContext returns a container's own securityContext node.
func securityContext(c *lint.Container) *yaml.Node {
	return lint.Field(c.Node, "securityContext")
}

// capName normalizes a capability as container runtimes do: case does not
// matter and the CAP_ prefix is optional.
func capName(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.TrimPrefix(s, "CAP_")
}

// namespaceOf returns the Namespace object of o from the set, or nil.
func namespaceOf(o *lint.Object, ctx *lint.Context) *lint.Object {
	if ctx == nil || ctx.Set == nil || o.Namespace == "" {
		return nil
	}
	return ctx.Set.Lookup("Namespace", "", o.Namespace)
}

// isProduction says whether o runs in production: the object, or its
// Namespace when it is among the inputs, is labeled so.
func isProduction(o *lint.Object, ctx *lint.Context) bool {
	prod := func(labels map[string]string) bool {
		return labels[labelEnvironment] == "production" || labels[labelEnvironmentBare] == "production"
	}
	if prod(o.Labels) {
		return true
	}
	ns := namespaceOf(o, ctx)
	return ns != nil && prod(ns.Labels)
}

// isEdge says whether o belongs to the edge: the namespace is "edge" or
// ends in "-edge", or the object or its Namespace carries the edge area
// label. Only the edge may face the outside world.
func isEdge(o *lint.Object, ctx *lint.Context) bool {
	if o.Namespace == "edge" || strings.HasSuffix(o.Namespace, "-edge") || o.Labels[labelArea] == "edge" {
		return true
	}
	ns := namespaceOf(o, ctx)
	return ns != nil && ns.Labels[labelArea] == "edge"
}

// quoteList renders values for a message: "a", "b" and "c".
func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// podSpecPaths mirror where lint.Object.Pod looks for each kind's pod.
var podSpecPaths = map[string]string{
	"Pod":                   "spec",
	"Deployment":            "spec.template.spec",
	"StatefulSet":           "spec.template.spec",
	"DaemonSet":             "spec.template.spec",
	"ReplicaSet":            "spec.template.spec",
	"ReplicationController": "spec.template.spec",
	"Job":                   "spec.template.spec",
	"CronJob":               "spec.jobTemplate.spec.template.spec",
	"PodTemplate":           "template.spec",
}

var podSpecKeys = func() map[string][]string {
	m := make(map[string][]string, len(podSpecPaths))
	for k, p := range podSpecPaths {
		m[k] = strings.Split(p, ".")
	}
	return m
}()

var templateSpecKeys = []string{"spec", "template", "spec"}

// podSpecOf finds an object's pod spec without touching the object (see
// buildPod for why).
func podSpecOf(o *lint.Object) (spec *yaml.Node, path string) {
	keys, ok := podSpecKeys[o.Kind]
	if !ok {
		// CRDs with a pod template (Argo Rollouts and the like).
		spec = get(o.Root, templateSpecKeys...)
		if lint.Field(spec, "containers") == nil {
			return nil, ""
		}
		return spec, "spec.template.spec"
	}
	spec = get(o.Root, keys...)
	if spec == nil {
		return nil, ""
	}
	return spec, podSpecPaths[o.Kind]
}

// get walks mapping keys from n. It is lint.At for constant paths, without
// parsing the path and allocating on every call of a per-object check.
func get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil {
			return nil
		}
		n = lint.Field(n, k)
	}
	return n
}
