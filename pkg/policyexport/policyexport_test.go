package policyexport

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apiserver/pkg/cel/environment"
	"sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/lint/rules"
)

var now = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

var teamLabel = lint.CustomRule{
	ID: "team-label", Kinds: []string{"Deployment", "Event"}, Severity: "error", Message: "name the team",
	Expression: "has(object.metadata.labels) && 'team' in object.metadata.labels",
}

// export runs Export and splits its YAML into policies and bindings by name.
func export(t *testing.T, opts Options) (*Result, map[string]admissionv1.ValidatingAdmissionPolicy, map[string]admissionv1.ValidatingAdmissionPolicyBinding) {
	t.Helper()
	if opts.Rules == nil {
		opts.Rules = rules.All()
	}
	opts.Now = now
	res, err := Export(opts)
	require.NoError(t, err)
	policies := map[string]admissionv1.ValidatingAdmissionPolicy{}
	bindings := map[string]admissionv1.ValidatingAdmissionPolicyBinding{}
	for doc := range strings.SplitSeq(string(res.YAML), "---\n") {
		var kind struct{ Kind string }
		require.NoError(t, yaml.Unmarshal([]byte(doc), &kind))
		switch kind.Kind {
		case "ValidatingAdmissionPolicy":
			var p admissionv1.ValidatingAdmissionPolicy
			require.NoError(t, yaml.UnmarshalStrict([]byte(doc), &p))
			policies[p.Name] = p
		case "ValidatingAdmissionPolicyBinding":
			var b admissionv1.ValidatingAdmissionPolicyBinding
			require.NoError(t, yaml.UnmarshalStrict([]byte(doc), &b))
			bindings[b.Name] = b
		default:
			t.Fatalf("unexpected document:\n%s", doc)
		}
	}
	return res, policies, bindings
}

// TestEveryExpressionCompilesOnTheServer: every variable, validation and
// match condition exported compiles in the API server's own environment
// for admission policies (object, oldObject, request, params,
// namespaceObject, variables; k8s.io/apiserver, linked into this test
// only), for every release the policies may be exported for.
func TestEveryExpressionCompilesOnTheServer(t *testing.T) {
	for minor := 30; minor <= lint.NewestKubeMinor; minor++ {
		cfg := lint.Config{Custom: []lint.CustomRule{teamLabel}, Params: lint.Params{KubeVersion: "1." + strconv.Itoa(minor)}}
		_, policies, _ := export(t, Options{Config: cfg})
		set, err := environment.MustBaseEnvSet(version.MajorMinor(1, uint(minor))).Extend(environment.VersionedOptions{
			IntroducedVersion: version.MajorMinor(1, 0),
			EnvOptions: []cel.EnvOption{
				cel.Variable("object", cel.DynType), cel.Variable("oldObject", cel.DynType),
				cel.Variable("request", cel.DynType), cel.Variable("params", cel.DynType),
				cel.Variable("namespaceObject", cel.DynType),
				cel.Variable("variables", cel.MapType(cel.StringType, cel.DynType)),
			},
		})
		require.NoError(t, err)
		env, err := set.Env(environment.NewExpressions)
		require.NoError(t, err)
		compiles := func(where, expr string) {
			_, iss := env.Compile(expr)
			if iss != nil && iss.Err() != nil {
				t.Errorf("1.%d: %s: %s: %v", minor, where, expr, iss.Err())
			}
		}
		require.NotEmpty(t, policies)
		for name, p := range policies {
			for _, v := range p.Spec.Variables {
				compiles(name+" variable "+v.Name, v.Expression)
			}
			for _, v := range p.Spec.Validations {
				compiles(name+" validation", v.Expression)
			}
			for _, c := range p.Spec.MatchConditions {
				compiles(name+" match condition "+c.Name, c.Expression)
			}
		}
	}
}

func TestExport(t *testing.T) {
	cfg := lint.Config{
		Custom:   []lint.CustomRule{teamLabel},
		Disable:  []string{"host-port"},
		Severity: map[string]string{"host-ipc": "info"},
		Exclude: []lint.Exclusion{
			{Rules: []string{"team-label"}, Namespaces: []string{"legacy"}, Names: []string{"old"}, Reason: "r", Expires: "2027-01-31"},
			{Rules: []string{"team-label"}, Paths: []string{"vendor/*"}, Reason: "r"},
			{Rules: []string{"team-label"}, Kinds: []string{"Event"}, Reason: "expired", Expires: "2026-01-01"},
			{Rules: []string{"host-pid"}, Kinds: []string{"Pod"}, Reason: "another rule's"},
		},
	}
	res, policies, bindings := export(t, Options{Config: cfg, ExcludeNamespaces: DefaultExcludedNamespaces})
	assert.Contains(t, res.Rules, "team-label")
	assert.Contains(t, res.Rules, "privileged-container")
	assert.NotContains(t, res.Rules, "host-port", "disabled")
	assert.NotContains(t, res.Rules, "missing-pdb", "no CEL form")
	assert.Len(t, policies, len(res.Rules))
	assert.Len(t, bindings, len(res.Rules))
	assert.Equal(t, []string{
		"rule team-label: exclude[0] expires 2027-01-31: admission cannot tell the date; export the policies again after it",
		"rule team-label: exclude[1] selects files (paths), which admission does not see: not exported, so admission judges what it excludes",
	}, res.Warnings)

	p := policies["platformctl-team-label"]
	require.NotNil(t, p.Spec.MatchConstraints)
	assert.Equal(t, admissionv1.Fail, *p.Spec.FailurePolicy)
	var groups []string
	for _, r := range p.Spec.MatchConstraints.ResourceRules {
		groups = append(groups, r.APIGroups[0]+"/"+strings.Join(r.Resources, ","))
		assert.Equal(t, []admissionv1.OperationType{admissionv1.Create, admissionv1.Update}, r.Operations)
	}
	assert.Equal(t, []string{"/events", "apps/deployments", "events.k8s.io/events"}, groups, "every group that serves the kinds")
	require.Len(t, p.Spec.MatchConditions, 2, "the ignore annotation and the one live exclusion admission sees")
	assert.Equal(t, "not-ignored", p.Spec.MatchConditions[0].Name)
	assert.Contains(t, p.Spec.MatchConditions[0].Expression, "'ignore.platformctl.dev/team-label'")
	assert.Equal(t, admissionv1.MatchCondition{Name: "not-excluded-0", Expression: "!(request.namespace in ['legacy'] && object.metadata.?name.orValue('') in ['old'])"}, p.Spec.MatchConditions[1])
	assert.Equal(t, "name the team (platformctl rule team-label)", p.Spec.Validations[0].Message)

	assert.Equal(t, []admissionv1.ValidationAction{admissionv1.Deny}, bindings["platformctl-team-label"].Spec.ValidationActions)
	assert.Equal(t, []admissionv1.ValidationAction{admissionv1.Warn, admissionv1.Audit}, bindings["platformctl-allow-privilege-escalation"].Spec.ValidationActions)
	assert.Equal(t, []admissionv1.ValidationAction{admissionv1.Audit}, bindings["platformctl-host-ipc"].Spec.ValidationActions, "severity from the config")
	sel := bindings["platformctl-team-label"].Spec.MatchResources.NamespaceSelector.MatchExpressions
	assert.Equal(t, []string{"kube-node-lease", "kube-public", "kube-system"}, sel[0].Values)
	assert.Len(t, policies["platformctl-host-pid"].Spec.MatchConditions, 2, "host-pid's own exclusion")

	again, err := Export(Options{Rules: rules.All(), Config: cfg, ExcludeNamespaces: DefaultExcludedNamespaces, Now: now})
	require.NoError(t, err)
	assert.Equal(t, string(res.YAML), string(again.YAML), "deterministic")
	assert.NotContains(t, string(res.YAML), "creationTimestamp")

	_, _, warned := export(t, Options{Config: lint.Config{}, Action: "warn"})
	for name, b := range warned {
		assert.Equal(t, []admissionv1.ValidationAction{admissionv1.Warn}, b.Spec.ValidationActions, name)
		assert.Nil(t, b.Spec.MatchResources, "no namespaces excluded")
	}
}

func TestExportRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{name: "a release without ValidatingAdmissionPolicy v1", opts: Options{Config: lint.Config{Params: lint.Params{KubeVersion: "1.29"}}},
			want: "--kube-version 1.29: ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) is served from 1.30 on"},
		{name: "a kind the API server does not serve itself", opts: Options{Config: lint.Config{Custom: []lint.CustomRule{{ID: "r", Kinds: []string{"Rollout"}, Message: "m", Expression: "true"}}}},
			want: "rule r: kind Rollout is not a built-in kind of Kubernetes (policies export matches the kinds the API server serves itself)"},
		{name: "an unknown action", opts: Options{Action: "block"}, want: `action "block": one of severity, deny, warn, audit`},
		{name: "a custom rule that does not compile", opts: Options{Config: lint.Config{Custom: []lint.CustomRule{{ID: "r", Kinds: []string{"Pod"}, Message: "m", Expression: "object.x ="}}}},
			want: "lint config: custom[0] (r): expression: 1:10: Syntax error: token recognition error at: '='"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Rules = rules.All()
			_, err := Export(tc.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
