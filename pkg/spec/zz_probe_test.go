package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func TestZZProbe(t *testing.T) {
	dir := os.Getenv("PROBE_DIR")
	if dir == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	sort.Strings(files)
	for _, f := range files {
		data, _ := os.ReadFile(f)
		name := filepath.Base(f)
		d, err := Parse(name, data)
		if d != nil {
			err = Finish(d)
		}
		fmt.Printf("=== %s\n%v\n", name, err)
	}
}
