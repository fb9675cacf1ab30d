package output

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

func decodeGitLab(t *testing.T, r *Report) []gitlabIssue {
	t.Helper()
	var issues []gitlabIssue
	require.NoError(t, json.Unmarshal(render(t, GitLab, r), &issues))
	return issues
}

// GitLab keeps only the first issue of each fingerprint and compares the
// branches' reports by fingerprint: they must be unique within a report
// and unchanged when a finding moves to another line.
func TestGitLabFingerprints(t *testing.T) {
	twin := diag(ruleReplicas, lint.Warning, "deploy/web.yaml", 8, 3, "Deployment", "prod", "web", "", "replicas is 1")
	r := emptyReport()
	r.Result.Findings = []lint.Diagnostic{twin, twin}
	first := decodeGitLab(t, r)
	require.Len(t, first, 2)
	assert.NotEqual(t, first[0].Fingerprint, first[1].Fingerprint, "two findings, two fingerprints")

	moved := twin
	moved.Line, moved.Column = 30, 9
	r.Result.Findings = []lint.Diagnostic{moved, moved}
	again := decodeGitLab(t, r)
	assert.Equal(t, []string{first[0].Fingerprint, first[1].Fingerprint}, []string{again[0].Fingerprint, again[1].Fingerprint},
		"a finding that moved lines is the same finding")

	other := twin
	other.Path = "spec.replicas"
	r.Result.Findings = []lint.Diagnostic{other}
	assert.NotEqual(t, first[0].Fingerprint, decodeGitLab(t, r)[0].Fingerprint, "another field is another finding")
}

func TestGitLabIssues(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    func() *Report
		want []gitlabIssue
	}{
		{
			name: "input errors are blockers, before findings",
			r: func() *Report {
				r := emptyReport()
				r.InputErrors = []*lint.InputError{{File: "bad.yaml", Line: 3, Col: 1, Msg: "object has no metadata.name"}}
				r.Result.Findings = []lint.Diagnostic{diag(ruleHostNetwork, lint.Error, "a.yaml", 2, 5, "Pod", "x", "p", "", "pod uses the host network")}
				return r
			},
			want: []gitlabIssue{
				{Description: "object has no metadata.name", CheckName: inputErrorTitle, Severity: "blocker",
					Location: gitlabLocation{Path: "bad.yaml", Positions: &gitlabPositions{Begin: gitlabPosition{Line: 3, Column: 1}}}},
				{Description: "pod uses the host network (Pod x/p)", CheckName: "host-network", Severity: "critical",
					Location: gitlabLocation{Path: "a.yaml", Positions: &gitlabPositions{Begin: gitlabPosition{Line: 2, Column: 5}}}},
			},
		},
		{
			name: "no position is line 1 of the file; info stays info",
			r: func() *Report {
				r := emptyReport()
				r.Result.Findings = []lint.Diagnostic{diag(ruleLabels, lint.Info, `deploy\web.yaml`, 0, 0, "Deployment", "prod", "web", "", "label missing")}
				return r
			},
			want: []gitlabIssue{{Description: "label missing (Deployment prod/web)", CheckName: "required-labels", Severity: "info",
				Location: gitlabLocation{Path: slashPath(`deploy\web.yaml`), Lines: &gitlabLines{Begin: 1}}}},
		},
		{
			name: "suppressed findings are left out",
			r: func() *Report {
				r := emptyReport()
				s := diag(ruleHostNetwork, lint.Error, "a.yaml", 2, 5, "Pod", "x", "p", "", "pod uses the host network")
				s.Suppression = &lint.Suppression{Kind: "annotation", Reason: "node agent"}
				r.Result.Suppressed = []lint.Diagnostic{s}
				return r
			},
			want: []gitlabIssue{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeGitLab(t, tc.r())
			for i := range got {
				assert.Len(t, got[i].Fingerprint, 32)
				got[i].Fingerprint = ""
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
