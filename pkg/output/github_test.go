package output

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/platformctl/platformctl/pkg/lint"
)

func TestGitHubCommands(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    lint.Diagnostic
		want string
	}{
		{
			name: "error",
			d:    diag(ruleHostNetwork, lint.Error, "deploy/web.yaml", 12, 7, "Deployment", "prod", "web", "", "pod uses the host network"),
			want: "::error file=deploy/web.yaml,line=12,col=7,title=host-network::pod uses the host network (Deployment prod/web)",
		},
		{
			name: "warning",
			d:    diag(ruleReplicas, lint.Warning, "deploy/web.yaml", 8, 3, "Deployment", "prod", "web", "", "replicas is 1"),
			want: "::warning file=deploy/web.yaml,line=8,col=3,title=min-replicas::replicas is 1 (Deployment prod/web)",
		},
		{
			name: "info is a notice",
			d:    diag(ruleLabels, lint.Info, "deploy/web.yaml", 4, 3, "Deployment", "prod", "web", "", "label missing"),
			want: "::notice file=deploy/web.yaml,line=4,col=3,title=required-labels::label missing (Deployment prod/web)",
		},
		{
			name: "escapes",
			d:    diag(ruleHostNetwork, lint.Error, oddFile, 5, 3, "DaemonSet", "kube-system", "agent", "", "hostNetwork: true\r\nshares 100% of ports, all"),
			want: "::error file=manifests/my app/a%3Ab%2Cc.yaml,line=5,col=3,title=host-network::hostNetwork: true%0D%0Ashares 100%25 of ports, all (DaemonSet kube-system/agent)",
		},
		{
			name: "already escaped text stays literal",
			d:    diag(ruleLabels, lint.Info, "x%2C.yaml", 1, 1, "ConfigMap", "", "c", "", "%0A is not a newline"),
			want: "::notice file=x%252C.yaml,line=1,col=1,title=required-labels::%250A is not a newline (ConfigMap c)",
		},
		{
			name: "stdin is unanchored",
			d:    diag(ruleReplicas, lint.Warning, "<stdin>", 7, 3, "StatefulSet", "db", "pg", "", "replicas is 1"),
			want: "::warning title=min-replicas::replicas is 1 (StatefulSet db/pg)",
		},
		{
			name: "no position",
			d:    diag(ruleReplicas, lint.Warning, "x.yaml", 0, 0, "StatefulSet", "db", "pg", "", "replicas is 1"),
			want: "::warning file=x.yaml,title=min-replicas::replicas is 1 (StatefulSet db/pg)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, githubCommand(tc.d))
		})
	}
}

// Every line the format writes is one workflow command (a newline in a
// message would end it early and print the rest as plain log), except the
// summary, and no suppressed finding appears.
func TestGitHubOutput(t *testing.T) {
	r := fixtureReport()
	lines := strings.Split(strings.TrimSuffix(string(render(t, GitHub, r)), "\n"), "\n")
	assert.Len(t, lines, len(r.Result.Findings)+1)
	for _, l := range lines[:len(lines)-1] {
		assert.Regexp(t, `^::(error|warning|notice) [^:]*::`, l)
	}
	assert.Equal(t, "9 objects, 6 rules: 2 errors, 3 warnings, 2 info; 3 ignored", lines[len(lines)-1])
	for _, d := range r.Result.Suppressed {
		assert.NotContains(t, lines, githubCommand(d), "suppressed findings are not annotated")
	}

	r.Quiet = true
	assert.Equal(t, len(r.Result.Findings), strings.Count(string(render(t, GitHub, r)), "\n"), "quiet drops the summary")
}
