package lint

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/crdschema"
)

// IgnorePrefix starts the annotation that ignores a rule on one object:
// ignore.platformctl.dev/<rule-id>: "<reason>".
const IgnorePrefix = "ignore.platformctl.dev/"

// Engine-level rule IDs: the engine reports these itself, about ignores.
const (
	RuleIgnoreWithoutReason = "ignore-without-reason"
	RuleIgnoreUnknownRule   = "ignore-unknown-rule"
)

// EngineRules are the catalog entries for what the engine reports itself.
func EngineRules() []Rule {
	return []Rule{
		{
			ID: RuleIgnoreWithoutReason, Title: "Ignore annotation without a reason", Category: CategoryHygiene, Severity: Warning,
			Description: "An ignore.platformctl.dev/<rule> annotation has an empty value. An ignore nobody can explain hides a risk nobody owns, so it does not take effect: the ignored finding is still reported.",
			Remediation: "Write why the rule does not apply as the annotation's value, e.g. ignore.platformctl.dev/host-network: \"CNI agent needs the host network\".",
		},
		{
			ID: RuleIgnoreUnknownRule, Title: "Ignore annotation names no rule", Category: CategoryHygiene, Severity: Warning,
			Description: "An ignore.platformctl.dev/<rule> annotation names a rule that does not exist, usually a typo: it ignores nothing.",
			Remediation: "Use an ID from `platformctl rules`, or remove the annotation.",
		},
	}
}

// Options configure a run.
type Options struct {
	Config Config
	// Now decides whether exclusions have expired (default: time.Now).
	Now time.Time
	// Workers bounds parallelism (default: GOMAXPROCS).
	Workers int
	// CRDs are the user's CRD schemas (lint --crds).
	CRDs *crdschema.Set
}

// Result is the outcome of a run.
type Result struct {
	// Findings count towards the exit code; Suppressed were ignored by
	// annotation or excluded by config and are listed with --show-ignored.
	Findings   []Diagnostic
	Suppressed []Diagnostic
	// Rules are the rules that ran, with effective severities.
	Rules   []Rule
	Objects int
}

// Run checks objs against rules.
//
// The config's custom rules (lint.custom) join rules for the run.
func Run(objs []*Object, rules []Rule, opts Options) (*Result, error) {
	rules, active, cfg, err := activeRules(opts.Config, rules)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	known := map[string]bool{}
	for _, r := range rules {
		known[r.ID] = true
	}
	// Object.Pod and Pod.Containers cache their answers; computing them
	// here, before any worker starts, keeps rules on different goroutines
	// from racing to fill the caches, and every rule reads them for free.
	warmPods(objs, opts.Workers)
	set := NewSet(objs)
	ctx := &Context{Params: cfg.params, Set: set, CRDs: opts.CRDs}
	diags := runChecks(objs, active, ctx, opts.Workers)
	sev := map[string]Severity{}
	for _, r := range active {
		sev[r.ID] = r.Severity
	}
	ignores := checkIgnores(objs, known, cfg, sev)

	// Findings and suppressed findings are gathered as pointers, sorted
	// (stably, so in the order SortDiagnostics gives) and copied once into
	// their final slices: no slice of diagnostics is grown or re-sorted.
	res := &Result{Rules: active, Objects: len(objs)}
	var kept, suppressed []*located
	n := len(ignores)
	for _, c := range diags {
		n += len(c)
	}
	if n > 0 {
		kept = make([]*located, 0, n)
	}
	for _, ds := range append(diags, ignores) {
		for i := range ds {
			d := &ds[i]
			if reason, ok := cfg.excluded(&d.Diagnostic, now); ok {
				d.Suppression = &Suppression{Kind: "config", Reason: reason}
				suppressed = append(suppressed, d)
				continue
			}
			if reason, found := ignoreReason(d.obj, d.RuleID); found && strings.TrimSpace(reason) != "" {
				d.Suppression = &Suppression{Kind: "annotation", Reason: reason}
				suppressed = append(suppressed, d)
				continue
			}
			kept = append(kept, d)
		}
	}
	res.Findings = sortedDiagnostics(kept)
	res.Suppressed = sortedDiagnostics(suppressed)
	return res, nil
}

// Effective returns the rules a run with cfg applies: rules and cfg's
// custom rules, those cfg enables, with the severities it sets.
func Effective(cfg Config, rules []Rule) ([]Rule, error) {
	_, active, _, err := activeRules(cfg, rules)
	return active, err
}

// activeRules adds cfg's custom rules to rules (all) and returns the ones
// that run (active), with cfg compiled.
func activeRules(config Config, rules []Rule) (all, active []Rule, cfg *compiled, err error) {
	custom, err := CustomRules(config, rules)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(custom) > 0 {
		rules = append(slices.Clip(rules), custom...)
	}
	cfg, err = compile(config, rules)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, r := range rules {
		if !cfg.enabled[r.ID] {
			continue
		}
		if s, ok := cfg.severity[r.ID]; ok {
			r.Severity = s
		}
		active = append(active, r)
	}
	return rules, active, cfg, nil
}

// sortedDiagnostics copies ls's diagnostics, stably sorted as
// SortDiagnostics sorts them (nil for none).
// Ties are broken by position in ls, which makes the (faster, unstable)
// pattern-defeating quicksort give the stable order.
func sortedDiagnostics(ls []*located) []Diagnostic {
	if len(ls) == 0 {
		return nil
	}
	type entry struct {
		l *located
		i int
	}
	es := make([]entry, len(ls))
	for i, l := range ls {
		es[i] = entry{l, i}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if c := compareDiagnostics(&a.l.Diagnostic, &b.l.Diagnostic); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	out := make([]Diagnostic, len(ls))
	for i, e := range es {
		out[i] = e.l.Diagnostic
	}
	return out
}

type located struct {
	Diagnostic
	obj *Object
}

// runChecks runs per-object rules over shards of objects on every worker,
// and set rules one per worker; each worker keeps its own findings, so
// nothing is shared while checks run.
func runChecks(objs []*Object, rules []Rule, ctx *Context, workers int) [][]located {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var perObject, perSet []*Rule
	for i := range rules {
		if rules[i].Check != nil {
			perObject = append(perObject, &rules[i])
		}
		if rules[i].CheckSet != nil {
			perSet = append(perSet, &rules[i])
		}
	}
	type job struct {
		lo, hi int
		set    *Rule
	}
	jobs := make(chan job)
	results := make([][][]located, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			// One reporter per worker, pointed at each rule in turn: a fresh
			// one per (object, rule) was a million allocations on a
			// 10,000-object run, and findings copied from per-rule
			// reporters into the worker's slice were copied twice.
			r := &Reporter{}
			for j := range jobs {
				if j.set != nil {
					r.rule = j.set
					j.set.CheckSet(ctx.Set, ctx, r)
					continue
				}
				for _, o := range objs[j.lo:j.hi] {
					for _, rule := range perObject {
						r.rule = rule
						rule.Check(o, ctx, r)
					}
				}
			}
			results[w] = r.all()
		}(w)
	}
	for _, r := range perSet {
		jobs <- job{set: r}
	}
	const shard = 64
	for lo := 0; lo < len(objs); lo += shard {
		jobs <- job{lo: lo, hi: min(lo+shard, len(objs))}
	}
	close(jobs)
	wg.Wait()
	var all [][]located
	for _, r := range results {
		all = append(all, r...)
	}
	return all
}

func ignoreReason(o *Object, rule string) (string, bool) {
	if o == nil {
		return "", false
	}
	var buf [128]byte
	key := append(append(buf[:0], IgnorePrefix...), rule...)
	if v, ok := o.Annotations[string(key)]; ok {
		return v, true
	}
	if p := o.Pod(); p != nil {
		ann := Field(p.Meta, "annotations")
		if ann == nil || ann.Kind != yaml.MappingNode {
			return "", false
		}
		v, found := "", false
		for i := 0; i+1 < len(ann.Content); i += 2 {
			if k := ann.Content[i].Value; len(k) == len(key) && k == string(key) {
				v, found = Str(ann.Content[i+1]), true
			}
		}
		return v, found
	}
	return "", false
}

// checkIgnores reports ignore annotations without a reason or naming no rule.
func checkIgnores(objs []*Object, known map[string]bool, cfg *compiled, sev map[string]Severity) []located {
	var out []located
	rules := EngineRules()
	for _, o := range objs {
		scan := func(metaPath string, ann map[string]string) {
			keys := make([]string, 0, len(ann))
			for k := range ann {
				if strings.HasPrefix(k, IgnorePrefix) {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				id := strings.TrimPrefix(k, IgnorePrefix)
				path := fmt.Sprintf("%s.annotations[%q]", metaPath, k)
				switch {
				case !known[id]:
					out = appendEngine(out, o, &rules[1], cfg, sev, path, fmt.Sprintf("%s names no rule; it ignores nothing", k))
				case strings.TrimSpace(ann[k]) == "":
					out = appendEngine(out, o, &rules[0], cfg, sev, path, fmt.Sprintf("%s has no reason, so %s is not ignored", k, id))
				}
			}
		}
		scan("metadata", o.Annotations)
		if p := o.Pod(); p != nil {
			scan(p.MetaPath, StringMap(Field(p.Meta, "annotations")))
		}
	}
	return out
}

func appendEngine(out []located, o *Object, rule *Rule, cfg *compiled, sev map[string]Severity, path, msg string) []located {
	if !cfg.enabled[rule.ID] {
		return out
	}
	r := &Reporter{rule: rule}
	r.Report(o, path, "%s", msg)
	d := r.out[0]
	if s, ok := sev[rule.ID]; ok {
		d.Severity = s
	}
	return append(out, d)
}

// warmPods fills every object's pod and container caches, in parallel over
// disjoint shards, before any rule runs.
func warmPods(objs []*Object, workers int) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	per := (len(objs) + workers - 1) / max(workers, 1)
	for lo := 0; lo < len(objs); lo += max(per, 1) {
		shard := objs[lo:min(lo+max(per, 1), len(objs))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, o := range shard {
				if p := o.Pod(); p != nil {
					p.Containers()
				}
			}
		}()
	}
	wg.Wait()
}
