package lintinput

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lint"
)

// checkKustomization walks the Kustomize graph below dir (the kustomization
// file, and every local base, component, generator and transformer
// directory it names, recursively) before krusty runs, and reports, at
// the entry that names it:
//
//   - a remote reference (unless allowRemote): Kustomize runs git for a
//     repository URL in resources, bases, components, generators,
//     transformers and validators, and does an HTTP GET for an http(s) URL
//     in any field it loads a file from (those, patches, crds,
//     configurations, replacements, openapi.path, configMapGenerator and
//     secretGenerator files and envs, and the path fields of generator and
//     transformer configs);
//   - a local file that is not a regular file (a FIFO would block the
//     build forever) or is larger than lint.MaxInputSize.
//
// Every problem is reported, one per line. What the walk cannot see
// (a file named by a remote base, once allowed) is still bounded by
// boundedFS.
func checkKustomization(dir string, allowRemote bool) error {
	w := &kustWalker{allowRemote: allowRemote, seen: map[string]bool{}}
	w.dir(dir, false)
	return errors.Join(w.errs...)
}

type kustWalker struct {
	allowRemote bool
	seen        map[string]bool
	errs        []error
}

// fieldUse says how Kustomize loads the entries of a field.
type fieldUse int

const (
	// useFile: a file, read with the loader (an http(s) URL is fetched).
	useFile fieldUse = iota
	// useAny: a file, or else a directory or git repository.
	useAny
	// usePlugin: like useAny, and the files are generator or transformer
	// configs whose own path fields are loaded too.
	usePlugin
)

// listFields are the kustomization fields holding a list of paths.
var listFields = []struct {
	name string
	use  fieldUse
}{
	{"resources", useAny}, {"bases", useAny}, {"components", useAny},
	{"generators", usePlugin}, {"transformers", usePlugin}, {"validators", usePlugin},
	{"crds", useFile}, {"configurations", useFile}, {"patchesStrategicMerge", useFile},
}

// dir checks the kustomization file of dir, if it has one; plugin says the
// directory was named as a generator or transformer, so its resources are
// plugin configs.
func (w *kustWalker) dir(dir string, plugin bool) {
	abs, err := filepath.Abs(dir)
	if err != nil || w.seen[abs] {
		return
	}
	w.seen[abs] = true
	for _, name := range kustomizationNames {
		file := filepath.Join(dir, name)
		if st, err := os.Stat(file); err == nil && st.Mode().IsRegular() {
			w.kustomization(dir, file, plugin)
			return
		}
	}
}

func (w *kustWalker) kustomization(dir, file string, plugin bool) {
	root, ok := w.parse(file)
	if !ok || root.Kind != yaml.MappingNode {
		return // krusty reports what is wrong with it
	}
	for _, f := range listFields {
		use := f.use
		if plugin && f.name == "resources" {
			use = usePlugin
		}
		for i, n := range lint.Items(lint.Field(root, f.name)) {
			w.entry(dir, file, fmt.Sprintf("%s[%d]", f.name, i), n, use)
		}
	}
	for _, list := range []string{"patches", "patchesJson6902", "replacements"} {
		for i, p := range lint.Items(lint.Field(root, list)) {
			w.entry(dir, file, fmt.Sprintf("%s[%d].path", list, i), lint.Field(p, "path"), useFile)
		}
	}
	w.entry(dir, file, "openapi.path", lint.At(root, "openapi.path"), useFile)
	for _, gen := range []string{"configMapGenerator", "secretGenerator"} {
		for i, g := range lint.Items(lint.Field(root, gen)) {
			w.generatorSources(dir, file, fmt.Sprintf("%s[%d]", gen, i), g)
		}
	}
}

// generatorSources checks the files and envs a ConfigMap or Secret
// generator (in a kustomization or a generator config) reads.
func (w *kustWalker) generatorSources(dir, file, path string, g *yaml.Node) {
	for i, n := range lint.Items(lint.Field(g, "files")) {
		// key=path or path
		if s := lint.Str(n); strings.Contains(s, "=") {
			c := *n
			_, c.Value, _ = strings.Cut(s, "=")
			n = &c
		}
		w.entry(dir, file, fmt.Sprintf("%s.files[%d]", path, i), n, useFile)
	}
	for i, n := range lint.Items(lint.Field(g, "envs")) {
		w.entry(dir, file, fmt.Sprintf("%s.envs[%d]", path, i), n, useFile)
	}
	w.entry(dir, file, path+".env", lint.Field(g, "env"), useFile)
}

// pluginConfig checks the fields of a generator or transformer config
// that builtin plugins load: path, paths, the generators' files and envs.
func (w *kustWalker) pluginConfig(dir, file string) {
	data, ok := w.readChecked(file)
	if !ok {
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil || len(doc.Content) == 0 {
			return // the end, or what krusty reports
		}
		root := doc.Content[0]
		w.entry(dir, file, "path", lint.Field(root, "path"), useFile)
		for i, n := range lint.Items(lint.Field(root, "paths")) {
			w.entry(dir, file, fmt.Sprintf("paths[%d]", i), n, useFile)
		}
		for i, r := range lint.Items(lint.Field(root, "replacements")) {
			w.entry(dir, file, fmt.Sprintf("replacements[%d].path", i), lint.Field(r, "path"), useFile)
		}
		w.generatorSources(dir, file, lint.Str(lint.Field(root, "kind")), root)
	}
}

// entry checks one path a kustomization (file, in dir) names at field.
func (w *kustWalker) entry(dir, file, field string, n *yaml.Node, use fieldUse) {
	s := lint.Str(n)
	if n == nil || n.Kind != yaml.ScalarNode || s == "" || strings.Contains(s, "\n") {
		return // absent, or an inline patch or config
	}
	if kind := remoteKind(s, use != useFile); kind != "" {
		if !w.allowRemote {
			w.fail(file, n, field, fmt.Sprintf("%q is %s: lint does not fetch anything, so that a repository can be linted without reaching the network; vendor it, or pass --allow-remote", s, kind))
		}
		return
	}
	p := s
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	st, err := os.Stat(p)
	if err != nil {
		return // missing: krusty says so
	}
	switch {
	case st.IsDir():
		if use != useFile {
			w.dir(p, use == usePlugin)
		}
	case !st.Mode().IsRegular():
		w.fail(file, n, field, fmt.Sprintf("%s is not a regular file (%s); Kustomize would block reading it", s, fileType(st.Mode())))
	case st.Size() > lint.MaxInputSize:
		w.fail(file, n, field, fmt.Sprintf("%s is larger than %d MiB; refusing to read it", s, lint.MaxInputSize>>20))
	case use == usePlugin:
		w.pluginConfig(dir, p)
	}
}

// parse reads and parses a kustomization file (checked like any input).
func (w *kustWalker) parse(file string) (*yaml.Node, bool) {
	data, ok := w.readChecked(file)
	if !ok {
		return nil, false
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil, false
	}
	return doc.Content[0], true
}

// readChecked reads a regular file within the size cap; anything else is
// left to krusty, which goes through boundedFS.
func (w *kustWalker) readChecked(file string) ([]byte, bool) {
	st, err := os.Stat(file)
	if err != nil || !st.Mode().IsRegular() || st.Size() > lint.MaxInputSize {
		return nil, false
	}
	data, err := os.ReadFile(file)
	return data, err == nil
}

func (w *kustWalker) fail(file string, n *yaml.Node, field, msg string) {
	w.errs = append(w.errs, &lint.InputError{File: relToCwd(file), Line: n.Line, Col: n.Column, Msg: field + ": " + msg})
}

// scpUser is Kustomize's username prefix of an scp-style git URL (user@host:path).
var scpUser = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// remoteKind says what network access Kustomize makes for an entry ("" for
// none). Files are fetched when the entry is an http(s) URL (loader.Load's
// IsRemoteFile); where a directory may be named (dirs), anything
// Kustomize's git.NewRepoSpecFromURL could take for a repository is cloned
// with git, even when a local path of that name exists, so the test errs
// on the side of its prefixes: an optional git::, then a scheme (ssh,
// https, http, file), a user@, or github.com.
func remoteKind(s string, dirs bool) string {
	if u, err := url.Parse(s); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if dirs {
			return "a remote URL (Kustomize fetches it over HTTP or clones it with git)"
		}
		return "a remote URL (Kustomize fetches it over HTTP)"
	}
	if !dirs || filepath.IsAbs(s) {
		return ""
	}
	n := s
	if len(n) >= 5 && strings.EqualFold(n[:5], "git::") {
		n = n[5:]
	}
	lower := strings.ToLower(n)
	for _, p := range []string{"ssh://", "https://", "http://", "file://", "github.com/", "github.com:"} {
		if strings.HasPrefix(lower, p) {
			return "a git repository (Kustomize clones it by running git)"
		}
	}
	if scpUser.MatchString(n) {
		return "a git repository (Kustomize clones it by running git)"
	}
	return ""
}

// fileType names a non-regular file's type for messages.
func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "a special file"
}

// relToCwd makes p relative to the working directory when it is inside it.
func relToCwd(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	cwd, _ := os.Getwd()
	if r, err := filepath.Rel(cwd, abs); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return abs
}
