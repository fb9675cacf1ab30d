// Package kuberelease names the Kubernetes release whose published API
// facts the build-time generators read (the lint schema facts,
// pkg/lint/rules/hygiene/internal/genapischema, and the kubeconform
// side-by-side's schemas, test/kubeconform/schemas), and finds them in the
// module cache. go.mod keeps neither module: they are source data.
package kuberelease

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// The modules of one release: k8s.io/api v0.N is Kubernetes 1.N, the one
// go.mod links.
const (
	Kubernetes = "k8s.io/kubernetes@v1.37.2"
	API        = "k8s.io/api@v0.37.2"
)

// ModuleDir downloads mod (module@version) into the module cache, if it is
// not there, and returns its directory.
func ModuleDir(mod string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", mod)
	cmd.Dir = os.TempDir() // outside any module: the download does not touch a go.mod
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w", mod, err)
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(b, &m); err != nil || m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no directory", mod)
	}
	return m.Dir, nil
}

// Swagger returns the release's OpenAPI v2 document
// (api/openapi-spec/swagger.json).
func Swagger() ([]byte, error) {
	dir, err := ModuleDir(Kubernetes)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, "api", "openapi-spec", "swagger.json"))
}
