// Package releasebuild builds cmd/platformctl as .goreleaser.yaml builds the
// release: its env (CGO_ENABLED=0), flags, tags and -s -w. Tests and
// benchmarks that judge the binary (start-up, size, what the linker keeps)
// use it so they judge what users run, with the settings read from the one
// place that declares them.
package releasebuild

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// Build is one build of .goreleaser.yaml.
type Build struct {
	ID    string   `json:"id"`
	Main  string   `json:"main"`
	Env   []string `json:"env"`
	Flags []string `json:"flags"`
	Tags  []string `json:"tags"`
}

// Load reads the single build of root/.goreleaser.yaml.
func Load(root string) (Build, error) {
	b, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		return Build{}, fmt.Errorf("release build: %w", err)
	}
	var rel struct {
		Builds []Build `json:"builds"`
	}
	if err := yaml.Unmarshal(b, &rel); err != nil {
		return Build{}, fmt.Errorf("release build: .goreleaser.yaml: %w", err)
	}
	if len(rel.Builds) != 1 {
		return Build{}, fmt.Errorf("release build: .goreleaser.yaml has %d builds, want 1", len(rel.Builds))
	}
	return rel.Builds[0], nil
}

// Command returns `go build` of pkg (a package path or directory) into out,
// with the release's env, flags and tags, the linker flags ldflags (the
// release strips with -s -w; -dumpdep asks what the linker keeps) and its
// working directory root.
func (b Build) Command(root, pkg, out, ldflags string) *exec.Cmd {
	args := append([]string{"build", "-o", out, "-ldflags", ldflags}, b.Flags...)
	if len(b.Tags) > 0 {
		args = append(args, "-tags", strings.Join(b.Tags, ","))
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), b.Env...)
	return cmd
}
