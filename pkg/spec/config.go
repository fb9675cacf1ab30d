package spec

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Config files (spec.services[*].config): every file of a service, with an
// environment's override applied, is one key of one ConfigMap. The loader
// reads `file:` references once, while validating, into Content: the
// generator never touches the file system, so render, render --check, build
// and diff see the same bytes, and a spec read at a git revision reads its
// files at that revision (Document.Files).

// MaxConfigMapBytes is what a ConfigMap holds: the API server refuses one
// whose data add up to more than 1 MiB.
const MaxConfigMapBytes = 1 << 20

// DefaultConfigDir is the directory a service's config files are mounted in
// when config.mountPath is not set: /etc/<service name>.
func DefaultConfigDir(service string) string { return "/etc/" + service }

// PlatformMounts are the directories platformctl mounts into a service's
// container itself (pkg/generate: /tmp, the secrets, the data store
// bindings; the service account token directory that Kubernetes uses): a
// config mountPath may not be, contain or lie inside one of them.
var PlatformMounts = []string{"/tmp", "/var/run/secrets", "/bindings"}

// systemDirs are the directories of a container image that mounting a
// volume over would hide (CA certificates, users, libraries, binaries):
// a config mountPath may lie below them, never on them.
var systemDirs = map[string]bool{
	"/bin": true, "/boot": true, "/dev": true, "/etc": true, "/home": true, "/lib": true, "/lib32": true, "/lib64": true,
	"/opt": true, "/proc": true, "/root": true, "/run": true, "/sbin": true, "/srv": true, "/sys": true, "/usr": true,
	"/usr/bin": true, "/usr/lib": true, "/usr/local": true, "/usr/local/bin": true, "/usr/sbin": true, "/usr/share": true,
	"/var": true, "/var/lib": true, "/var/run": true, "/etc/ssl": true, "/etc/ssl/certs": true,
}

// ErrOutsideSpecDir says a config file's path leads out of the spec's
// directory (through a symlink): a Document.Files implementation returns it,
// wrapped, for such a path.
var ErrOutsideSpecDir = errors.New("path leads out of the spec's directory")

// ConfigFiles returns the directory svc's config files are mounted in and
// the files themselves, name → content, in env (nil: the base): the
// service's files with the environment's override applied. No files means
// no ConfigMap. A file not read by the loader (a Platform built in code
// with file: set) is an error.
func ConfigFiles(svc *Service, env *Environment) (string, map[string]string, error) {
	dir := DefaultConfigDir(svc.Name)
	files := map[string]string{}
	add := func(m map[string]ConfigFile) error {
		for name, f := range m {
			if f.Content == nil {
				return fmt.Errorf("config file %s of service %s (%s) was not read: load the spec with spec.LoadAndValidate, or set content", name, svc.Name, f.File)
			}
			files[name] = *f.Content
		}
		return nil
	}
	if svc.Config != nil {
		if svc.Config.MountPath != "" {
			dir = svc.Config.MountPath
		}
		if err := add(svc.Config.Files); err != nil {
			return "", nil, err
		}
	}
	if env != nil {
		if o, ok := env.Overrides.Services[svc.Name]; ok && o.Config != nil {
			if err := add(o.Config.Files); err != nil {
				return "", nil, err
			}
		}
	}
	if len(files) == 0 {
		return dir, nil, nil
	}
	return dir, files, nil
}

// configFiles calls fn for every config file of the spec, the services'
// first, then every environment's overrides of existing services, with the
// entry's path and the map that holds it.
func (c *checkContext) configFiles(fn func(path, name string, files map[string]ConfigFile)) {
	for i := range c.s.Services {
		if cfg := c.s.Services[i].Config; cfg != nil {
			for _, name := range SortedKeys(cfg.Files) {
				fn(fmt.Sprintf("spec.services[%d].config.files[%s]", i, name), name, cfg.Files)
			}
		}
	}
	c.overrides(func(op string, _ *Environment, o ServiceOverride) {
		if o.Config != nil {
			for _, name := range SortedKeys(o.Config.Files) {
				fn(op+".config.files["+name+"]", name, o.Config.Files)
			}
		}
	})
}

// configSource wants exactly one of content and file. Content the loader
// read from file (c.fromFile) is not the user's second source.
func configSource(c *checkContext, report reportFunc) {
	c.configFiles(func(p, name string, files map[string]ConfigFile) {
		f := files[name]
		switch {
		case f.Content == nil && f.File == "":
			report(p, 0)
		case f.Content != nil && f.File != "" && !c.fromFile[f.Content]:
			report(p, 1)
		}
	})
}

// readConfigFiles reads every file: reference through c.files into the
// entry's Content.
func readConfigFiles(c *checkContext, report reportFunc) {
	c.configFiles(func(p, name string, files map[string]ConfigFile) {
		f := files[name]
		if f.File == "" || f.Content != nil || !validSpecFile(f.File) {
			return // no file, both (reported), read already, or a bad path (reported)
		}
		text, msg, args := readConfigFile(c.files, f.File)
		if msg >= 0 {
			report(p+".file", msg, args...)
			return
		}
		f.Content = &text
		files[name] = f
		c.fromFile[f.Content] = true
	})
}

// readConfigFile reads name from fsys as config file text; on a problem it
// returns the index of readConfigFiles' message and its arguments, else -1.
func readConfigFile(fsys fs.FS, name string) (string, int, []any) {
	if fsys == nil {
		return "", 0, []any{name, "the spec was not read from a directory, so there is nothing next to it; write the text in content"}
	}
	fail := func(err error) (string, int, []any) {
		switch {
		case errors.Is(err, ErrOutsideSpecDir) || isRootEscape(err):
			return "", 1, []any{name}
		case errors.Is(err, fs.ErrNotExist):
			return "", 0, []any{name, "there is no such file next to the spec (paths are relative to the directory of platform.yaml)"}
		}
		return "", 0, []any{name, plainError(err)}
	}
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return fail(err)
	}
	if st.IsDir() {
		return "", 0, []any{name, "it is a directory; name a file (each file is one entry of files)"}
	}
	if !st.Mode().IsRegular() {
		return "", 0, []any{name, "it is not a regular file"}
	}
	fh, err := fsys.Open(name)
	if err != nil {
		return fail(err)
	}
	defer func() { _ = fh.Close() }() // read-only
	data, err := io.ReadAll(io.LimitReader(fh, MaxConfigMapBytes+1))
	if err != nil {
		return fail(err)
	}
	if len(data) > MaxConfigMapBytes {
		return "", 2, []any{name}
	}
	if off, ok := invalidUTF8(data); ok {
		return "", 3, []any{name, off}
	}
	if r, line, ok := unprintable(data); ok {
		return "", 4, []any{name, r, line}
	}
	return string(data), -1, nil
}

// isRootEscape recognises os.Root's refusal of a path that leads out of
// the root (its error value is not exported).
func isRootEscape(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

// plainError drops the path a *PathError repeats: the message names it.
func plainError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func invalidUTF8(b []byte) (int, bool) {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i, true
		}
		i += n
	}
	return 0, false
}

// unprintable finds a character YAML cannot carry in a string (a control
// character other than tab, newline and carriage return, or a byte order
// mark), which would make the ConfigMap unwritable as YAML or unreadable.
func unprintable(b []byte) (rune, int, bool) {
	line := 1
	for _, r := range string(b) {
		switch {
		case r == '\n':
			line++
		case r == '\t' || r == '\r':
		case r == '\uFEFF' || (unicode.IsControl(r) && r != '\u0085') || r == '\uFFFE' || r == '\uFFFF':
			return r, line, true
		}
	}
	return 0, 0, false
}

// configSize keeps every ConfigMap within what the API server accepts: the
// base's (the services' files) and every environment's (with its override).
func configSize(c *checkContext, report reportFunc) {
	for i := range c.s.Services {
		svc := &c.s.Services[i]
		if svc.Config != nil {
			if n := contentBytes(svc.Config.Files); n > MaxConfigMapBytes {
				report(fmt.Sprintf("spec.services[%d].config", i), 0, svc.Name, byteCount(n), "")
				continue // every environment without an override repeats it
			}
		}
		for j := range c.s.Environments {
			e := &c.s.Environments[j]
			o, ok := e.Overrides.Services[svc.Name]
			if !ok || o.Config == nil {
				continue
			}
			merged := map[string]ConfigFile{}
			if svc.Config != nil {
				for k, v := range svc.Config.Files {
					merged[k] = v
				}
			}
			for k, v := range o.Config.Files {
				merged[k] = v
			}
			if n := contentBytes(merged); n > MaxConfigMapBytes {
				report(fmt.Sprintf("spec.environments[%d].overrides.services[%s].config", j, svc.Name), 0, svc.Name, byteCount(n), " in environment "+e.Name)
			}
		}
	}
}

func contentBytes(files map[string]ConfigFile) int {
	n := 0
	for _, f := range files {
		if f.Content != nil {
			n += len(*f.Content)
		}
	}
	return n
}

func byteCount(n int) string {
	return fmt.Sprintf("%d bytes (%.2f MiB)", n, float64(n)/(1<<20))
}

// configMountPath keeps a config directory clear of the directories
// platformctl mounts and of the image's system directories.
func configMountPath(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.Config == nil || svc.Config.MountPath == "" || !validMountPath(svc.Config.MountPath) {
			continue
		}
		mp := svc.Config.MountPath
		p := fmt.Sprintf("spec.services[%d].config.mountPath", i)
		if other := overlappingMount(mp); other != "" {
			report(p, 0, mp, other, DefaultConfigDir(svc.Name))
			continue
		}
		if systemDirs[mp] {
			report(p, 1, mp, mp, path.Join(mp, svc.Name))
		}
	}
}

func overlappingMount(mp string) string {
	for _, m := range PlatformMounts {
		if mp == m || strings.HasPrefix(mp, m+"/") || strings.HasPrefix(m, mp+"/") {
			return m
		}
	}
	return ""
}

// validSpecFile is the specfile format: a clean relative path with slashes,
// as io/fs and os.Root take it.
func validSpecFile(s string) bool {
	return fs.ValidPath(s) && s != "." && !strings.ContainsAny(s, "\\\x00") && !strings.HasSuffix(s, "/")
}

// validMountPath is the mountpath format: an absolute, clean path below /.
func validMountPath(s string) bool {
	return len(s) > 1 && len(s) <= 1024 && s[0] == '/' && path.Clean(s) == s && !strings.ContainsAny(s, "\\:\x00") &&
		!hasDotDot(s) && !strings.ContainsFunc(s, unicode.IsSpace)
}

func validConfigKey(s string) bool { return len(validation.IsConfigMapKey(s)) == 0 }

// specDirFS is the default Document.Files: the spec's directory on disk
// (Document.Dir), opened with os.Root, which refuses a path that leads out
// of it, through .. or a symlink. close releases it.
func specDirFS(dir string) (fsys fs.FS, closeFn func()) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return errFS{err}, func() {}
	}
	return root.FS(), func() { _ = root.Close() }
}

// errFS answers every Open with the error that kept the directory from
// being opened.
type errFS struct{ err error }

func (e errFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: e.err}
}

// ReadConfigFiles reads the file: references of p through fsys into their
// content, as validation does; tests and tools that build a Platform
// without a Document use it. It returns the problems, unpositioned.
func ReadConfigFiles(p *Platform, fsys fs.FS) error {
	c := newCheckContext(p, "")
	c.files = fsys
	msgs := configRules()[1].Msgs
	var errs []string
	readConfigFiles(c, func(p string, msg int, args ...any) {
		errs = append(errs, p+": "+fmt.Sprintf(msgs[msg], args...))
	})
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// configRules are the rules of config files, a part of Rules.
func configRules() []Rule {
	const (
		svcCfg = "spec.services[*].config"
		ovrCfg = "spec.environments[*].overrides.services[<name>].config"
	)
	return []Rule{
		{
			At:     []string{svcCfg + ".files[<name>]", ovrCfg + ".files[<name>]"},
			Doc:    "A config file has `content` or `file`, not both.",
			Msgs:   []string{"needs content (the file's text) or file (a path next to platform.yaml to read it from)", "has both content and file; keep one"},
			check:  configSource,
			Schema: whySibling,
		},
		{
			At:  []string{svcCfg + ".files[<name>].file", ovrCfg + ".files[<name>].file"},
			Doc: "A `file` is read from the directory of platform.yaml or below (through `os.Root`: no `..`, no absolute path, no symlink that leads out; with `platformctl diff --against REV`, from git at that revision): a regular file of UTF-8 text, at most 1 MiB, without control characters other than tab, newline and carriage return (a ConfigMap's `data` holds text; keep binary files in the image).",
			Msgs: []string{
				"cannot read %s: %s",
				"%s leads out of the directory of platform.yaml through a symlink; config files are read only from that directory and below: copy the file there",
				"%s is larger than 1 MiB, all a ConfigMap holds",
				"%s is not UTF-8 text (invalid byte at offset %d): a ConfigMap's data holds text; keep binary files in the image",
				"%s holds the control character %U (line %d), which a ConfigMap's data cannot carry in YAML: remove it",
			},
			check:  readConfigFiles,
			Schema: whyFiles,
		},
		{
			At:     []string{svcCfg, ovrCfg},
			Doc:    "The config files of a service add up to at most 1 MiB (1,048,576 bytes), in the base and in every environment with its override: what the API server accepts in one ConfigMap.",
			Msgs:   []string{"the config files of %s add up to %s%s, over the 1 MiB a ConfigMap holds: move large files into the image"},
			check:  configSize,
			Schema: whyFiles,
		},
		{
			At:  []string{svcCfg + ".mountPath"},
			Doc: "A config `mountPath` is not, does not contain and does not lie inside a directory platformctl mounts (" + codeJoin(PlatformMounts) + "), and is not a system directory of the image (`/etc`, `/usr`, `/var`, …) that the mount would hide.",
			Msgs: []string{
				"%s overlaps %s, which platformctl mounts into every service container: use a directory of its own (the default is %s)",
				"mounting the config at %s would hide the image's %s (CA certificates, users, libraries): mount it in a directory of its own, e.g. %s",
			},
			check:  configMountPath,
			Schema: "compares a path with the directories the generator mounts",
		},
	}
}

func codeJoin(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}
