package rules_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
)

var idRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

const fixtures = "../../../testdata/lint"

// engineOnly are rules the engine reports itself; their fixtures are
// exercised by the engine's own tests and also here.
func TestCatalogMetadata(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rules.All() {
		t.Run(r.ID, func(t *testing.T) {
			assert.Regexp(t, idRE, r.ID, "IDs are kebab-case")
			assert.False(t, seen[r.ID], "duplicate ID")
			seen[r.ID] = true
			assert.NotEmpty(t, r.Title)
			assert.NotEmpty(t, r.Description)
			assert.NotEmpty(t, r.Remediation)
			assert.Contains(t, []lint.Category{lint.CategorySecurity, lint.CategoryReliability, lint.CategoryNetworking, lint.CategoryHygiene}, r.Category)
			assert.Contains(t, []lint.Severity{lint.Info, lint.Warning, lint.Error}, r.Severity)
			if r.ID != lint.RuleIgnoreWithoutReason && r.ID != lint.RuleIgnoreUnknownRule {
				assert.True(t, (r.Check == nil) != (r.CheckSet == nil), "exactly one of Check and CheckSet")
			}
			if r.Category == lint.CategorySecurity {
				assert.NotEmpty(t, r.References, "security rules cite the standard they implement")
			}
		})
	}
}

// TestFixtures runs every rule on its fixtures: testdata/lint/<id>/fire-*.yaml
// must produce at least one finding of the rule, dont-fire-*.yaml none. A
// rule without both kinds of fixture fails.
func TestFixtures(t *testing.T) {
	all := rules.All()
	cfg := lint.Config{}
	for _, r := range all {
		if r.Disabled {
			cfg.Enable = append(cfg.Enable, r.ID)
		}
	}
	for _, r := range all {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join(fixtures, r.ID)
			cfg := cfg
			cfg.Params = fixtureParams(t, r.ID)
			fire, _ := filepath.Glob(filepath.Join(dir, "fire-*.yaml"))
			dont, _ := filepath.Glob(filepath.Join(dir, "dont-fire-*.yaml"))
			require.NotEmpty(t, fire, "rule has no fire-*.yaml fixture in %s", dir)
			require.NotEmpty(t, dont, "rule has no dont-fire-*.yaml fixture in %s", dir)
			for _, f := range append(fire, dont...) {
				data, err := os.ReadFile(f)
				require.NoError(t, err)
				objs, err := lint.Decode(filepath.Base(f), data)
				require.NoError(t, err, f)
				res, err := lint.Run(objs, all, lint.Options{Config: cfg, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
				require.NoError(t, err)
				var mine []string
				for _, d := range res.Findings {
					if d.RuleID == r.ID {
						mine = append(mine, d.String())
						assert.Positive(t, d.Line)
						assert.Positive(t, d.Column)
					}
				}
				if strings.HasPrefix(filepath.Base(f), "fire-") {
					assert.NotEmpty(t, mine, "%s: expected %s to fire", f, r.ID)
				} else {
					assert.Empty(t, mine, "%s: expected %s not to fire", f, r.ID)
				}
			}
		})
	}
}

// fixtureParams reads testdata/lint/<id>/params.json, the lint.params a
// rule's fixtures run with (for rules that do nothing without one), or
// returns the zero Params (the defaults).
func fixtureParams(t *testing.T, id string) lint.Params {
	var p lint.Params
	data, err := os.ReadFile(filepath.Join(fixtures, id, "params.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return p
	}
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &p))
	return p
}

// TestNoOrphanFixtures catches fixtures of renamed or removed rules.
func TestNoOrphanFixtures(t *testing.T) {
	entries, err := os.ReadDir(fixtures)
	require.NoError(t, err)
	ids := map[string]bool{}
	for _, r := range rules.All() {
		ids[r.ID] = true
	}
	var orphans []string
	for _, e := range entries {
		if e.IsDir() && !ids[e.Name()] {
			orphans = append(orphans, e.Name())
		}
	}
	sort.Strings(orphans)
	assert.Empty(t, orphans, "fixture directories without a rule")
}
