package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/kustomize"
	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/spec"
)

// The spec's components (spec.kustomize) are the team's own Kustomize: what
// they do is whatever Kustomize does with them, so an environment that has
// any is built by Kustomize itself (krusty, in memory), over the rendered
// tree and the component files read with the spec — the same inputs
// `kustomize build overlays/<env>` reads on disk, so the bytes agree by
// construction.

// Annotations Kustomize's buildMetadata adds, read and then removed.
const (
	originAnnotation          = "config.kubernetes.io/origin"
	transformationsAnnotation = "alpha.config.kubernetes.io/transformations"
)

// buildRoot is where the in-memory build puts the spec's directory; the
// tree goes in its out/ (Options{} layout).
const buildRoot = "/spec"

func componentFS(p *spec.Platform, env *spec.Environment, metadata bool) (filesys.FileSystem, string, error) {
	tree, err := Render(p)
	if err != nil {
		return nil, "", err
	}
	fs := filesys.MakeFsInMemory()
	for f, b := range p.Files {
		if err := fs.WriteFile(path.Join(buildRoot, f), b); err != nil {
			return nil, "", err
		}
	}
	dir := path.Join(buildRoot, "out", "overlays", env.Name)
	for f, b := range tree {
		if metadata && f == path.Join("overlays", env.Name, "kustomization.yaml") {
			b = append(append([]byte(nil), b...), "buildMetadata:\n- originAnnotations\n- transformerAnnotations\n"...)
		}
		if err := fs.WriteFile(path.Join(buildRoot, "out", f), b); err != nil {
			return nil, "", err
		}
	}
	return fs, dir, nil
}

func buildComponents(p *spec.Platform, env *spec.Environment) ([]byte, error) {
	fs, dir, err := componentFS(p, env, false)
	if err != nil {
		return nil, err
	}
	out, err := kustomize.Build(fs, dir)
	if err != nil {
		return nil, componentError(env, err)
	}
	return out, nil
}

func componentError(env *spec.Environment, err error) error {
	msg := strings.ReplaceAll(err.Error(), buildRoot+"/out/overlays/"+env.Name+"/../../../", "")
	msg = strings.ReplaceAll(msg, buildRoot+"/", "")
	return fmt.Errorf("environment %s: applying the spec's components: %s", env.Name, msg)
}

// withComponents replaces gen (the environment's generated objects) by the
// build with its components, keeping each generated object's source and
// recording where the rest came from and which component patches touched
// what.
func withComponents(p *spec.Platform, env *spec.Environment, gen []Object) ([]Object, error) {
	fs, dir, err := componentFS(p, env, true)
	if err != nil {
		return nil, err
	}
	m, err := kustomize.Run(fs, dir)
	if err != nil {
		return nil, componentError(env, err)
	}
	byID := make(map[string]Object, len(gen))
	for _, o := range gen {
		byID[manifest.ResID(o.Map).String()] = o
	}
	out := make([]Object, 0, m.Size())
	for _, r := range m.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			return nil, err
		}
		obj, origin, patches, err := stripBuildMetadata(y, p.Files)
		if err != nil {
			return nil, fmt.Errorf("environment %s: %w", env.Name, err)
		}
		o, generated := byID[manifest.ResID(obj).String()]
		if !generated {
			o = Object{Source: "spec.kustomize.components", File: origin}
			for i := range p.Spec.Environments {
				if &p.Spec.Environments[i] == env && env.Kustomize != nil && inComponents(origin, env.Kustomize.Components) {
					o.Source = fmt.Sprintf("spec.environments[%d].kustomize.components", i)
				}
			}
		}
		o.Map = obj
		o.Patches = patches
		out = append(out, o)
	}
	return out, nil
}

func inComponents(file string, comps []string) bool {
	for _, c := range comps {
		if strings.HasPrefix(file, path.Clean(c)+"/") {
			return true
		}
	}
	return false
}

// stripBuildMetadata decodes one built object, removing what buildMetadata
// added: the file it came from and the patch files of the components whose
// patches changed it, relative to the spec's directory ("" and nil for the
// rendered tree's own). Kustomize records the kustomization that configured
// a patch, not the patch file: every patch file of that component that
// names the object's kind is a candidate, and lint looks for the field in
// each.
func stripBuildMetadata(y []byte, files map[string][]byte) (manifest.Map, string, []string, error) {
	j, err := sigsyaml.YAMLToJSON(y)
	if err != nil {
		return nil, "", nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var obj manifest.Map
	if err := dec.Decode(&obj); err != nil {
		return nil, "", nil, err
	}
	meta, _ := obj["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	origin := specRelative(originPath(ann[originAnnotation]))
	var patchedBy []string
	if t, ok := ann[transformationsAnnotation].(string); ok {
		var list []struct {
			ConfiguredIn string `json:"configuredIn"`
			ConfiguredBy struct {
				Kind string `json:"kind"`
			} `json:"configuredBy"`
		}
		if err := sigsyaml.Unmarshal([]byte(t), &list); err == nil {
			for _, e := range list {
				if f := specRelative(e.ConfiguredIn); f != "" && strings.Contains(e.ConfiguredBy.Kind, "Patch") {
					patchedBy = append(patchedBy, f)
				}
			}
		}
	}
	patches := patchFiles(files, patchedBy)
	delete(ann, originAnnotation)
	delete(ann, transformationsAnnotation)
	if ann != nil && len(ann) == 0 {
		delete(meta, "annotations")
	}
	return obj, origin, patches, nil
}

func originPath(v any) string {
	s, _ := v.(string)
	var o struct {
		Path string `json:"path"`
	}
	if err := sigsyaml.Unmarshal([]byte(s), &o); err != nil {
		return ""
	}
	return o.Path
}

// specRelative turns a path Kustomize recorded (relative to the overlay,
// in the in-memory layout) into one relative to the spec's directory, or ""
// for the rendered tree's own files.
func specRelative(p string) string {
	if p == "" {
		return ""
	}
	c := path.Clean(path.Join(buildRoot, "out", "overlays", "env", p))
	rel, ok := strings.CutPrefix(c, buildRoot+"/")
	if !ok || strings.HasPrefix(rel, "out/") {
		return ""
	}
	return rel
}

// patchFiles lists the patch files (relative to the spec's directory) of
// the component kustomizations kfiles, sorted, each once.
func patchFiles(files map[string][]byte, kfiles []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, kf := range kfiles {
		var k struct {
			PatchesStrategicMerge []string `json:"patchesStrategicMerge"`
			Patches               []struct {
				Path string `json:"path"`
			} `json:"patches"`
		}
		if err := sigsyaml.Unmarshal(files[kf], &k); err != nil {
			continue
		}
		paths := k.PatchesStrategicMerge
		for _, p := range k.Patches {
			paths = append(paths, p.Path)
		}
		for _, p := range paths {
			if p == "" || strings.Contains(p, "\n") {
				continue
			}
			f := path.Clean(path.Join(path.Dir(kf), p))
			if _, ok := files[f]; ok && !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	return out
}
