package security

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// Reference labels shared by many rules. CIS item numbers follow the CIS
// Kubernetes Benchmark v1.8 to v1.10 numbering.
const (
	pssBaseline   = "Pod Security Standards: baseline"
	pssRestricted = "Pod Security Standards: restricted"
	nsaGuide      = "NSA/CISA Kubernetes Hardening Guide"
	pssDoc        = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
)

// labelArea is the label the platform puts on objects of the edge (see
// isEdge); the environment labels are facts.IsProduction's.
const labelArea = "platformctl.dev/area"

// names joins container names for a message about several at once.
func names(cs []*lint.Container) string {
	if len(cs) == 1 {
		return cs[0].Who()
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

// isWindows says whether the pod declares it runs on Windows: the Linux
// security settings (capabilities, seccomp, privilege escalation, read-only
// root) do not exist there, and the Pod Security Standards exempt them.
func isWindows(p *lint.Pod) bool {
	return lint.Str(lint.Get(p.Spec, "os", "name")) == "windows"
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

// isEdge says whether o belongs to the edge: the namespace is "edge" or
// ends in "-edge", or the object or its Namespace carries the edge area
// label. Only the edge may face the outside world.
func isEdge(o *lint.Object, ctx *lint.Context) bool {
	if o.Namespace == "edge" || strings.HasSuffix(o.Namespace, "-edge") || o.Labels[labelArea] == "edge" {
		return true
	}
	ns := facts.NamespaceOf(o, ctx)
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
