package lintinput

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

const fifoPod = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"

// within fails the test when fn does not return in time: reading a FIFO
// that has no writer blocks forever.
func within(t *testing.T, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("blocked")
		return nil
	}
}

// TestFIFOsAndHugeFiles: a FIFO or a 2 GiB sparse file that Kustomize
// would read (a resource, a patch, a generator's file) or that sits in a
// folder argument is an input error at once, at the entry naming it; a FIFO
// named on the command line (process substitution) is still read.
func TestFIFOsAndHugeFiles(t *testing.T) {
	t.Chdir(t.TempDir())
	for p, content := range map[string]string{
		"k/kustomization.yaml":        "resources:\n- cm.yaml\n- fifo.yaml\n",
		"k/cm.yaml":                   fifoPod,
		"p/kustomization.yaml":        "resources: [cm.yaml]\npatches:\n- path: fifo.yaml\n",
		"p/cm.yaml":                   fifoPod,
		"g/kustomization.yaml":        "configMapGenerator:\n- name: x\n  files: [data=fifo.txt]\n",
		"s/kustomization.yaml":        "resources: [cm.yaml, huge.yaml]\n",
		"s/cm.yaml":                   fifoPod,
		"folder/cm.yaml":              fifoPod,
		"sparse/cm.yaml":              fifoPod,
		"n/nested/kustomization.yaml": "resources: [fifo.yaml]\n",
		"n/kustomization.yaml":        "resources: [nested]\n",
	} {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	for _, f := range []string{"k/fifo.yaml", "p/fifo.yaml", "g/fifo.txt", "folder/fifo.yaml", "n/nested/fifo.yaml", "named.yaml"} {
		require.NoError(t, syscall.Mkfifo(f, 0o600))
	}
	for _, f := range []string{"s/huge.yaml", "sparse/huge.yaml", "huge.yaml"} {
		require.NoError(t, os.WriteFile(f, nil, 0o644))
		require.NoError(t, os.Truncate(f, 2<<30))
	}
	for _, tt := range []struct{ arg, want string }{
		{"k", "k/kustomization.yaml:3:3: resources[1]: fifo.yaml is not a regular file (a FIFO); Kustomize would block reading it"},
		{"p", "p/kustomization.yaml:3:9: patches[0].path: fifo.yaml is not a regular file (a FIFO)"},
		{"g", "g/kustomization.yaml:3:11: configMapGenerator[0].files[0]: fifo.txt is not a regular file (a FIFO)"},
		{"n", "n/nested/kustomization.yaml:1:13: resources[0]: fifo.yaml is not a regular file (a FIFO)"},
		{"s", "s/kustomization.yaml:1:22: resources[1]: huge.yaml is larger than 64 MiB; refusing to read it"},
		{"folder", "folder/fifo.yaml:1:1: not a regular file (a FIFO); lint reads only regular files inside folders"},
		{"sparse", "sparse/huge.yaml:1:1: larger than 64 MiB; refusing to read it"},
		{"huge.yaml", "huge.yaml:1:1: larger than 64 MiB; refusing to read it"},
	} {
		t.Run(tt.arg, func(t *testing.T) {
			start := time.Now()
			err := within(t, func() error {
				_, err := FromPaths([]string{tt.arg}, strings.NewReader(""), Options{})
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Less(t, time.Since(start), 2*time.Second, "nothing large was read")
		})
	}

	t.Run("a FIFO named on the command line is read", func(t *testing.T) {
		go func() {
			w, err := os.OpenFile("named.yaml", os.O_WRONLY, 0)
			if err == nil {
				_, _ = w.WriteString(fifoPod)
				_ = w.Close()
			}
		}()
		err := within(t, func() error {
			sets, err := FromPaths([]string{"named.yaml"}, strings.NewReader(""), Options{})
			if err == nil {
				assert.Equal(t, "c", sets[0].Objects[0].Name)
			}
			return err
		})
		require.NoError(t, err)
	})

	// What the walk cannot see (a file named by a remote base) is checked
	// by the file system krusty reads through.
	t.Run("bounded file system", func(t *testing.T) {
		fsys := boundedFS{filesys.MakeFsOnDisk()}
		_, err := within2(t, func() ([]byte, error) { return fsys.ReadFile("k/fifo.yaml") })
		require.EqualError(t, err, "k/fifo.yaml: not a regular file (a FIFO); lint reads only regular files")
		_, err = fsys.Open("huge.yaml")
		require.EqualError(t, err, "huge.yaml: larger than 64 MiB; refusing to read it")
		data, err := fsys.ReadFile("k/cm.yaml")
		require.NoError(t, err)
		assert.Equal(t, fifoPod, string(data))
	})
}

func within2(t *testing.T, fn func() ([]byte, error)) ([]byte, error) {
	t.Helper()
	var data []byte
	err := within(t, func() error {
		var err error
		data, err = fn()
		return err
	})
	return data, err
}
