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

// Release is one older Kubernetes minor release's modules.
type Release struct {
	Minor           int
	Kubernetes, API string
}

// Older are the releases before Kubernetes/API that lint --kube-version
// targets (1.27 on, lint.OldestKubeMinor): the generators compare their
// published API with the newest one to know which fields and enumeration
// values each release lacks. One patch release of each minor: fields and
// values change between minors, not patches.
var Older = []Release{
	{27, "k8s.io/kubernetes@v1.27.16", "k8s.io/api@v0.27.16"},
	{28, "k8s.io/kubernetes@v1.28.15", "k8s.io/api@v0.28.15"},
	{29, "k8s.io/kubernetes@v1.29.6", "k8s.io/api@v0.29.6"},
	{30, "k8s.io/kubernetes@v1.30.14", "k8s.io/api@v0.30.14"},
	{31, "k8s.io/kubernetes@v1.31.14", "k8s.io/api@v0.31.14"},
	{32, "k8s.io/kubernetes@v1.32.13", "k8s.io/api@v0.32.13"},
	{33, "k8s.io/kubernetes@v1.33.13", "k8s.io/api@v0.33.13"},
	{34, "k8s.io/kubernetes@v1.34.4", "k8s.io/api@v0.34.4"},
	{35, "k8s.io/kubernetes@v1.35.4", "k8s.io/api@v0.35.4"},
	{36, "k8s.io/kubernetes@v1.36.3", "k8s.io/api@v0.36.3"},
}

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
func Swagger() ([]byte, error) { return SwaggerOf(Kubernetes) }

// SwaggerOf returns the OpenAPI v2 document of a k8s.io/kubernetes module
// version.
func SwaggerOf(kubernetes string) ([]byte, error) {
	dir, err := ModuleDir(kubernetes)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, "api", "openapi-spec", "swagger.json"))
}
