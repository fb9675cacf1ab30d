// Package lintinput turns what a user hands `platformctl lint` into sets of
// objects with source positions: YAML files and folders (one set), each
// Kustomize directory (built with krusty, one set each, objects mapped back
// to the file they came from), stdin, or a platform spec rendered in memory
// (one set per environment, findings pointing at the spec entry).
package lintinput

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/platformctl/platformctl/pkg/helmchart"
	"github.com/platformctl/platformctl/pkg/kustomize"
	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/manifest"
	"github.com/platformctl/platformctl/pkg/render"
	"github.com/platformctl/platformctl/pkg/spec"
)

// Set is a group of objects cross-object rules see together.
type Set struct {
	// Name says what the set is (a directory, "files", "environment dev").
	Name    string
	Objects []*lint.Object
	// Files is how many files were read for the set.
	Files int
}

// kustomizationNames are the file names that make a directory a Kustomization.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

func isKustomizationFile(name string) bool {
	for _, n := range kustomizationNames {
		if name == n {
			return true
		}
	}
	return false
}

func isKustomization(dir string) bool {
	for _, n := range kustomizationNames {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// Options are choices the user makes about inputs.
type Options struct {
	// AllowEmpty accepts an argument that holds no object (an empty
	// folder or stdin); otherwise that is an error, since it is how a
	// failed `kustomize build . | platformctl lint -` would pass.
	AllowEmpty bool
	// AllowRemote lets Kustomize directories load remote resources, bases
	// and files (git and http URLs); otherwise they are refused before
	// anything is built, so linting a repository reaches no network.
	AllowRemote bool
	// Values are the --values files, --set and --set-string every Helm
	// chart among the inputs is rendered with; given with no chart among
	// the inputs, they are an error (they would change nothing).
	Values helmchart.Values
	// Release is the release name, namespace and Kubernetes version charts
	// are rendered for (`helm template`'s defaults when empty).
	Release helmchart.Release
}

// manifestExts are the file extensions read from folders: the ones
// kubectl apply -f DIR reads.
var manifestExts = []string{".yaml", ".yml", ".json"}

// IsManifestFile says whether a file in a folder is read as manifests.
func IsManifestFile(name string) bool {
	for _, e := range manifestExts {
		if filepath.Ext(name) == e {
			return true
		}
	}
	return false
}

// Inputs are what Read found: the sets to lint and the problems with the
// input, each positioned, that kept a document (or a file) out of them.
type Inputs struct {
	Sets []Set
	// Problems are the bad documents and files, in input order: a file
	// that is not YAML, an object without a name, a Helm template. Each
	// is reported on its own and the rest of the input is still linted.
	Problems []*lint.InputError
}

// FromPaths is Read for callers that take any problem with the input as
// the end of the run: it returns the sets, or every problem joined.
func FromPaths(args []string, stdin io.Reader, opts Options) ([]Set, error) {
	in, err := Read(args, stdin, opts)
	if err != nil {
		return nil, err
	}
	if len(in.Problems) > 0 {
		errs := make([]error, len(in.Problems))
		for i, p := range in.Problems {
			errs[i] = p
		}
		return nil, errors.Join(errs...)
	}
	return in.Sets, nil
}

// Read reads args: "-" is stdin, a Kustomize directory is built, a
// directory with a Chart.yaml is a Helm chart and is rendered (FromChart),
// any other directory is searched recursively for *.yaml, *.yml and *.json
// and for Kustomize directories and charts (symbolic links are not
// followed), and files are read as given. An
// argument that yields no object (and no problem) is an error unless
// opts.AllowEmpty. A bad document or file is a Problem, not the end of
// the run; the error is for what makes the whole run meaningless (a path
// that does not exist, a Kustomize build that fails).
func Read(args []string, stdin io.Reader, opts Options) (Inputs, error) {
	var files []string
	var in Inputs
	var overrides map[string]any
	if !opts.Values.Empty() {
		// Read before any chart, so a bad --set is an error at once.
		var err error
		if overrides, err = opts.Values.Overrides(); err != nil {
			return Inputs{}, err
		}
	}
	charts := 0
	loose := Set{Name: "files"}
	seen := map[string]bool{}
	// found counts the objects and problems each argument yields;
	// fileArg says which argument a file of files came from.
	found := make([]int, len(args))
	fileArg := map[string]int{}
	addFile := func(f string, arg int) {
		if !seen[f] {
			seen[f] = true
			files = append(files, f)
			fileArg[f] = arg
		}
	}
	// problem files err's input errors under argument i; ok is false when
	// err holds anything else.
	problem := func(i int, err error) bool {
		ies, only := lint.InputErrors(err)
		if !only {
			return false
		}
		in.Problems = append(in.Problems, ies...)
		found[i] += len(ies)
		return true
	}
	for i, arg := range args {
		if arg == "-" {
			data, err := io.ReadAll(io.LimitReader(stdin, lint.MaxInputSize+1))
			if err != nil {
				return Inputs{}, fmt.Errorf("read stdin: %w", err)
			}
			objs, err := lint.Decode("<stdin>", data)
			if err != nil && !problem(i, err) {
				return Inputs{}, err
			}
			loose.Objects = append(loose.Objects, objs...)
			loose.Files++
			found[i] += len(objs)
			continue
		}
		st, err := os.Stat(arg)
		if err != nil {
			return Inputs{}, describeStatError(arg, err)
		}
		if st.IsDir() {
			var kdirs, chartDirs []string
			switch {
			case isKustomization(arg):
				kdirs = []string{arg}
			case helmchart.IsChart(arg):
				chartDirs = []string{arg}
			default:
				w, err := manifestFiles(arg)
				if err != nil {
					return Inputs{}, err
				}
				in.Problems = append(in.Problems, w.problems...)
				found[i] += len(w.problems)
				kdirs, chartDirs = w.kustomizations, w.charts
				for _, f := range w.files {
					addFile(f, i)
				}
			}
			for _, c := range chartDirs {
				charts++
				s, ies, err := FromChart(c, overrides, opts.Release)
				if err != nil {
					return Inputs{}, err
				}
				in.Problems = append(in.Problems, ies...)
				found[i] += len(ies)
				if len(s.Objects) > 0 {
					in.Sets = append(in.Sets, s)
					found[i] += len(s.Objects)
				}
			}
			for _, k := range kdirs {
				s, err := FromKustomization(k, opts)
				if err != nil {
					if !problem(i, err) {
						// A build that fails is that directory's problem: the
						// other inputs are still linted.
						problem(i, buildProblem(k, err))
					}
					continue
				}
				in.Sets = append(in.Sets, s)
				found[i] += len(s.Objects)
			}
			continue
		}
		addFile(arg, i)
	}
	perFile, errs := decodeFiles(files)
	for j, objs := range perFile {
		if errs[j] != nil && !problem(fileArg[files[j]], errs[j]) {
			return Inputs{}, errs[j]
		}
		loose.Objects = append(loose.Objects, objs...)
		found[fileArg[files[j]]] += len(objs)
	}
	loose.Files += len(files)
	if overrides != nil && charts == 0 {
		return Inputs{}, errors.New("--values, --set and --set-string apply to Helm charts, and no input is one (a folder with " + helmchart.ChartFile + ")")
	}
	if !opts.AllowEmpty {
		for i, n := range found {
			if n == 0 {
				return Inputs{}, noObjects(args[i])
			}
		}
	}
	if loose.Files > 0 {
		in.Sets = append([]Set{loose}, in.Sets...)
	}
	return in, nil
}

// buildProblem makes a failed Kustomize build of dir an input error: at
// the file:line:col the message starts with when kustomizeError found one,
// else at dir's kustomization file.
func buildProblem(dir string, err error) *lint.InputError {
	msg := err.Error()
	if m := positionRE().FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		return &lint.InputError{File: m[1], Line: line, Col: col, Msg: m[4]}
	}
	file := dir
	for _, n := range kustomizationNames {
		if st, serr := os.Stat(filepath.Join(dir, n)); serr == nil && st.Mode().IsRegular() {
			file = filepath.Join(dir, n)
			break
		}
	}
	return &lint.InputError{File: file, Line: 1, Col: 1, Msg: msg}
}

// positionRE is a message that starts with file:line:col: (compiled on
// first use: only a failed build needs it).
var positionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.+?):(\d+):(\d+): (.*)$`) })

// noObjects says that arg yielded nothing to lint, and why that may be.
func noObjects(arg string) error {
	why := "it holds only comments or empty documents"
	switch st, err := os.Stat(arg); {
	case arg == "-":
		arg, why = "standard input", "it was empty (did the command piping into lint fail?)"
	case err == nil && st.IsDir() && isKustomization(arg):
		why = "the Kustomize build has no resources"
	case err == nil && st.IsDir() && helmchart.IsChart(arg):
		why = "the Helm chart renders no manifests with these values"
	case err == nil && st.IsDir():
		why = "it holds no *.yaml, *.yml or *.json files with objects"
	}
	return fmt.Errorf("no objects to lint in %s: %s; pass --allow-empty if that is expected", arg, why)
}

func describeStatError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "too many levels of symbolic links") {
		return fmt.Errorf("%s: symbolic link loop", path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such file or directory", path)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// walked is what manifestFiles found below a directory.
type walked struct {
	files, kustomizations, charts []string
	problems                      []*lint.InputError
}

// manifestFiles lists *.yaml, *.yml and *.json below dir, sorted, skipping
// hidden directories (.git) and never following symbolic links; the
// Kustomize directories and Helm charts in it are listed, not walked.
func manifestFiles(dir string) (walked, error) {
	var out []string
	var kustomizations, charts []string
	var problems []*lint.InputError
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			// A Kustomize directory inside the tree is built as its own
			// set: its patches are fragments, not objects.
			if p != dir && isKustomization(p) {
				kustomizations = append(kustomizations, p)
				return filepath.SkipDir
			}
			// A chart's templates are not manifests until rendered; its
			// charts/ are its dependencies, rendered with it.
			if p != dir && helmchart.IsChart(p) {
				charts = append(charts, p)
				return filepath.SkipDir
			}
			return nil
		}
		if isKustomizationFile(d.Name()) || !IsManifestFile(p) || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		if !d.Type().IsRegular() {
			// A FIFO would block the walk; a FIFO named on the command
			// line (<(…)) is read, one inside a folder is a mistake.
			problems = append(problems, &lint.InputError{File: p, Line: 1, Col: 1, Msg: fmt.Sprintf("not a regular file (%s); lint reads only regular files inside folders", fileType(d.Type()))})
			return nil
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return walked{}, fmt.Errorf("read %s: %w", dir, err)
	}
	sort.Strings(out)
	return walked{files: out, kustomizations: deployable(kustomizations), charts: charts, problems: problems}, nil
}

// deployable drops the Kustomize directories another one in the list
// builds, directly or through directories outside it (an overlay's area
// directories reach base/<area>): those are parts — a base without the
// objects only its overlays add, an area without the environment's label —
// and linting them alone reports what the deployed whole does not have.
// What is left is what a GitOps controller applies.
func deployable(kdirs []string) []string {
	if len(kdirs) < 2 {
		return kdirs
	}
	built := map[string]bool{}
	var visit func(dir string, depth int)
	visit = func(dir string, depth int) {
		if depth > 16 {
			return // a cycle Kustomize itself would refuse
		}
		for _, ref := range kustomizationRefs(dir) {
			target := filepath.Clean(filepath.Join(dir, ref))
			if built[target] || !isKustomization(target) {
				continue
			}
			built[target] = true
			visit(target, depth+1)
		}
	}
	for _, k := range kdirs {
		visit(filepath.Clean(k), 0)
	}
	var out []string
	for _, k := range kdirs {
		if !built[filepath.Clean(k)] {
			out = append(out, k)
		}
	}
	return out
}

// kustomizationRefs are the local directories and files dir's kustomization
// lists as resources and components (remote ones left out).
func kustomizationRefs(dir string) []string {
	for _, n := range kustomizationNames {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		var k struct {
			Resources  []string `json:"resources"`
			Components []string `json:"components"`
		}
		if sigsyaml.Unmarshal(b, &k) != nil {
			return nil
		}
		var out []string
		for _, r := range append(k.Resources, k.Components...) {
			if !strings.Contains(r, "://") && !strings.HasPrefix(r, "git@") {
				out = append(out, filepath.FromSlash(r))
			}
		}
		return out
	}
	return nil
}

// decodeFiles reads and decodes files on every core, returning each file's
// objects and error, in input order, so what is reported does not depend
// on scheduling.
func decodeFiles(files []string) ([][]*lint.Object, []error) {
	results := make([][]*lint.Object, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = decodeFile(files[i])
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	return results, errs
}

func decodeFile(path string) ([]*lint.Object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, describeStatError(path, err)
	}
	defer func() { _ = f.Close() }() // read-only
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > lint.MaxInputSize {
		// Refused before a byte is read: a 2 GiB sparse file is not read to be refused.
		return nil, &lint.InputError{File: path, Line: 1, Col: 1, Msg: fmt.Sprintf("larger than %d MiB; refusing to read it", lint.MaxInputSize>>20)}
	}
	data, err := readFile(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return lint.DecodeOwned(path, data) // data is this call's own buffer
}

// readFile reads up to lint.MaxInputSize+1 bytes of f (one more than
// allowed, so Decode can refuse a larger file) into a buffer sized from
// Stat: io.ReadAll starts at 512 bytes and grows by copying, which for
// 200 files of 24 KB was a dozen allocations and copies each.
func readFile(f *os.File) ([]byte, error) {
	size := 0
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = int(min(st.Size(), lint.MaxInputSize+1))
	}
	r := io.LimitReader(f, lint.MaxInputSize+1)
	// One byte more than the size, so the read that finds EOF needs no growth.
	buf := make([]byte, 0, size+1)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // the file grew, or Stat had no size
		}
	}
}

const originAnnotation = "config.kubernetes.io/origin"

// FromKustomization builds dir with krusty and maps every object back to
// the file it came from, so findings point at lines a user can edit.
//
// Kustomize records origins only when the top kustomization asks for it, so
// dir is built through a wrapper kustomization in a temporary directory that
// sets buildMetadata: [originAnnotations]; the user's files are not touched.
func FromKustomization(dir string, opts Options) (Set, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Set{}, fmt.Errorf("%s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp("", "platformctl-lint-")
	if err != nil {
		return Set{}, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	rel, err := filepath.Rel(tmp, abs)
	if err != nil {
		return Set{}, fmt.Errorf("%s: %w", dir, err)
	}
	wrapper := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- " + filepath.ToSlash(rel) + "\nbuildMetadata: [originAnnotations]\n"
	if err := os.WriteFile(filepath.Join(tmp, "kustomization.yaml"), []byte(wrapper), 0o600); err != nil {
		return Set{}, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	if err := checkKustomization(abs, opts.AllowRemote); err != nil {
		return Set{}, err
	}
	kopts := kustomize.Options()
	kopts.Reorder = krusty.ReorderOptionNone
	// Builtin plugins only, Helm off: no exec or function plugin runs and
	// no chart is pulled while linting, whatever the default options become.
	kopts.PluginConfig = types.DisabledPluginConfig()
	m, err := krusty.MakeKustomizer(kopts).Run(boundedFS{filesys.MakeFsOnDisk()}, tmp)
	if err != nil {
		return Set{}, kustomizeError(dir, tmp, err)
	}
	cwd, _ := os.Getwd()
	origins := &originFiles{cache: map[string][]*lint.Object{}}
	set := Set{Name: dir}
	var problems []*lint.InputError
	for i, res := range m.Resources() {
		ann := res.GetAnnotations()
		origin := ann[originAnnotation]
		delete(ann, originAnnotation)
		if err := res.SetAnnotations(ann); err != nil {
			return Set{}, fmt.Errorf("kustomize build %s: %w", dir, err)
		}
		y, err := res.AsYAML()
		if err != nil {
			return Set{}, fmt.Errorf("kustomize build %s: %w", dir, err)
		}
		display := filepath.Join(dir, "(built)")
		objs, err := lint.Decode(display, y)
		if err != nil {
			return Set{}, fmt.Errorf("kustomize build %s: object %d: %w", dir, i, err)
		}
		if len(objs) != 1 {
			return Set{}, fmt.Errorf("kustomize build %s: object %d decoded into %d objects", dir, i, len(objs))
		}
		o := objs[0]
		o.Doc = i
		if file := originPath(origin, tmp, cwd); file != "" {
			o.File = file
			if src := origins.find(file, o.Kind, o.Name); src != nil {
				problems = append(problems, retyped(file, o, src)...)
				o.SetLocator(func(path string) (string, int, int) {
					l, c := lint.Locate(src.Root, path)
					return file, l, c
				})
			} else {
				o.SetLocator(func(string) (string, int, int) { return file, 1, 1 })
			}
		}
		set.Objects = append(set.Objects, o)
	}
	if len(problems) > 0 {
		// In file order: the build sorts fields, the author reads lines.
		sort.SliceStable(problems, func(i, j int) bool {
			a, b := problems[i], problems[j]
			if a.File != b.File {
				return a.File < b.File
			}
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Col < b.Col
		})
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = p
		}
		return Set{}, errors.Join(errs...)
	}
	set.Files = len(origins.cache)
	return set, nil
}

// originPath reads the origin annotation's path (or configuredIn, for
// generated objects) and makes it relative to the working directory.
func originPath(origin, base, cwd string) string {
	if origin == "" {
		return ""
	}
	var o struct {
		Path         string `json:"path"`
		ConfiguredIn string `json:"configuredIn"`
		Repo         string `json:"repo"`
	}
	if err := sigsyaml.Unmarshal([]byte(origin), &o); err != nil || o.Repo != "" {
		return ""
	}
	p := o.Path
	if p == "" {
		p = o.ConfiguredIn
	}
	if p == "" {
		return ""
	}
	abs := filepath.Clean(filepath.Join(base, p))
	if r, err := filepath.Rel(cwd, abs); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return abs
}

// originFiles parses each origin file once.
type originFiles struct {
	cache map[string][]*lint.Object
}

// find returns the object of kind and name in file; if a name prefix or
// suffix changed the name, the only object of that kind in the file.
func (f *originFiles) find(file, kind, name string) *lint.Object {
	objs, ok := f.cache[file]
	if !ok {
		// Only a regular file within the cap: krusty read it, but it may
		// have changed since (and positions are a convenience).
		if st, err := os.Stat(file); err == nil && st.Mode().IsRegular() {
			objs, _ = decodeFile(file)
		}
		f.cache[file] = objs
	}
	return pick(objs, kind, name)
}

// FromSpec renders the spec in memory and returns one set per environment
// (all of them when envs is empty). Findings point at the spec entry that
// produced the object, since that is what a user edits (see sourceOf).
func FromSpec(d *spec.Document, envs []string) ([]Set, error) {
	if len(envs) == 0 {
		envs = d.Platform.EnvironmentNames()
	}
	var sets []Set
	for _, env := range envs {
		objs, err := render.Environment(d.Platform, env)
		if err != nil {
			return nil, err
		}
		set := Set{Name: "environment " + env, Files: 1}
		for i, o := range objs {
			y, err := manifest.Encode(o.Map)
			if err != nil {
				return nil, err
			}
			display := fmt.Sprintf("%s (%s)", o.File, env)
			decoded, err := lint.Decode(display, y)
			if err != nil {
				return nil, fmt.Errorf("environment %s: object %d: %w", env, i, err)
			}
			if len(decoded) != 1 {
				return nil, fmt.Errorf("environment %s: object %d decoded into %d objects", env, i, len(decoded))
			}
			lo := decoded[0]
			lo.Doc = i
			source, line, col := sourceOf(d, o.Source, env, o.File)
			lo.Source = source
			file := d.File
			locate := func(string) (string, int, int) { return file, line, col }
			if comp := componentObject(d, o); comp != nil {
				// Added by one of the spec's components: its own file.
				compFile := filepath.Join(d.Dir, filepath.FromSlash(o.File))
				locate = func(path string) (string, int, int) {
					l, c := lint.Locate(comp.Root, path)
					return compFile, l, c
				}
			} else if patches := componentPatches(d, o, lo); len(patches) > 0 {
				// Changed by a component's patch: the patch, where it sets
				// the field a finding is about.
				locate = func(path string) (string, int, int) {
					for _, pt := range patches {
						if l, c, ok := lint.LocatePatched(pt.obj.Root, lo.Root, path); ok {
							return pt.file, l, c
						}
					}
					return file, line, col
				}
			}
			lo.SetLocator(locate)
			lo.File = file
			set.Objects = append(set.Objects, lo)
		}
		sets = append(sets, set)
	}
	return sets, nil
}

// sourceOf says which spec entry an object comes from, and where it is.
// An object generated for a path the spec does not write (a default)
// points at the nearest entry that is written and says which default it
// is, or at the spec's first line when no entry is (the deployer objects of
// a spec without cicd): never at a line that is about something else.
func sourceOf(d *spec.Document, path, env, file string) (source string, line, col int) {
	where := fmt.Sprintf("environment %s, %s", env, file)
	entry, pos, ok := d.Entry(path)
	switch {
	case path == "spec":
		// Made from the whole spec (the namespaces): its first line.
		return fmt.Sprintf("%s:1 spec (%s)", d.File, where), 1, 1
	case !ok:
		return fmt.Sprintf("%s:1 %s (a default, not in the spec; %s)", d.File, path, where), 1, 1
	case entry != path:
		return fmt.Sprintf("%s:%d %s (%s: a default; %s)", d.File, pos.Line, entry, path, where), pos.Line, pos.Col
	}
	return fmt.Sprintf("%s:%d %s (%s)", d.File, pos.Line, path, where), pos.Line, pos.Col
}

// componentObject is the object in its component file when o was added by
// one of the spec's components (render.Object.File names the file), or nil.
func componentObject(d *spec.Document, o render.Object) *lint.Object {
	b, ok := d.Platform.Files[o.File]
	if !ok {
		return nil
	}
	return findObject(o.File, b, manifest.String(o.Map, "kind"), manifest.String(o.Map, "metadata", "name"))
}

type patchObject struct {
	file string
	obj  *lint.Object
}

// componentPatches are the strategic-merge patches of the spec's
// components that may have changed o (same kind), decoded with positions.
func componentPatches(d *spec.Document, o render.Object, built *lint.Object) []patchObject {
	var out []patchObject
	for _, f := range o.Patches {
		if p := findObject(f, d.Platform.Files[f], built.Kind, built.Name); p != nil {
			out = append(out, patchObject{file: filepath.Join(d.Dir, filepath.FromSlash(f)), obj: p})
		}
	}
	return out
}

// findObject decodes file and picks its document of kind and name.
func findObject(file string, data []byte, kind, name string) *lint.Object {
	objs, err := lint.Decode(file, data)
	if err != nil {
		return nil
	}
	return pick(objs, kind, name)
}

// pick returns the object of kind named name, or the only one of that kind
// when none is (a name prefix or suffix changed it; a patch aimed by a
// target), or nil.
func pick(objs []*lint.Object, kind, name string) *lint.Object {
	var sameKind []*lint.Object
	for _, o := range objs {
		if o.Kind != kind {
			continue
		}
		if o.Name == name {
			return o
		}
		sameKind = append(sameKind, o)
	}
	if len(sameKind) == 1 {
		return sameKind[0]
	}
	return nil
}
