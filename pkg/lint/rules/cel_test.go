package rules_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/celexpr"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
)

// TestCELAgreesWithTheCheck: a built-in rule's CEL (what `policies
// export` hands the API server) and its Go check (what lint runs) judge
// every object of the rule's fire/dont-fire fixtures alike, so CI and
// admission enforce the same rule.
func TestCELAgreesWithTheCheck(t *testing.T) {
	env, err := celexpr.NewEnv(lint.NewestKubeMinor)
	require.NoError(t, err)
	withCEL := 0
	for _, r := range rules.All() {
		if r.CEL == nil {
			continue
		}
		withCEL++
		t.Run(r.ID, func(t *testing.T) {
			prg, err := r.CEL.Compile(env)
			require.NoError(t, err)
			files, err := filepath.Glob(filepath.Join(fixtures, r.ID, "*.yaml"))
			require.NoError(t, err)
			require.NotEmpty(t, files)
			cfg := lint.Config{Params: fixtureParams(t, r.ID)}
			if r.Disabled {
				cfg.Enable = []string{r.ID}
			}
			judged := 0
			for _, f := range files {
				data, err := os.ReadFile(f)
				require.NoError(t, err)
				objs, err := lint.Decode(filepath.Base(f), data)
				require.NoError(t, err)
				res, err := lint.Run(objs, []lint.Rule{r}, lint.Options{Config: cfg, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
				require.NoError(t, err)
				for _, o := range objs {
					fires := slices.ContainsFunc(res.Findings, func(d lint.Diagnostic) bool {
						return d.Kind == o.Kind && d.Name == o.Name && d.Namespace == o.Namespace
					})
					if !slices.Contains(r.CEL.Kinds, o.Kind) {
						// A policy matches the kinds it names; the pods a
						// custom resource's controller creates (an Argo
						// Rollout's) are judged as Pods when they are.
						continue
					}
					judged++
					ok, failed, err := prg.Eval(lint.NodeValue(o.Root))
					require.NoError(t, err, "%s: %s %s (variable %q)", f, o.Kind, o.Name, failed)
					assert.Equal(t, fires, !ok, "%s: %s %s: the check fires: %t, CEL refuses: %t", filepath.Base(f), o.Kind, o.Name, fires, !ok)
				}
			}
			assert.Positive(t, judged, "no fixture of the rule is of a kind its CEL names")
		})
	}
	assert.GreaterOrEqual(t, withCEL, 10)
}

// TestPoliciesDocListsTheCELRules keeps docs/policies.md's list of the
// built-in rules with a CEL form the list rules.All() has.
func TestPoliciesDocListsTheCELRules(t *testing.T) {
	data, err := os.ReadFile("../../../docs/policies.md")
	require.NoError(t, err)
	doc := string(data)
	start := strings.Index(doc, "The built-in rules\nwith a CEL form")
	end := strings.Index(doc, "The others have none")
	require.True(t, start >= 0 && end > start, "docs/policies.md no longer lists the built-in rules with a CEL form")
	var listed, want []string
	for _, m := range regexp.MustCompile("`([a-z0-9-]+)`").FindAllStringSubmatch(doc[start:end], -1) {
		listed = append(listed, m[1])
	}
	for _, r := range rules.All() {
		if r.CEL != nil {
			want = append(want, r.ID)
		}
	}
	slices.Sort(listed)
	assert.Equal(t, want, listed)
}
