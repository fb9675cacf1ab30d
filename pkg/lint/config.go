package lint

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"time"
)

// Config is the `lint:` section of .platformctl.yaml.
type Config struct {
	// Disable turns rules off; Enable turns on rules that are off by default.
	Disable []string `mapstructure:"disable"`
	Enable  []string `mapstructure:"enable"`
	// Severity overrides a rule's severity: {rule-id: warning}.
	Severity map[string]string `mapstructure:"severity"`
	// Exclude suppresses findings that match, each with a reason.
	Exclude []Exclusion `mapstructure:"exclude"`
	Params  Params      `mapstructure:"params"`
}

// ExclusionSelectors are the Exclusion fields that choose findings (their
// config keys); an exclusion must set one of them.
var ExclusionSelectors = []string{"rules", "paths", "kinds", "namespaces", "names"}

// ErrNoSelector is the problem with an exclusion that sets no selector: an
// empty selector matches everything, so it would silence every finding.
var ErrNoSelector = errors.New("no selector: set at least one of rules, paths, kinds, namespaces, names (an exclusion without one silences every finding)")

// Exclusion suppresses findings. Every non-empty field must match.
type Exclusion struct {
	// Rules the exclusion applies to (empty: all).
	Rules []string `mapstructure:"rules"`
	// Paths are globs matched against the finding's file (path.Match, and
	// also against the file's base name).
	Paths      []string `mapstructure:"paths"`
	Kinds      []string `mapstructure:"kinds"`
	Namespaces []string `mapstructure:"namespaces"`
	Names      []string `mapstructure:"names"`
	// Reason is required: an exclusion nobody can explain is a finding waiting to happen.
	Reason string `mapstructure:"reason"`
	// Expires (YYYY-MM-DD) ends the exclusion; after it the findings count again.
	Expires string `mapstructure:"expires"`
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
