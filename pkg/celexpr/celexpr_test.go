package celexpr

import (
	"fmt"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apiserver/pkg/cel/environment"
)

// probes use every part of the environment: standard CEL, each extension
// and its release, and Kubernetes' own functions (which are not here).
var probes = []string{
	"object.kind == 'Pod'",
	"has(object.spec) && object.spec.containers.all(c, c.image.contains(':'))",
	"object.metadata.name.matches('^[a-z]+$')",
	"object.?spec.?replicas.orValue(1) >= 2",         // optional types, 1.28
	"1 < 2.5",                                        // cross-type numeric comparison, 1.28
	"'a,b'.split(',').size() == 2",                   // strings v0
	"'abc'.reverse() == 'cba'",                       // strings v2, 1.29
	"sets.contains([1, 2], [1])",                     // sets, 1.29
	"{'a': 1}.all(k, v, v > 0)",                      // two-variable comprehensions, 1.32
	"[2, 1].sort() == [1, 2]",                        // lists v3, 1.34
	"[1, 2].distinct().size() == 2",                  // lists v3, 1.34
	"quantity('1Gi').isGreaterThan(quantity('1Mi'))", // Kubernetes' library: not here
	"url('https://a.b').getHost() == 'a.b'",          // Kubernetes' library: not here
	"[1, 2].isSorted()",                              // Kubernetes' library: not here
	"duration('1h') > duration('1m')",                // standard
	"timestamp('2026-01-01T00:00:00Z') < timestamp('2027-01-01T00:00:00Z')",
}

// TestNothingCompilesHereThatTheServerRefuses: for every release a
// ValidatingAdmissionPolicy is served in (1.30 on), an expression that
// compiles here compiles in the API server's own environment (the
// k8s.io/apiserver module, linked into this test only), and one that the
// server refuses is refused here: the environments agree but for
// Kubernetes' function libraries, which are left out on purpose.
func TestNothingCompilesHereThatTheServerRefuses(t *testing.T) {
	for minor := 30; minor <= 37; minor++ {
		env, err := NewEnv(minor)
		require.NoError(t, err)
		server, err := environment.MustBaseEnvSet(version.MajorMinor(1, uint(minor))).Extend(environment.VersionedOptions{
			IntroducedVersion: version.MajorMinor(1, 0),
			EnvOptions: []cel.EnvOption{
				cel.Variable(Variable, cel.DynType),
				cel.Variable(Variables, cel.MapType(cel.StringType, cel.DynType)),
			},
		})
		require.NoError(t, err)
		senv, err := server.Env(environment.NewExpressions)
		require.NoError(t, err)
		for _, p := range probes {
			_, problem := env.Compile(p, true)
			_, iss := senv.Compile(p)
			serverOK := iss == nil || iss.Err() == nil
			if problem == nil {
				assert.True(t, serverOK, "1.%d: %s compiles here, not on the server: %v", minor, p, iss.Err())
			} else if serverOK {
				assert.Contains(t, problem.Msg, "Kubernetes' own CEL library", "1.%d: %s compiles on the server, not here: %s", minor, p, problem)
			}
		}
	}
}

func TestCompile(t *testing.T) {
	env, err := NewEnv(37)
	require.NoError(t, err)
	for _, tc := range []struct {
		expr       string
		validation bool
		want       string
	}{
		{expr: "object.kind == 'Pod'", validation: true},
		{expr: "object.kind", validation: true},  // dyn: may be a bool
		{expr: "object.kind", validation: false}, // a variable gives anything
		{expr: "'x'", validation: true, want: "1:1: the expression gives string; a validation must give a bool (true: the object passes)"},
		{expr: "  ", validation: true, want: "1:1: empty expression"},
		{expr: "object.kind ==\n  'Pod' &&\n  request.x", validation: true, want: "3:3: undeclared reference to 'request' (in container '') (lint rules see `object` only: a manifest has no request, old object, params or namespace)"},
		{expr: "object.spec.containers.all(c, c.image.endsWith(1))", validation: true, want: "1:47: found no matching overload for 'endsWith' applied to 'dyn.(int)'"},
		{expr: "object.metadata.name.matches('[')", validation: true, want: "1:30: invalid matches argument"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			_, p := env.Compile(tc.expr, tc.validation)
			if tc.want == "" {
				assert.Nil(t, p)
				return
			}
			require.NotNil(t, p)
			assert.Equal(t, tc.want, p.Error())
		})
	}
}

func TestEval(t *testing.T) {
	env, err := NewEnv(37)
	require.NoError(t, err)
	pod := map[string]any{
		"kind": "Pod",
		"spec": map[string]any{"containers": []any{
			map[string]any{"name": "a", "image": "nginx:1", "ports": []any{map[string]any{"containerPort": int64(80)}}},
		}},
	}
	for _, tc := range []struct {
		expr string
		want bool
		err  string
	}{
		{expr: "object.spec.containers.all(c, c.image.contains(':'))", want: true},
		{expr: "object.spec.containers.exists(c, c.ports.exists(p, p.containerPort < 1024))", want: true},
		{expr: "object.spec.containers[0].ports[0].containerPort == 80.0", want: true}, // cross-type numbers
		{expr: "object.spec.hostNetwork", err: "no such key: hostNetwork"},
		{expr: "object.spec.containers[0].name", err: "the expression did not give a bool: it gave string"},
		{expr: "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(a, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(b, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(c, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(d, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(e, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(f, a + b + c + d + e + f > 0))))))",
			err: "operation cancelled: actual cost limit exceeded"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			prg, p := env.Compile(tc.expr, true)
			require.Nil(t, p, fmt.Sprint(p))
			got, err := prg.Eval(pod, nil)
			if tc.err != "" {
				require.Error(t, err)
				assert.Equal(t, tc.err, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
