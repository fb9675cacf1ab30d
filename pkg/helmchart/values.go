package helmchart

import (
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// The Helm SDK's own value coalescing and dependency processing
// (pkg/chart/common/util, pkg/chart/v2/util) import its JSON Schema
// validator, whose package initialiser compiles five meta-schemas at every
// start of the binary (about 8 ms, more than platformctl's whole start-up
// before Helm); that validator would also fetch remote $refs. So values
// are coalesced here, with the rules `helm template` applies: a user's
// value wins over the chart's, maps merge key by key, a null removes the
// chart's key, each dependency gets the table under its name (or alias)
// with its own values.yaml beneath, and `global` flows down from parent to
// dependency, the parent's keys winning.

// coalesce merges ch's values (and its dependencies', recursively) under
// vals, which are the user's values for ch's scope, and returns vals.
func coalesce(ch *chart.Chart, vals map[string]any) map[string]any {
	under(vals, deepCopy(ch.Values))
	for _, dep := range ch.Dependencies() {
		sub, ok := vals[dep.Name()].(map[string]any)
		if !ok {
			// A non-map under the dependency's name cannot hold its values;
			// Helm warns and replaces it too.
			sub = map[string]any{}
		}
		if g, ok := vals["global"].(map[string]any); ok {
			sg, _ := sub["global"].(map[string]any)
			if sg == nil {
				sg = map[string]any{}
			}
			sub["global"] = merge(sg, deepCopy(g)) // the parent's keys win
		}
		vals[dep.Name()] = coalesce(dep, sub)
	}
	return vals
}

// under fills dst with what src has and dst does not: maps merge, dst
// wins at the leaves, and a key dst holds as null is removed (the user's
// way to drop a chart default).
func under(dst, src map[string]any) {
	for k, sv := range src {
		dv, has := dst[k]
		switch {
		case !has:
			if sv != nil {
				dst[k] = sv
			}
		case dv == nil:
			delete(dst, k)
		default:
			dm, dok := dv.(map[string]any)
			sm, sok := sv.(map[string]any)
			if dok && sok {
				under(dm, sm)
			}
		}
	}
	// A null the chart did not set either is still a null: drop it, as
	// Helm does, so templates see no key rather than a nil.
	for k, v := range dst {
		if v == nil {
			delete(dst, k)
		}
	}
}

// enableDependencies drops the dependencies of ch (and theirs) that
// Chart.yaml disables for vals — a condition (the first of its
// comma-separated value paths that is a bool decides) or, with no
// condition set, tags (any tag true enables, else any false disables) —
// and renames the ones with an alias. vals are coalesced values for ch's
// scope. Dependencies in charts/ that Chart.yaml does not list stay.
func enableDependencies(ch *chart.Chart, vals map[string]any) {
	byName := map[string][]*chart.Dependency{}
	for _, d := range ch.Metadata.Dependencies {
		if d != nil {
			byName[d.Name] = append(byName[d.Name], d)
		}
	}
	tags, _ := vals["tags"].(map[string]any)
	var keep []*chart.Chart
	for _, sub := range ch.Dependencies() {
		reqs, listed := byName[sub.Name()]
		if !listed {
			keep = append(keep, sub)
			continue
		}
		// One chart in charts/ may be listed several times under aliases.
		for _, req := range reqs {
			if !enabled(req, vals, tags) {
				continue
			}
			c := sub
			if req.Alias != "" {
				cp := *sub
				md := *sub.Metadata
				md.Name = req.Alias
				cp.Metadata = &md
				c = &cp
			}
			keep = append(keep, c)
		}
	}
	ch.SetDependencies(keep...)
	for _, sub := range keep {
		sv, _ := vals[sub.Name()].(map[string]any)
		enableDependencies(sub, sv)
	}
}

func enabled(req *chart.Dependency, vals, tags map[string]any) bool {
	for c := range strings.SplitSeq(req.Condition, ",") {
		if b, ok := pathValue(vals, strings.TrimSpace(c)).(bool); ok {
			return b
		}
	}
	on, off := false, false
	for _, t := range req.Tags {
		if b, ok := tags[t].(bool); ok {
			on, off = on || b, off || !b
		}
	}
	return on || !off
}

// pathValue is the value at a dotted path (db.enabled) in vals, or nil.
func pathValue(vals map[string]any, p string) any {
	if p == "" {
		return nil
	}
	var cur any = vals
	for k := range strings.SplitSeq(p, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}
