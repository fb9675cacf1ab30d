package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// WriteFiles writes files (name → content) into dir, creating dir when
// missing. An existing file is refused unless force is set, and a symbolic
// link or directory in a file's place always is; either way nothing is
// written. Every file is staged next to its target before any target is
// replaced, so a failure while staging changes nothing. It returns the paths
// written, sorted.
func WriteFiles(dir string, files map[string][]byte, force bool) ([]string, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	if err := CheckTargets(dir, names, force); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	staged := map[string]string{}
	undo := func() {
		for _, tmp := range staged {
			_ = os.Remove(tmp)
		}
	}
	for _, name := range names {
		tmp, err := stage(dir, files[name], 0o644)
		if err != nil {
			undo()
			return nil, fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
		}
		staged[name] = tmp
	}
	var written []string
	for _, name := range names {
		p := filepath.Join(dir, name)
		if err := os.Rename(staged[name], p); err != nil {
			undo()
			return written, fmt.Errorf("write %s: %w", p, err)
		}
		delete(staged, name)
		written = append(written, p)
	}
	return written, nil
}

// ReplaceFile atomically replaces the content of the existing file path,
// keeping its permissions. A symbolic link is followed: the file it points
// to is edited and the link stays.
func ReplaceFile(path string, data []byte) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	info, err := os.Stat(real)
	if err != nil {
		return err
	}
	tmp, err := stage(filepath.Dir(real), data, info.Mode().Perm())
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, real); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// CheckTargets returns the error WriteFiles would return for files named
// names in dir, without writing: an existing file without force, or a
// symbolic link or directory in a file's place.
func CheckTargets(dir string, names []string, force bool) error {
	var exist []string
	for _, name := range names {
		p := filepath.Join(dir, name)
		info, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return err
		case info.Mode()&fs.ModeSymlink != 0:
			return refuse("%s is a symbolic link; refusing to write through it", p)
		case !info.Mode().IsRegular():
			return refuse("%s exists and is not a regular file", p)
		}
		exist = append(exist, p)
	}
	if len(exist) > 0 && !force {
		verb := "exist"
		if len(exist) == 1 {
			verb = "exists"
		}
		return refuse("%s already %s; nothing was written (--force overwrites)", strings.Join(exist, ", "), verb)
	}
	return nil
}

// stage writes data to a new temporary file in dir and returns its name.
func stage(dir string, data []byte, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, ".platformctl-*.tmp")
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	if err := os.Chmod(f.Name(), perm); err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
