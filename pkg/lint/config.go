package lint

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"time"
)

// Config is the `lint:` section of .platformctl.yaml. Its tags, with those
// of Exclusion and Params, are the file's one description: mapstructure
// names each key, and check says what the CLI's config decode
// (cmdutil.DecodeConfig) checks beyond the Go type, reporting the key's
// file:line:col:
//
//	rule      each string is a rule ID of the catalog
//	key=rule  each map key is a rule ID of the catalog
//	severity  each string is a severity (ParseSeverity)
//	glob      each string is a path.Match pattern
//	date      YYYY-MM-DD, also written as an unquoted YAML date
//	min=N     an integer of at least N
//	required  the key must be present (in each list item)
//	selector  one of these keys must hold something (ExclusionSelectors)
//	newrule   the ID of a new rule: kebab-case, not a built-in rule's
//	nonempty  a list that holds at least one item
//	kind      an object kind as kind: writes it (Deployment)
//	cel       a CEL expression that compiles (custom rules)
//	fieldpath a field path (spec.template.spec.containers[0])
//	identifier a CEL variable name
//
// A string key that is present must not be empty: leaving it out is how
// the default is chosen. compile checks the same values again for callers
// that build a Config in Go.
type Config struct {
	// Disable turns rules off; Enable turns on rules that are off by default.
	Disable []string `mapstructure:"disable" check:"rule"`
	Enable  []string `mapstructure:"enable" check:"rule"`
	// Severity overrides a rule's severity: {rule-id: warning}.
	Severity map[string]string `mapstructure:"severity" check:"key=rule,severity"`
	// Exclude suppresses findings that match, each with a reason.
	Exclude []Exclusion `mapstructure:"exclude"`
	Params  Params      `mapstructure:"params"`
	// Custom are rules written in CEL (see CustomRule).
	Custom []CustomRule `mapstructure:"custom"`
}

// ExclusionSelectors are the Exclusion fields that choose findings (their
// config keys, tagged check:"selector"); an exclusion must set one of them.
var ExclusionSelectors = taggedKeys(reflect.TypeFor[Exclusion](), "selector")

// ErrNoSelector is the problem with an exclusion that sets no selector: an
// empty selector matches everything, so it would silence every finding.
var ErrNoSelector = errors.New("no selector: set at least one of " + strings.Join(ExclusionSelectors, ", ") +
	" (an exclusion without one silences every finding)")

// Exclusion suppresses findings. Every non-empty field must match.
type Exclusion struct {
	// Rules the exclusion applies to (empty: all).
	Rules []string `mapstructure:"rules" check:"selector,rule"`
	// Paths are globs matched against the finding's file (path.Match, and
	// also against the file's base name).
	Paths      []string `mapstructure:"paths" check:"selector,glob"`
	Kinds      []string `mapstructure:"kinds" check:"selector"`
	Namespaces []string `mapstructure:"namespaces" check:"selector"`
	Names      []string `mapstructure:"names" check:"selector"`
	// Reason is required: an exclusion nobody can explain is a finding waiting to happen.
	Reason string `mapstructure:"reason" check:"required"`
	// Expires (YYYY-MM-DD) ends the exclusion; after it the findings count again.
	Expires string `mapstructure:"expires" check:"date"`
}

// ConfigKey is the config key of a field of Config (or of a struct in it).
func ConfigKey(f reflect.StructField) string { return f.Tag.Get("mapstructure") }

// ConfigChecks is a field's check tag as a map from each term to its
// argument: `check:"key=rule,severity"` is {key: rule, severity: ""}.
func ConfigChecks(f reflect.StructField) map[string]string {
	checks := map[string]string{}
	for term := range strings.SplitSeq(f.Tag.Get("check"), ",") {
		if term != "" {
			name, arg, _ := strings.Cut(term, "=")
			checks[name] = arg
		}
	}
	return checks
}

// taggedKeys is the config keys of t's fields whose check tag has term.
func taggedKeys(t reflect.Type, term string) []string {
	var keys []string
	for i := range t.NumField() {
		if _, ok := ConfigChecks(t.Field(i))[term]; ok {
			keys = append(keys, ConfigKey(t.Field(i)))
		}
	}
	return keys
}

// compiled is a validated Config.
type compiled struct {
	enabled  map[string]bool
	severity map[string]Severity
	exclude  []Exclusion
	expires  []time.Time
	params   Params
}

// compile checks cfg against the catalog: an unknown rule ID in a config is
// an error, not a silent no-op.
func compile(cfg Config, rules []Rule) (*compiled, error) {
	known := map[string]*Rule{}
	c := &compiled{enabled: map[string]bool{}, severity: map[string]Severity{}, params: DefaultParams()}
	for i := range rules {
		known[rules[i].ID] = &rules[i]
		c.enabled[rules[i].ID] = !rules[i].Disabled
	}
	check := func(where, id string) error {
		if _, ok := known[id]; !ok {
			return fmt.Errorf("lint config: %s: unknown rule %q (see platformctl rules)", where, id)
		}
		return nil
	}
	for _, id := range cfg.Enable {
		if err := check("enable", id); err != nil {
			return nil, err
		}
		c.enabled[id] = true
	}
	for _, id := range cfg.Disable {
		if err := check("disable", id); err != nil {
			return nil, err
		}
		c.enabled[id] = false
	}
	for id, s := range cfg.Severity {
		if err := check("severity", id); err != nil {
			return nil, err
		}
		sev, err := ParseSeverity(s)
		if err != nil {
			return nil, fmt.Errorf("lint config: severity.%s: %w", id, err)
		}
		c.severity[id] = sev
	}
	for i, e := range cfg.Exclude {
		if e.Reason == "" {
			return nil, fmt.Errorf("lint config: exclude[%d]: reason is required", i)
		}
		if len(e.Rules)+len(e.Paths)+len(e.Kinds)+len(e.Namespaces)+len(e.Names) == 0 {
			return nil, fmt.Errorf("lint config: exclude[%d]: %w", i, ErrNoSelector)
		}
		for _, id := range e.Rules {
			if err := check(fmt.Sprintf("exclude[%d].rules", i), id); err != nil {
				return nil, err
			}
		}
		for _, g := range e.Paths {
			if _, err := path.Match(g, ""); err != nil {
				return nil, fmt.Errorf("lint config: exclude[%d].paths: bad glob %q: %w", i, g, err)
			}
		}
		var exp time.Time
		if e.Expires != "" {
			t, err := time.Parse("2006-01-02", e.Expires)
			if err != nil {
				return nil, fmt.Errorf("lint config: exclude[%d].expires: %q is not YYYY-MM-DD", i, e.Expires)
			}
			exp = t.AddDate(0, 0, 1) // the exclusion holds through its last day
		}
		c.exclude = append(c.exclude, e)
		c.expires = append(c.expires, exp)
	}
	if cfg.Params.AllowedRegistries != nil {
		c.params.AllowedRegistries = cfg.Params.AllowedRegistries
	}
	if cfg.Params.MinReplicas < 0 {
		return nil, fmt.Errorf("lint config: params.minReplicas: must be at least 1")
	}
	if cfg.Params.MinReplicas > 0 {
		c.params.MinReplicas = cfg.Params.MinReplicas
	}
	if cfg.Params.RequiredLabels != nil {
		c.params.RequiredLabels = cfg.Params.RequiredLabels
	}
	if cfg.Params.RequiredAnnotations != nil {
		c.params.RequiredAnnotations = cfg.Params.RequiredAnnotations
	}
	if cfg.Params.KubeVersion != "" {
		if _, err := KubeMinor(cfg.Params.KubeVersion); err != nil {
			return nil, fmt.Errorf("lint config: params.kubeVersion: %w", err)
		}
		c.params.KubeVersion = cfg.Params.KubeVersion
	}
	return c, nil
}

func anyMatch(list []string, v string) bool {
	if len(list) == 0 {
		return true
	}
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func globMatch(globs []string, file string) bool {
	if len(globs) == 0 {
		return true
	}
	slash := filepath.ToSlash(file)
	for _, g := range globs {
		if ok, _ := path.Match(g, slash); ok {
			return true
		}
		if ok, _ := path.Match(g, path.Base(slash)); ok {
			return true
		}
	}
	return false
}

// excluded returns the reason a finding is excluded by config, if it is.
func (c *compiled) excluded(d *Diagnostic, now time.Time) (string, bool) {
	for i, e := range c.exclude {
		if !c.expires[i].IsZero() && !now.Before(c.expires[i]) {
			continue
		}
		if anyMatch(e.Rules, d.RuleID) && globMatch(e.Paths, d.File) && anyMatch(e.Kinds, d.Kind) &&
			anyMatch(e.Namespaces, d.Namespace) && anyMatch(e.Names, d.Name) {
			return e.Reason, true
		}
	}
	return "", false
}
