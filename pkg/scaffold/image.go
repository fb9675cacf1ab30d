package scaffold

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/spec"
	"github.com/platformctl/platformctl/pkg/textdist"
)

// ImageSet is one SERVICE=IMAGE of `set image`.
type ImageSet struct {
	Service, Image string
}

// ImageTarget says which image of a service `set image` writes: the
// service's own (the default every environment runs), one environment's
// override, or the canary's.
type ImageTarget struct {
	// Env is the environment whose override is written ("": the default).
	Env string
	// Canary writes spec.services[].canary.image.
	Canary bool
}

// ImageChange is one image written: where, and from what to what.
type ImageChange struct {
	Service string
	// Path is the spec path of the image field.
	Path     string
	Line     int
	Old, New string
}

// String says the change as set image and promote print it:
// file:line: path: old → new, or that it was already so.
func (c ImageChange) String(file string) string {
	if c.Old == c.New {
		return fmt.Sprintf("%s:%d: %s: unchanged (%s)", file, c.Line, c.Path, c.New)
	}
	return fmt.Sprintf("%s:%d: %s: %s → %s", file, c.Line, c.Path, c.Old, c.New)
}

// ParseImageSet reads SERVICE=IMAGE; with metadata (from a buildx
// --metadata-file) the argument may be SERVICE alone.
func ParseImageSet(s string, md *BuildMetadata) (ImageSet, error) {
	name, image, ok := strings.Cut(s, "=")
	if !ok && md == nil {
		return ImageSet{}, fmt.Errorf("%q: want SERVICE=IMAGE (e.g. web=ghcr.io/acme/web:1.2.3@sha256:<digest>)", s)
	}
	if name == "" {
		return ImageSet{}, fmt.Errorf("%q: no service name before =", s)
	}
	if md != nil {
		var err error
		if image, err = md.pin(image); err != nil {
			return ImageSet{}, fmt.Errorf("%s: %w", s, err)
		}
	}
	if image == "" {
		return ImageSet{}, fmt.Errorf("%q: no image after =", s)
	}
	return ImageSet{Service: name, Image: image}, nil
}

// BuildMetadata is what `docker buildx build --metadata-file` writes about
// the image it pushed.
type BuildMetadata struct {
	Digest string `json:"containerimage.digest"`
	// Names are the pushed names, comma-separated.
	Names string `json:"image.name"`
}

// ParseBuildMetadata reads a buildx metadata file (named file in messages).
func ParseBuildMetadata(file string, data []byte) (*BuildMetadata, error) {
	var md BuildMetadata
	if err := json.Unmarshal(data, &md); err != nil {
		return nil, fmt.Errorf("%s: not a buildx metadata file: %w", file, err)
	}
	if !strings.HasPrefix(md.Digest, "sha256:") || len(md.Digest) != len("sha256:")+64 {
		return nil, fmt.Errorf("%s: containerimage.digest is %q, want sha256:<64 hex digits>; was the image pushed (--push)?", file, md.Digest)
	}
	return &md, nil
}

// pin returns image pinned to the metadata's digest. An empty image is the
// first name the build pushed; an image with a digest must have this one.
func (md *BuildMetadata) pin(image string) (string, error) {
	if image == "" {
		image, _, _ = strings.Cut(md.Names, ",")
		if image = strings.TrimSpace(image); image == "" {
			return "", fmt.Errorf("the metadata file names no image (image.name); give SERVICE=IMAGE")
		}
	}
	if name, digest, ok := strings.Cut(image, "@"); ok {
		if digest != md.Digest {
			return "", fmt.Errorf("%s has digest %s, but the build pushed %s", name, digest, md.Digest)
		}
		return image, nil
	}
	return image + "@" + md.Digest, nil
}

// SetImages writes the images of sets into the spec in data (read from
// file) at target, keeping the rest of the file byte for byte. A missing
// override is created; every other edit replaces one scalar. The result is
// validated like any edit: production environments refuse an image without
// a digest, with the position.
func SetImages(file string, data []byte, sets []ImageSet, target ImageTarget) (*Result, []ImageChange, error) {
	e, d, err := newEditor(file, data)
	if err != nil {
		return nil, nil, err
	}
	p := d.Platform
	envI := -1
	if target.Env != "" {
		if envI = envIndex(p, target.Env); envI < 0 {
			return nil, nil, refuse("--env %s: no such environment; the spec defines: %s", target.Env, strings.Join(p.EnvironmentNames(), ", "))
		}
	}
	_, services := lookup(e.spec, "services")
	_, envs := lookup(e.spec, "environments")
	seen := map[string]bool{}
	var changes []ImageChange
	var missing object // overrides of the target environment for a services: mapping it lacks
	for _, s := range sets {
		if seen[s.Service] {
			return nil, nil, refuse("%s is given twice; give each service once", s.Service)
		}
		seen[s.Service] = true
		i := serviceIndex(p, s.Service)
		if i < 0 {
			return nil, nil, refuse("no service named %q%s", s.Service, didYouMean(s.Service, serviceNames(p)))
		}
		svcNode := services.Content[i]
		ch := ImageChange{Service: s.Service, New: s.Image}
		switch {
		case target.Canary:
			ch.Path = fmt.Sprintf("spec.services[%d].canary.image", i)
			_, canary := lookup(svcNode, "canary")
			if canary == nil || canary.Kind != yaml.MappingNode {
				pos := d.Pos(fmt.Sprintf("spec.services[%d]", i))
				return nil, nil, refuse("%s:%d:%d: service %s has no canary; add canary: {weight: 10, image: …} first (the weight is a decision, not a default)", file, pos.Line, pos.Col, s.Service)
			}
			ch.Old = p.Spec.Services[i].Canary.Image
			if err := e.replaceScalarAt(canary, "image", s.Image); err != nil {
				return nil, nil, err
			}
			e.wantService(i)["canary"].(map[string]any)["image"] = s.Image
		case envI >= 0:
			ch.Path = fmt.Sprintf("spec.environments[%d].overrides.services[%s].image", envI, s.Service)
			ch.Old = p.Spec.Services[i].Image
			if o, ok := p.Spec.Environments[envI].Overrides.Services[s.Service]; ok && o.Image != "" {
				ch.Old = o.Image
			}
			path := []string{"overrides", "services", s.Service, "image"}
			if err := e.wantSet(envI, path, str(s.Image)); err != nil {
				return nil, nil, err
			}
			if servicesMap(envs.Content[envI]) == nil {
				// No overrides.services mapping yet: every service's
				// override goes into the one that is added below.
				missing = append(missing, field{s.Service, object{{"image", str(s.Image)}}})
				break
			}
			if err := e.setOrReplace(envs.Content[envI], path, s.Image); err != nil {
				return nil, nil, err
			}
		default:
			ch.Path = fmt.Sprintf("spec.services[%d].image", i)
			ch.Old = p.Spec.Services[i].Image
			if err := e.replaceScalarAt(svcNode, "image", s.Image); err != nil {
				return nil, nil, err
			}
			e.wantService(i)["image"] = s.Image
		}
		changes = append(changes, ch)
	}
	if len(missing) > 0 {
		if err := e.setOrAdd(envs.Content[envI], []string{"overrides", "services"}, missing); err != nil {
			return nil, nil, err
		}
	}
	out, doc, err := e.finish()
	if err != nil {
		return nil, nil, err
	}
	for k := range changes {
		changes[k].Line = doc.Pos(changes[k].Path).Line
	}
	return &Result{Data: out, Doc: doc}, changes, nil
}

func serviceIndex(p *spec.Platform, name string) int {
	for i, s := range p.Spec.Services {
		if s.Name == name {
			return i
		}
	}
	return -1
}

func serviceNames(p *spec.Platform) []string {
	names := make([]string, len(p.Spec.Services))
	for i, s := range p.Spec.Services {
		names[i] = s.Name
	}
	return names
}

// didYouMean is ", did you mean X?" for the closest of names, or "; the
// spec defines: …" when none is close.
func didYouMean(name string, names []string) string {
	if best := textdist.Closest(name, names, 2); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	if len(names) == 0 {
		return "; the spec defines no services"
	}
	return "; the spec defines: " + strings.Join(names, ", ")
}

// wantService is the generic form of spec.services[i], which the result
// must decode to.
func (e *editor) wantService(i int) map[string]any {
	l, _ := e.wantSpec()["services"].([]any)
	m, _ := l[i].(map[string]any)
	return m
}

// servicesMap is environment env's overrides.services mapping, or nil.
func servicesMap(env *yaml.Node) *yaml.Node {
	_, o := lookup(env, "overrides")
	_, svcs := lookup(o, "services")
	if svcs == nil || svcs.Kind != yaml.MappingNode {
		return nil
	}
	return svcs
}

// setOrAdd gives path below mapping m the value val, adding the missing
// keys; a null value on the way (overrides: with nothing after it) is
// filled in.
func (e *editor) setOrAdd(m *yaml.Node, path []string, val any) error {
	k, v := lookup(m, path[0])
	switch {
	case k == nil:
		return e.addKey(m, path[0], nest(path[1:], val), nil)
	case isNull(v):
		return e.fillEmpty(m, k, v, nest(path[1:], val))
	case len(path) == 1 || v.Kind != yaml.MappingNode:
		return refuse("%s:%d:%d: %s is not a mapping", e.file, v.Line, v.Column, path[0])
	}
	return e.setOrAdd(v, path[1:], val)
}

// setOrReplace sets path below mapping m to the string val: the scalar is
// replaced when the path exists, else the missing keys are added.
func (e *editor) setOrReplace(m *yaml.Node, path []string, val string) error {
	cur := m
	for i, key := range path[:len(path)-1] {
		if k, v := lookup(cur, key); k == nil || isNull(v) {
			return e.setIn(cur, path[i:], str(val))
		}
		_, v := lookup(cur, key)
		if v.Kind != yaml.MappingNode {
			return refuse("%s:%d:%d: %s is not a mapping", e.file, v.Line, v.Column, key)
		}
		cur = v
	}
	last := path[len(path)-1]
	if k, _ := lookup(cur, last); k == nil {
		return e.addKey(cur, last, str(val), nil)
	}
	return e.replaceScalarAt(cur, last, val)
}

// replaceScalarAt replaces the one-line scalar value of key in mapping m
// by val, quoted as the old value was (a plain one stays plain when the new
// value reads back the same unquoted).
func (e *editor) replaceScalarAt(m *yaml.Node, key, val string) error {
	k, v := lookup(m, key)
	if k == nil {
		return refuse("%s:%d:%d: no %s here", e.file, m.Line, m.Column, key)
	}
	if v.Kind != yaml.ScalarNode {
		return refuse("%s:%d:%d: %s is not a single value", e.file, v.Line, v.Column, key)
	}
	from, to, ok := e.scalarSpan(v)
	if !ok {
		return refuse("%s:%d:%d: cannot find where the value of %s ends (a multi-line or block scalar); edit it by hand", e.file, v.Line, v.Column, key)
	}
	text := string(str(val))
	switch v.Style { // keep the file's quoting
	case yaml.DoubleQuotedStyle:
		text = strconv.Quote(val)
	case yaml.SingleQuotedStyle:
		text = "'" + strings.ReplaceAll(val, "'", "''") + "'"
	}
	e.splices = append(e.splices, splice{at: from, del: to - from, text: text})
	return nil
}

// scalarSpan is the byte range of scalar v's text on its line: plain
// scalars are their value exactly (no escapes), quoted ones end at the
// closing quote. Block and multi-line scalars are not spanned.
func (e *editor) scalarSpan(v *yaml.Node) (from, to int, ok bool) {
	from = e.src.offset(v.Line, v.Column)
	end := e.src.lineEnd(v.Line)
	d := e.src.data
	switch v.Style {
	case 0, yaml.FlowStyle:
		to = from + len(v.Value)
		return from, to, to <= end && string(d[from:to]) == v.Value
	case yaml.DoubleQuotedStyle:
		for i := from + 1; i < end; i++ {
			switch d[i] {
			case '\\':
				i++
			case '"':
				return from, i + 1, true
			}
		}
	case yaml.SingleQuotedStyle:
		for i := from + 1; i < end; i++ {
			if d[i] == '\'' {
				if i+1 < end && d[i+1] == '\'' {
					i++
					continue
				}
				return from, i + 1, true
			}
		}
	}
	return 0, 0, false
}
