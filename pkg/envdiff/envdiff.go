// Package envdiff compares what platformctl builds: two environments of one
// spec, or one environment of a spec at two git revisions.
package envdiff

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/semdiff"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Side is one built environment.
type Side struct {
	Label    string
	Platform *spec.Platform // nil: the environment does not exist on this side
	Env      string
}

// Compare builds both sides and diffs them object by object.
func Compare(from, to Side) (*semdiff.Report, error) {
	a, err := input(from)
	if err != nil {
		return nil, err
	}
	b, err := input(to)
	if err != nil {
		return nil, err
	}
	return semdiff.Compare(a, b)
}

func input(s Side) (semdiff.Input, error) {
	in := semdiff.Input{Label: s.Label}
	if s.Platform == nil {
		return in, nil
	}
	env := s.Platform.Environment(s.Env)
	if env == nil {
		return in, nil
	}
	y, err := render.Build(s.Platform, s.Env)
	if err != nil {
		return in, fmt.Errorf("%s: %w", s.Label, err)
	}
	in.YAML = y
	// Names that carry the environment (namespace isolation's dev-apps,
	// the PriorityClass shop-dev-apps, the Argo CD Application shop-dev)
	// lose it, so two environments' objects are matched as one object that
	// changed, not one removed and one added.
	// A migration Job's name ends in a hash of its pod template, which
	// differs between environments and versions, and a config ConfigMap's
	// in a hash of its files: both are matched without, so a change of
	// content is the same object changed, shown key by key.
	in.Canon = func(name string) string {
		return generate.WithoutConfigHash(generate.WithoutMigrationHash(withoutEnv(name, s.Env)))
	}
	return in, nil
}

// withoutEnv drops env from name where it stands as a whole dash-separated
// word: dev-apps → apps, shop-dev-apps → shop-apps, shop-dev → shop.
func withoutEnv(name, env string) string {
	switch {
	case strings.HasPrefix(name, env+"-"):
		return name[len(env)+1:]
	case strings.Contains(name, "-"+env+"-"):
		return strings.Replace(name, "-"+env+"-", "-", 1)
	case strings.HasSuffix(name, "-"+env):
		return strings.TrimSuffix(name, "-"+env)
	}
	return name
}

// ErrNoRevision says the spec file is not in git at the revision asked for.
var ErrNoRevision = errors.New("not found at that revision")

// AtRevision reads specPath as git holds it at rev, without touching the
// working tree or the network: `git show REV:PATH` in the file's repository.
func AtRevision(specPath, rev string) ([]byte, error) {
	if strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("revision %q: a revision cannot start with '-'", rev)
	}
	dir := filepath.Dir(specPath)
	prefix, err := git(dir, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git repository: %w", specPath, err)
	}
	rel := strings.TrimSpace(string(prefix)) + filepath.ToSlash(filepath.Base(specPath))
	if _, err := git(dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("revision %q: no such commit in the repository of %s", rev, specPath)
	}
	out, err := git(dir, "show", rev+":"+rel)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", rel, rev, ErrNoRevision)
	}
	return out, nil
}

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	// Never ask for credentials or run a pager: diff runs in CI.
	cmd.Env = append(cmd.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}
