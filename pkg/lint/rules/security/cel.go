package security

import (
	"maps"
	"slices"

	"github.com/platformctl/platformctl/pkg/celexpr"
)

// Building blocks of the rules' CEL forms, so each expression reads the
// same tables as its Go check instead of a copy of them.

// celWindows is true for a pod that declares it runs on Windows, as
// isWindows reads it: rules exempting Windows pods start with it.
const celWindows = "variables.podSpec.?os.?name.orValue('') == 'windows'"

// celSet writes the keys of a table as a CEL list, sorted so the
// exported policies do not change from run to run.
func celSet[V any](m map[string]V) string {
	return celexpr.List(slices.Sorted(maps.Keys(m)))
}

// celCapName is capName in CEL for the string expression v. Go's
// strings.ToUpper maps two non-ASCII letters to ASCII ones (ı to I, ſ to
// S), which upperAscii leaves alone; replacing them first makes the two
// agree on every string, so "ſys_admin" is SYS_ADMIN in both.
func celCapName(v string) string {
	n := v + ".trim().replace('ı', 'i').replace('ſ', 's').upperAscii()"
	return "(" + n + ".startsWith('CAP_') ? " + n + ".substring(4) : " + n + ")"
}

// celAdded is true when every capability any container adds passes:
// pass writes the condition on the normalized name (an expression).
func celAdded(pass func(name string) string) string {
	return "variables.containers.all(c, c.?securityContext.?capabilities.?add.orValue([]).all(a, " +
		pass(celCapName("a")) + "))"
}

// celEffective is a security setting of container c as Kubernetes
// applies it, an optional: the container's own field when it has one,
// else the pod's (lint.Container.Security picks the same way).
func celEffective(field string) string {
	own := "c.?securityContext.?" + field
	return "(" + own + ".hasValue() ? " + own + " : variables.podSpec.?securityContext.?" + field + ")"
}

// celUnset is true when the optional string opt is missing, null or "":
// lint.Str reads all three as "".
func celUnset(opt string) string {
	v := opt + ".orValue('')"
	return "(" + v + " == '' || " + v + " == null)"
}

// celSeccompType is the seccomp profile type of container c, as
// SecuritySettings.SeccompType reads it.
var celSeccompType = celEffective("seccompProfile") + ".?type"
