package envdiff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/platformctl/platformctl/pkg/spec"
)

// RevisionFS returns the directory of specPath as git holds it at rev, as
// an fs.FS for spec.Document.Files: the config files a spec names are read
// at the same revision as the spec, never from the working tree. Like
// os.Root on disk it refuses a path that leads out of the directory,
// through a symlink too (spec.ErrOutsideSpecDir); symlinks inside it are
// followed.
func RevisionFS(specPath, rev string) (fs.FS, error) {
	if strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("revision %q: a revision cannot start with '-'", rev)
	}
	dir := filepath.Dir(specPath)
	prefix, err := git(dir, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git repository: %w", specPath, err)
	}
	return &revFS{dir: dir, rev: rev, root: strings.TrimSuffix(strings.TrimSpace(string(prefix)), "/")}, nil
}

type revFS struct {
	dir  string // where git runs
	rev  string
	root string // the spec's directory, relative to the repository's top ("" for the top)
}

// entry is one tree entry: its mode, type and object.
type entry struct{ mode, typ, object string }

// lookup returns the entry at rel (relative to the repository's top), or
// fs.ErrNotExist.
func (r *revFS) lookup(rel string) (entry, error) {
	out, err := git(r.dir, "ls-tree", "-z", "--full-tree", r.rev, "--", rel)
	if err != nil {
		return entry{}, err
	}
	line, _, _ := bytes.Cut(out, []byte{0})
	meta, name, ok := bytes.Cut(line, []byte{'\t'})
	f := strings.Fields(string(meta))
	if !ok || len(f) != 3 || string(name) != rel {
		return entry{}, fs.ErrNotExist
	}
	return entry{mode: f[0], typ: f[1], object: f[2]}, nil
}

// resolve follows symlinks in name (relative to the spec's directory),
// component by component, and returns the entry it ends at and its path
// relative to the spec's directory.
func (r *revFS) resolve(name string) (entry, string, error) {
	parts := strings.Split(name, "/")
	done := []string{} // resolved components, relative to the spec's directory
	for hops := 0; len(parts) > 0; {
		next := parts[0]
		parts = parts[1:]
		cur := path.Join(append(append([]string{}, done...), next)...)
		e, err := r.lookup(path.Join(r.root, cur))
		if err != nil {
			return entry{}, "", err
		}
		if e.mode != "120000" {
			done = append(done, next)
			if len(parts) == 0 {
				return e, cur, nil
			}
			if e.typ != "tree" {
				return entry{}, "", fs.ErrNotExist
			}
			continue
		}
		if hops++; hops > 40 {
			return entry{}, "", errors.New("too many levels of symbolic links")
		}
		target, err := git(r.dir, "cat-file", "blob", e.object)
		if err != nil {
			return entry{}, "", err
		}
		t := string(target)
		if path.IsAbs(t) {
			return entry{}, "", spec.ErrOutsideSpecDir
		}
		joined := path.Join(path.Join(done...), t)
		if joined == ".." || strings.HasPrefix(joined, "../") {
			return entry{}, "", spec.ErrOutsideSpecDir
		}
		done = done[:0]
		rest := parts
		parts = nil
		if joined != "." {
			parts = strings.Split(joined, "/")
		}
		parts = append(parts, rest...)
		if len(parts) == 0 {
			return entry{typ: "tree"}, ".", nil
		}
	}
	return entry{typ: "tree"}, ".", nil
}

// Open opens name, relative to the spec's directory, at the revision.
func (r *revFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &revFile{name: ".", dir: true}, nil
	}
	e, _, err := r.resolve(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("at %s: %w", r.rev, err)}
	}
	f := &revFile{name: path.Base(name), dir: e.typ == "tree", mode: e.mode}
	if e.typ == "blob" {
		data, err := git(r.dir, "cat-file", "blob", e.object)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		f.r = bytes.NewReader(data)
		f.size = int64(len(data))
	}
	return f, nil
}

// revFile is a file or directory read from git.
type revFile struct {
	name string
	dir  bool
	mode string
	size int64
	r    *bytes.Reader
}

func (f *revFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *revFile) Read(b []byte) (int, error) {
	if f.r == nil {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: errors.New("is a directory")}
	}
	return f.r.Read(b)
}
func (f *revFile) Close() error { return nil }

func (f *revFile) Name() string       { return f.name }
func (f *revFile) Size() int64        { return f.size }
func (f *revFile) ModTime() time.Time { return time.Time{} }
func (f *revFile) IsDir() bool        { return f.dir }
func (f *revFile) Sys() any           { return nil }
func (f *revFile) Mode() fs.FileMode {
	switch {
	case f.dir:
		return fs.ModeDir | 0o555
	case f.mode == "160000": // a submodule: not a file
		return fs.ModeIrregular
	}
	m, _ := strconv.ParseUint(f.mode, 8, 32)
	return fs.FileMode(m & 0o777)
}

var _ io.Reader = (*revFile)(nil)
