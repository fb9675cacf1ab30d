package spec

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// ComponentFileLimit bounds the bytes read from one spec's components.
const ComponentFileLimit = 4 << 20

// Components returns the component directories env applies, the
// platform's first.
func (p *Platform) Components(env *Environment) []string {
	var out []string
	if k := p.Spec.Kustomize; k != nil {
		out = append(out, k.Components...)
	}
	if env != nil && env.Kustomize != nil {
		out = append(out, env.Kustomize.Components...)
	}
	return out
}

// componentKustomizations are the file names Kustomize looks for.
var componentKustomizations = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// Messages of the components rule, by index (see Rules).
const (
	msgCompBackslash = iota
	msgCompAbsolute
	msgCompOutside
	msgCompSpecDir
	msgCompMissing
	msgCompUnreadable
	msgCompFile
	msgCompNoKustomization
	msgCompWalk
	msgCompNotKustomization
	msgCompKind
	msgCompRemote
	msgCompRefOutside
	msgCompRefUnreadable
)

// componentMsgs are the components rule's messages, indexed by the msgComp
// constants.
var componentMsgs = []string{
	msgCompBackslash:        "%q uses backslashes; write it with / so it means the same on every system",
	msgCompAbsolute:         "%q is absolute; write it relative to platform.yaml's directory",
	msgCompOutside:          "%q is outside platform.yaml's directory; components must live next to the spec",
	msgCompSpecDir:          "is platform.yaml's own directory; put the component in a subdirectory",
	msgCompMissing:          "%q does not exist next to platform.yaml; create it with a kustomization.yaml of kind Component",
	msgCompUnreadable:       "%q cannot be read: %v (a symbolic link out of the spec's directory is refused)",
	msgCompFile:             "%q is a file; name the component's directory",
	msgCompNoKustomization:  "%q has no kustomization.yaml; a component is a directory with a kustomization.yaml of kind Component",
	msgCompWalk:             "%q: %v",
	msgCompNotKustomization: "%s is not a kustomization: %v",
	msgCompKind:             "%s has kind %q; the spec takes components (apiVersion: kustomize.config.k8s.io/v1alpha1, kind: Component), whose patches apply to the environment's objects",
	msgCompRemote:           "%s refers to %q, a remote resource: a build would fetch it from the network; copy it next to the spec",
	msgCompRefOutside:       "%s refers to %q, outside platform.yaml's directory",
	msgCompRefUnreadable:    "%s refers to %q, which cannot be read: %v",
}

// msgCompNoDir is Finish's refusal of a spec with components that was not
// read from a file.
const msgCompNoDir = "components are read from files next to the spec; read the spec from a file, not standard input or a git revision"

// compProblem is one message of componentMsgs with its arguments.
type compProblem struct {
	msg  int
	args []any
}

func problem(msg int, args ...any) *compProblem { return &compProblem{msg, args} }

// componentEntries lists the component entries of the spec with their paths.
func componentEntries(p *Platform) (paths, dirs []string) {
	if k := p.Spec.Kustomize; k != nil {
		for i, c := range k.Components {
			paths, dirs = append(paths, fmt.Sprintf("spec.kustomize.components[%d]", i)), append(dirs, c)
		}
	}
	for j := range p.Spec.Environments {
		if k := p.Spec.Environments[j].Kustomize; k != nil {
			for i, c := range k.Components {
				paths, dirs = append(paths, fmt.Sprintf("spec.environments[%d].kustomize.components[%d]", j, i)), append(dirs, c)
			}
		}
	}
	return paths, dirs
}

// checkComponents reads every component the spec names from the spec's
// directory into p.Files, reporting each problem at its entry. The
// directory is opened as an os.Root, so no path — ".." or a symbolic link —
// reads outside it. Without a directory (a spec validated on its own, as
// the documentation's examples are) there is nothing to read; Finish
// refuses such a spec for use.
func checkComponents(c *checkContext, report reportFunc) {
	paths, dirs := componentEntries(c.p)
	if len(paths) == 0 || c.dir == "" {
		return
	}
	root, err := os.OpenRoot(c.dir)
	if err != nil {
		report(paths[0], msgCompUnreadable, ".", cleanErr(err))
		return
	}
	defer func() { _ = root.Close() }() // read-only
	files := map[string][]byte{}
	total := 0
	bad := false
	for i, d := range dirs {
		rel, pr := cleanRelative(d)
		if rel == "" && pr == nil {
			bad = true
			continue
		}
		if pr == nil {
			pr = readComponent(root.FS(), rel, files, &total)
		}
		if pr != nil {
			report(paths[i], pr.msg, pr.args...)
			bad = true
		}
	}
	if !bad {
		c.p.Files = files
	}
}

// cleanRelative checks a path written in the spec: relative, slash
// separated, inside the spec's directory.
func cleanRelative(p string) (string, *compProblem) {
	switch {
	case p == "":
		return "", nil // the field rule (required) reports it
	case strings.Contains(p, `\`):
		return "", problem(msgCompBackslash, p)
	case path.IsAbs(p) || filepath.IsAbs(p):
		return "", problem(msgCompAbsolute, p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", problem(msgCompOutside, p)
	}
	if c == "." {
		return "", problem(msgCompSpecDir)
	}
	return c, nil
}

// readComponent reads one component directory (and what it references)
// into files; it returns the problem for the spec entry, or nil.
func readComponent(fsys fs.FS, dir string, files map[string][]byte, total *int) *compProblem {
	st, err := fs.Stat(fsys, dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return problem(msgCompMissing, dir)
	case err != nil:
		return problem(msgCompUnreadable, dir, cleanErr(err))
	case !st.IsDir():
		return problem(msgCompFile, dir)
	}
	var kfile string
	for _, n := range componentKustomizations {
		if _, err := fs.Stat(fsys, path.Join(dir, n)); err == nil {
			kfile = path.Join(dir, n)
			break
		}
	}
	if kfile == "" {
		return problem(msgCompNoKustomization, dir)
	}
	err = fs.WalkDir(fsys, dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			return nil
		}
		if !e.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file (a symbolic link is not followed)", p)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if _, seen := files[p]; !seen {
			*total += len(b)
		}
		if *total > ComponentFileLimit {
			return fmt.Errorf("the components hold more than %d MiB; they are patches and a few resources", ComponentFileLimit>>20)
		}
		files[p] = b
		return nil
	})
	if err != nil {
		return problem(msgCompWalk, dir, cleanErr(err))
	}
	var k struct {
		APIVersion            string `json:"apiVersion"`
		Kind                  string `json:"kind"`
		Resources             []string
		Components            []string
		Crds                  []string
		PatchesStrategicMerge []string `json:"patchesStrategicMerge"`
		Patches               []struct {
			Path string `json:"path"`
		}
		PatchesJSON6902 []struct {
			Path string `json:"path"`
		} `json:"patchesJson6902"`
	}
	if err := yaml.Unmarshal(files[kfile], &k); err != nil {
		return problem(msgCompNotKustomization, kfile, err)
	}
	if k.Kind != "Component" {
		return problem(msgCompKind, kfile, k.Kind)
	}
	refs := append(append(append([]string{}, k.Resources...), k.Components...), k.Crds...)
	refs = append(refs, k.PatchesStrategicMerge...)
	for _, p := range k.Patches {
		refs = append(refs, p.Path)
	}
	for _, p := range k.PatchesJSON6902 {
		refs = append(refs, p.Path)
	}
	for _, r := range refs {
		if r == "" || strings.Contains(r, "\n") {
			continue // an inline patch
		}
		if strings.Contains(r, "://") || strings.HasPrefix(r, "git@") || strings.HasPrefix(r, "github.com/") {
			return problem(msgCompRemote, kfile, r)
		}
		target := path.Clean(path.Join(dir, r))
		if target == ".." || strings.HasPrefix(target, "../") || path.IsAbs(r) {
			return problem(msgCompRefOutside, kfile, r)
		}
		if _, read := files[target]; read {
			continue
		}
		st, err := fs.Stat(fsys, target)
		if err != nil {
			return problem(msgCompRefUnreadable, kfile, r, cleanErr(err))
		}
		if strings.HasPrefix(target+"/", dir+"/") {
			continue // a directory of the component, already read
		}
		// A reference to elsewhere under the spec's directory (a shared
		// patch, another component): read it too.
		if st.IsDir() {
			if pr := readComponent(fsys, target, files, total); pr != nil && pr.msg != msgCompKind {
				return pr
			}
			continue
		}
		b, err := fs.ReadFile(fsys, target)
		if err != nil {
			return problem(msgCompRefUnreadable, kfile, r, cleanErr(err))
		}
		*total += len(b)
		files[target] = b
	}
	return nil
}

// cleanErr drops the path os.Root's errors repeat.
func cleanErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
