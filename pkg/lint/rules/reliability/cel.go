package reliability

import (
	"slices"

	"github.com/platformctl/platformctl/pkg/celexpr"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/internal/facts"
)

// Building blocks of the reliability rules' CEL forms.

// longRunningKinds are the PodKinds facts.LongRunning can be true for.
var longRunningKinds = slices.DeleteFunc(slices.Clone(lint.PodKinds), func(k string) bool {
	return k == facts.KindJob || k == facts.KindCronJob
})

// celProbe is probeCheck with the test "has the probe" in CEL: the
// regular containers of long-running pods (a bare Pod is, unless its
// restartPolicy is something other than Always).
func celProbe(probe, message string) *lint.CEL {
	rp := "variables.podSpec.?restartPolicy.orValue('')"
	return lint.PodCELOf(longRunningKinds,
		"object.kind == 'Pod' && !("+rp+" == '' || "+rp+" == null || "+rp+" == 'Always') || "+
			"variables.podSpec.?containers.orValue([]).all(c, has(c."+probe+"))", message)
}

// celRestartPolicy is invalid-restart-policy in CEL: Jobs' pods must say
// OnFailure or Never; a Pod's or another workload's, when written, one
// of the values its kind allows.
var celRestartPolicy = func() string {
	rp := "variables.podSpec.?restartPolicy"
	written := func(allowed ...string) string {
		return "!" + rp + ".hasValue() || " + rp + ".orValue('') in " + celexpr.List(allowed)
	}
	return "object.kind in " + celexpr.List([]string{facts.KindJob, facts.KindCronJob}) + " ? !" + lint.CELHasPod + " || " + rp + ".orValue('') in ['OnFailure', 'Never'] : " +
		"object.kind == 'Pod' ? " + written("Always", "OnFailure", "Never") + " : " + written("Always")
}()

// celUpdateStrategy is invalid-update-strategy in CEL, from strategyTypes.
var celUpdateStrategy = func() string {
	expr := "true"
	kinds := celStrategyKinds()
	for i := len(kinds) - 1; i >= 0; i-- {
		st := strategyTypes[kinds[i]]
		s := "object.?spec.?" + st.field
		t := s + ".?type.orValue(null)"
		expr = "object.kind == '" + kinds[i] + "' ? " + t + " == null || " + t + " in " + celexpr.List(st.types) +
			" && (" + t + " == 'RollingUpdate' || !" + s + ".?rollingUpdate.hasValue()) : " + expr
	}
	return "!(object.?apiVersion.orValue('').startsWith('apps/') || object.?apiVersion.orValue('').startsWith('extensions/')) || " + expr
}()

// celStrategyKinds are the kinds of strategyTypes, sorted.
func celStrategyKinds() []string {
	var out []string
	for k := range strategyTypes {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// celLatestTag is latest-image-tag in CEL: imageref.Parse's digest and
// tag (a ':' after the last '/'), index for index; CEL counts code points
// where Go counts bytes, but only the order of ASCII separators matters.
var celLatestTag = func() string {
	img := "c.?image.orValue('')"
	pinned := img + ".indexOf('@') >= 0 && " + img + ".substring(" + img + ".indexOf('@') + 1) != ''"
	name := "(" + img + ".indexOf('@') >= 0 ? " + img + ".substring(0, " + img + ".indexOf('@')) : " + img + ")"
	tag := "(" + name + ".lastIndexOf(':') > " + name + ".lastIndexOf('/') ? " + name + ".substring(" + name + ".lastIndexOf(':') + 1) : '')"
	return "variables.containers.all(c, " + img + " == null || type(" + img + ") == string && (" + img + " == '' || " +
		pinned + " || !(" + tag + " in ['', 'latest'])))"
}()

// celPortNumber and celPortName read a probe port as facts.ReadPort does:
// an integer is a number; any other scalar a name, as written.
func celPortNumber(port string) string { return "type(" + port + ") == int" }

func celPortName(port string) string { return "string(" + port + ")" }

// celContainerPorts is invalid-container-port in CEL: containerPort set
// and, when an integer, 1-65535; hostPort, when an integer, 0-65535;
// names unique among the container's ports.
const celContainerPorts = "variables.containers.all(c, c.?ports.orValue([]).all(p, " +
	"p.?containerPort.orValue(null) != null && (type(p.containerPort) != int || p.containerPort >= 1 && p.containerPort <= 65535) && " +
	"(type(p.?hostPort.orValue(null)) != int || p.hostPort >= 0 && p.hostPort <= 65535) && " +
	"(p.?name.orValue('') == '' || p.?name.orValue('') == null || c.ports.filter(q, q.?name.orValue('') == p.name).size() == 1)))"
