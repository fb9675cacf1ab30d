package security

import (
	"strconv"

	"github.com/platformctl/platformctl/pkg/lint"
)

// Rules for what a peer linter judged right in platformctl's own output
// (issue 13), so a hand-written manifest with the same defect is caught
// too: user and group IDs that may belong to the node, and image pull
// policies that trust the node's cache in production.

// minHostFreeID is the first ID kube-score accepts: below it, UIDs and GIDs
// are the range distributions give their own users (system accounts up to
// 999, people from 1000), so a process that escapes its container as one of
// them owns that user's files on the node.
const minHostFreeID = 10000

func peerRules() []lint.Rule {
	return []lint.Rule{
		{
			ID: "low-user-id", Title: "Container runs as a UID or GID below 10000", Category: lint.CategorySecurity, Severity: lint.Warning,
			Description: "runAsUser or runAsGroup (the container's, or the pod's it inherits) is between 1 and 9999. Without user namespaces, the container's IDs are the node's: Linux distributions give IDs below 1000 to system accounts and those from 1000 to people, " +
				"so a process that escapes the container as one of them acts as that node user on its files. Many images declare such a user (postgres and redis 999, kafka 1000) but run as any user whose data directory is writable. " +
				"UID 0 is reported by run-as-root-user; an unset ID by run-as-non-root; supplementalGroups are not judged (a log agent reads root-group log files through group 0).",
			Remediation: "Set runAsUser and runAsGroup to 10000 or more (e.g. 10001) at pod level, with fsGroup to the same ID so volumes stay writable; an image that insists on its own user needs a rebuild, or an ignore annotation with the reason.",
			References:  []string{"kube-score container-security-context-user-group-id", nsaGuide, "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"},
			CEL:         lint.PodCEL(celWindows+" || variables.containers.all(c, "+celLowID("runAsUser")+" && "+celLowID("runAsGroup")+")", "a container runs as a UID or GID below "+strconv.Itoa(minHostFreeID)+": an ID the node may give one of its own users"),
			Check:       checkLowIDs,
		},
	}
}

// effectiveID is a container's runAsUser or runAsGroup: its own, or the
// pod's, with the path it came from.
func effectiveID(p *lint.Pod, c *lint.Container, field string) (int64, string, bool) {
	if v, ok := lint.Int(lint.Get(c.Node, "securityContext", field)); ok {
		return v, c.Path + ".securityContext." + field, true
	}
	if v, ok := lint.Int(lint.Get(p.Spec, "securityContext", field)); ok {
		return v, p.Path + ".securityContext." + field, true
	}
	return 0, "", false
}

// celLowID is true when container c's effectiveID field is not a low
// one: the container's integer, else the pod's, else none.
func celLowID(field string) string {
	own, pod := "c.?securityContext.?"+field, "variables.podSpec.?securityContext.?"+field
	id := "(type(" + own + ".orValue(null)) == int ? " + own + ".value() : type(" + pod + ".orValue(null)) == int ? " + pod + ".value() : 0)"
	return "(" + id + " <= 0 || " + id + " >= " + strconv.Itoa(minHostFreeID) + ")"
}

func checkLowIDs(o *lint.Object, _ *lint.Context, r *lint.Reporter) {
	p, cs := o.Containers()
	if p == nil || isWindows(p) {
		return
	}
	for _, what := range []struct{ field, noun string }{{"runAsUser", "UID"}, {"runAsGroup", "GID"}} {
		var g byPath
		ids := map[string]int64{}
		for i := range cs {
			c := &cs[i]
			if id, path, ok := effectiveID(p, c, what.field); ok && id > 0 && id < minHostFreeID {
				g.add(path, c)
				ids[path] = id
			}
		}
		g.each(func(path string, cs []*lint.Container) {
			r.Report(o, path, "%s run%s as %s %d, below %d: an ID the node may give one of its own users", names(cs), plural(cs), what.noun, ids[path], minHostFreeID)
		})
	}
}
