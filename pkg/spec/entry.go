package spec

import "strings"

// Entry finds what the spec writes for path: path itself when it is
// written, else its nearest written ancestor below spec (spec.services[0]
// for spec.services[0].canary when the service has no canary), and that
// entry's position. ok is false when the spec writes nothing of path below
// spec itself, as for what every platform gets by default (spec.cicd in a
// spec without a cicd key): then no line of the spec is about it, and Pos,
// which falls back to spec's first field, would name a line that is not.
func (d *Document) Entry(path string) (entry string, pos Pos, ok bool) {
	for p := path; p != "" && p != "spec"; {
		if pos, ok := d.positions[p]; ok {
			return p, pos, true
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			break
		}
		p = p[:i]
	}
	return "", Pos{}, false
}
