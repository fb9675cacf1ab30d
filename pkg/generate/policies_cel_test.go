package generate_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admissionregistration/v1"

	"github.com/platformctl/platformctl/pkg/imageref"
)

// The admission policy's registry check and pkg/imageref (validate, lint)
// must agree on every image: evaluated here with cel-go and the strings
// extension the API server's CEL has; the e2e tier proves the server
// compiles and enforces the same policy.
func TestAdmissionRegistriesAgreeWithImageref(t *testing.T) {
	p := load(t, "../../examples/shop/platform.yaml")
	allowed := p.Spec.Security.AllowedRegistries
	require.NotEmpty(t, allowed)
	var vap *admissionv1.ValidatingAdmissionPolicy
	for _, o := range byID(t, p, "production") {
		if v, ok := o.Obj.(*admissionv1.ValidatingAdmissionPolicy); ok {
			vap = v
		}
	}
	require.NotNil(t, vap, "examples/shop renders the admission policy")
	var check string
	for _, v := range vap.Spec.Validations {
		if strings.Contains(v.Message, "untrusted-registry") {
			check = v.Expression
		}
	}
	require.NotEmpty(t, check)

	env, err := cel.NewEnv(
		cel.Variable("object", cel.DynType),
		cel.Variable("variables", cel.MapType(cel.StringType, cel.DynType)),
		ext.Strings(),
	)
	require.NoError(t, err)
	compile := func(expr string) cel.Program {
		ast, iss := env.Compile(expr)
		require.NoError(t, iss.Err(), expr)
		prg, err := env.Program(ast)
		require.NoError(t, err)
		return prg
	}
	eval := func(prg cel.Program, object any, vars map[string]any) any {
		out, _, err := prg.Eval(map[string]any{"object": object, "variables": vars})
		require.NoError(t, err)
		v, err := out.ConvertToNative(anyType)
		require.NoError(t, err)
		return v
	}
	vars := map[string]cel.Program{}
	for _, v := range vap.Spec.Variables {
		vars[v.Name] = compile(v.Expression)
	}
	validation := compile(check)

	images := []string{
		"nginx", "nginx:1.27", "library/nginx", "acme/app:1", "docker.io/library/nginx", "DOCKER.IO/acme/app",
		"index.docker.io/nginx", "registry-1.docker.io/acme/app", "registry.hub.docker.com/x/y",
		"ghcr.io/acme/web:1.0.0@sha256:0123", "GHCR.io/acme/web", "ghcr.io:443/acme/web", "quay.io/prometheus/node-exporter",
		"localhost/app", "localhost:5000/app", "evil.example/ghcr.io/acme/web", "ghcr.io.evil.example/acme/web",
		"registry.example.com:5000/team/app", "gcr.io/distroless/static", "ghcr.io",
	}
	sawBoth := map[bool]bool{}
	for _, img := range images {
		object := map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": img}}}}
		vs := map[string]any{}
		vs["containers"] = eval(vars["containers"], object, vs)
		vs["registries"] = eval(vars["registries"], object, vs)
		got := eval(validation, object, vs)
		want := imageref.Allowed(imageref.Parse(img), allowed)
		sawBoth[want] = true
		assert.Equal(t, want, got, "%s (registry %v) with allowedRegistries %v", img, vs["registries"], allowed)
	}
	assert.True(t, sawBoth[true] && sawBoth[false], "the table has allowed and refused images")
}

// anyType converts CEL values to plain Go ones ([]any, bool, string).
var anyType = reflect.TypeFor[any]()
