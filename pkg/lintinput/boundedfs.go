package lintinput

import (
	"fmt"
	"os"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/platformctl/platformctl/pkg/lint"
)

// boundedFS is the file system krusty builds from: every file it reads
// must be a regular file of at most lint.MaxInputSize, the checks a file
// named on the command line gets. A FIFO listed as a resource would block
// the build forever, and a 2 GiB sparse file would be read whole.
// checkKustomization finds these first, at the entry naming them; this is
// what holds for the files it cannot see.
type boundedFS struct {
	filesys.FileSystem
}

func (b boundedFS) check(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return nil // the underlying call reports it
	}
	switch {
	case st.IsDir():
		return nil
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s: not a regular file (%s); lint reads only regular files", relToCwd(path), fileType(st.Mode()))
	case st.Size() > lint.MaxInputSize:
		return fmt.Errorf("%s: larger than %d MiB; refusing to read it", relToCwd(path), lint.MaxInputSize>>20)
	}
	return nil
}

// ReadFile reads a checked file.
func (b boundedFS) ReadFile(path string) ([]byte, error) {
	if err := b.check(path); err != nil {
		return nil, err
	}
	return b.FileSystem.ReadFile(path)
}

// Open opens a checked file.
func (b boundedFS) Open(path string) (filesys.File, error) {
	if err := b.check(path); err != nil {
		return nil, err
	}
	return b.FileSystem.Open(path)
}
