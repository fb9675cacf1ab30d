package hygiene

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/platformctl/platformctl/pkg/kubeapi"
)

// TestEveryBuiltinKindHasASchema: every kind the release serves (its REST
// resources, pkg/kubeapi) at every version has a schema the rules check it
// against: a linked Go type (typedKinds, with enumerations) or the
// release's published definition (apidefs.json.gz).
func TestEveryBuiltinKindHasASchema(t *testing.T) {
	defs := builtinDefs()
	assert.Greater(t, len(defs.Kinds), 100)
	for key := range typedKindTypes() {
		assert.Contains(t, defs.Kinds, key, "typedKinds names a kind the release does not serve")
	}
	for _, kind := range []string{"Deployment", "StorageClass", "Lease", "EndpointSlice", "ValidatingAdmissionPolicy", "CSIDriver", "FlowSchema", "CustomResourceDefinition"} {
		res := kubeapi.ForKind(kind)
		if assert.NotEmpty(t, res, kind) {
			for _, r := range res {
				for _, v := range r.Versions {
					apiVersion := v
					if r.Group != "" {
						apiVersion = r.Group + "/" + v
					}
					_, typed := typedKindTypes()[apiVersion+" "+kind]
					sh, ok := builtinShape(apiVersion, kind)
					assert.True(t, typed || ok && sh.kind == shapeStruct, "%s %s has no schema", apiVersion, kind)
				}
			}
		}
	}
}
