package baseline

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

func diag(rule, object, path string, line int) lint.Diagnostic {
	return lint.Diagnostic{RuleID: rule, Object: object, Path: path, Line: line, File: "a.yaml", Message: rule + " on " + object}
}

func TestRoundTripAndApply(t *testing.T) {
	recorded := []lint.Diagnostic{
		diag("privileged-container", "Deployment apps/web", "spec.template.spec.containers[0].securityContext.privileged", 10),
		diag("image-not-pinned", "Deployment apps/web", "spec.template.spec.containers[0].image", 12),
		diag("image-not-pinned", "Deployment apps/web", "spec.template.spec.containers[0].image", 30), // the same key twice
	}
	f := From(recorded)
	require.Len(t, f.Findings, 2)
	assert.Equal(t, 2, f.Findings[0].Count, "sorted by key, the duplicate counted")
	assert.Equal(t, 0, f.Findings[1].Count)
	g, err := Parse("b.json", f.Marshal())
	require.NoError(t, err)
	assert.Equal(t, f, g)
	assert.Equal(t, string(f.Marshal()), string(From([]lint.Diagnostic{recorded[2], recorded[1], recorded[0]}).Marshal()), "byte-identical whatever the order")

	// Later: the lines moved, one image finding is fixed, a new object and
	// a new field of a known object appear, and the image finding is back
	// three times (the third is new).
	res := &lint.Result{Findings: []lint.Diagnostic{
		diag("privileged-container", "Deployment apps/web", "spec.template.spec.containers[0].securityContext.privileged", 99),
		diag("privileged-container", "Deployment apps/api", "spec.template.spec.containers[0].securityContext.privileged", 5),
		diag("privileged-container", "Deployment apps/web", "spec.template.spec.initContainers[0].securityContext.privileged", 7),
		diag("image-not-pinned", "Deployment apps/web", "spec.template.spec.containers[0].image", 1),
	}}
	fixed := f.Apply(res, "known")
	require.Len(t, res.Findings, 2)
	assert.Equal(t, "Deployment apps/api", res.Findings[0].Object)
	assert.Equal(t, "spec.template.spec.initContainers[0].securityContext.privileged", res.Findings[1].Path)
	require.Len(t, res.Suppressed, 2)
	for _, d := range res.Suppressed {
		assert.Equal(t, &lint.Suppression{Kind: SuppressionKind, Reason: "known"}, d.Suppression)
	}
	require.Len(t, fixed, 1)
	assert.Equal(t, "image-not-pinned", fixed[0].Rule)
}

func TestParseRefuses(t *testing.T) {
	for _, bad := range []string{
		`not json`,
		`{"version": "v0", "findings": []}`,
		`{"version": "platformctl.dev/lint-baseline/v1", "findings": [{"rule": "x"}]}`,
		`{"version": "platformctl.dev/lint-baseline/v1", "findings": [], "extra": 1}`,
		`{"version": "platformctl.dev/lint-baseline/v1", "findings": [{"rule": "x", "object": "y", "message": "", "count": -1}]}`,
	} {
		_, err := Parse("b.json", []byte(bad))
		assert.ErrorContains(t, err, "b.json: ", bad)
	}
}
