package rules_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
)

// yaml11Pod is a pod with one field left to fill in (%s): the test writes
// the same value in its canonical and its YAML 1.1 spellings.
const yaml11Pod = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: apps}
spec:
  %s
  containers:
  - name: c
    image: ghcr.io/acme/app:1.0.0@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    securityContext:
      %s
`

// findingsOf runs every rule and lists what fired where.
func findingsOf(t *testing.T, text string) []string {
	t.Helper()
	objs, err := lint.Decode("p.yaml", []byte(text))
	require.NoError(t, err, text)
	cfg := lint.Config{}
	for _, r := range rules.All() {
		if r.Disabled {
			cfg.Enable = append(cfg.Enable, r.ID)
		}
	}
	res, err := lint.Run(objs, rules.All(), lint.Options{Config: cfg, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	var out []string
	for _, d := range res.Findings {
		out = append(out, fmt.Sprintf("%d:%d %s %s", d.Line, d.Column, d.RuleID, d.Message))
	}
	sort.Strings(out)
	return out
}

// TestYAML11SpellingsFindTheSame: the API server reads privileged: yes as
// true and runAsUser: 0.0 as 0 (sigs.k8s.io/yaml, YAML 1.1), so every
// spelling of a value gets exactly the findings its canonical spelling
// gets, and the canonical spelling gets different findings from the
// opposite value (so the field matters to some rule).
func TestYAML11SpellingsFindTheSame(t *testing.T) {
	trueWords := []string{"yes", "Yes", "YES", "y", "Y", "on", "On", "ON", "True", "TRUE"}
	falseWords := []string{"no", "No", "NO", "n", "N", "off", "Off", "OFF", "False", "FALSE"}
	zeros := []string{"0.0", "-0", "+0", "0x0", "0o0", "00", "0b0", "0_0", "0e0", "0.", "-0.0"}
	tests := []struct {
		pod, container string // one is "%s: %s"-filled, the other left empty
		field          string
		canonical      string
		opposite       string
		spellings      []string
	}{
		{pod: "hostNetwork", canonical: "true", opposite: "false", spellings: trueWords},
		{pod: "hostPID", canonical: "true", opposite: "false", spellings: trueWords},
		{pod: "hostIPC", canonical: "true", opposite: "false", spellings: trueWords},
		{pod: "automountServiceAccountToken", canonical: "true", opposite: "false", spellings: trueWords},
		{pod: "automountServiceAccountToken", canonical: "false", opposite: "true", spellings: falseWords},
		{container: "privileged", canonical: "true", opposite: "false", spellings: trueWords},
		{container: "allowPrivilegeEscalation", canonical: "true", opposite: "false", spellings: trueWords},
		{container: "allowPrivilegeEscalation", canonical: "false", opposite: "true", spellings: falseWords},
		{container: "readOnlyRootFilesystem", canonical: "false", opposite: "true", spellings: falseWords},
		{container: "readOnlyRootFilesystem", canonical: "true", opposite: "false", spellings: trueWords},
		{container: "runAsNonRoot", canonical: "false", opposite: "true", spellings: falseWords},
		{container: "runAsUser", canonical: "0", opposite: "1000", spellings: zeros},
		{container: "runAsUser", canonical: "1000", opposite: "0", spellings: []string{"1000.0", "1e3", "1_000", "0x3E8", "01750", "+1000"}},
		{pod: "securityContext: {runAsUser: %s}", canonical: "0", opposite: "1000", spellings: zeros},
		{pod: "securityContext: {runAsNonRoot: %s}", canonical: "false", opposite: "true", spellings: falseWords},
		{pod: "securityContext: {windowsOptions: {hostProcess: %s}}", canonical: "true", opposite: "false", spellings: trueWords},
		{container: "capabilities: {drop: [ALL]}\n    ports: [{containerPort: 8080, hostPort: %s}]", canonical: "8080", opposite: "0", spellings: []string{"0x1F90", "017620", "8_080", "8080.0", "8.08e3"}},
		// privileged-port and ssh-port-exposed read containerPort as the API server does.
		{container: "capabilities: {drop: [ALL]}\n    ports: [{name: http, containerPort: %s}]", canonical: "80", opposite: "8080", spellings: []string{"0x50", "0120", "80.0", "8e1", "8_0"}},
		{container: "capabilities: {drop: [ALL]}\n    ports: [{name: ssh, containerPort: %s}]", canonical: "22", opposite: "2222", spellings: []string{"0x16", "026", "22.0", "2.2e1"}},
		// invalid-restart-policy: a pod's restartPolicy is a string; a boolean is not one of the values.
		{pod: "restartPolicy", canonical: "Never", opposite: "Always", spellings: []string{"'Never'", "\"Never\"", "!!str Never"}},
	}
	for _, tt := range tests {
		at := func(v string) string {
			fill := func(f string) string {
				if f == "" {
					return ""
				}
				if !strings.Contains(f, "%s") {
					f += ": %s"
				}
				return fmt.Sprintf(f, v)
			}
			return fmt.Sprintf(yaml11Pod, fill(tt.pod), fill(tt.container))
		}
		name := tt.pod + tt.container + "=" + tt.canonical
		t.Run(name, func(t *testing.T) {
			want := findingsOf(t, at(tt.canonical))
			require.NotEqual(t, want, findingsOf(t, at(tt.opposite)), "no rule tells %s from %s", tt.canonical, tt.opposite)
			for _, s := range tt.spellings {
				assert.Equal(t, want, findingsOf(t, at(s)), "spelled %s", s)
			}
		})
	}
}
