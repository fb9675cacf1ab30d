package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/golden"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules/hygiene"
	"github.com/platformctl/platformctl/pkg/lint/rules/networking"
	"github.com/platformctl/platformctl/pkg/lint/rules/reliability"
	"github.com/platformctl/platformctl/pkg/lint/rules/security"
)

// TestFixtureFindings pins every finding each rule reports on its own
// fixtures, position and message included, in one golden per rule package
// (<package>/testdata/findings.golden): TestFixtures only checks that a
// fire fixture fires, not that it fires once, at the offending field, with
// a message naming the container and the value.
func TestFixtureFindings(t *testing.T) {
	for _, pkg := range []struct {
		dir   string
		rules []lint.Rule
	}{
		{"security", security.Rules()},
		{"reliability", reliability.Rules()},
		{"networking", networking.Rules()},
		{"hygiene", hygiene.Rules()},
	} {
		t.Run(pkg.dir, func(t *testing.T) {
			var b strings.Builder
			for _, r := range pkg.rules {
				files, err := filepath.Glob(filepath.Join(fixtures, r.ID, "*.yaml"))
				require.NoError(t, err)
				sort.Strings(files)
				cfg := lint.Config{Params: fixtureParams(t, r.ID)}
				if r.Disabled {
					cfg.Enable = []string{r.ID}
				}
				for _, f := range files {
					data, err := os.ReadFile(f)
					require.NoError(t, err)
					objs, err := lint.Decode(r.ID+"/"+filepath.Base(f), data)
					require.NoError(t, err)
					res, err := lint.Run(objs, pkg.rules, lint.Options{Config: cfg, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
					require.NoError(t, err)
					for _, d := range res.Findings {
						if d.RuleID == r.ID {
							fmt.Fprintf(&b, "%s:%d:%d: %s %s [%s]\n", d.File, d.Line, d.Column, d.Severity, d.Message, d.Path)
						}
					}
				}
			}
			golden.Assert(t, filepath.Join(pkg.dir, "testdata", "findings.golden"), b.String())
		})
	}
}
