package lint

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/lintbench"
)

// TestDecodeFastPathMatchesGoYAML: Decode (fast decoder when it takes the
// input) and the go-yaml path give the same objects, trees and errors on
// every YAML file of the repository and of the lint corpus.
func TestDecodeFastPathMatchesGoYAML(t *testing.T) {
	corpus := t.TempDir()
	if _, err := lintbench.Generate(corpus, 2000, 40); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, root := range []string{"../../testdata", "../../examples", "rules/security/testdata", corpus} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := filepath.Ext(p); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 200 {
		t.Fatalf("only %d files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, gotErr := Decode(f, data)
		var want []*Object
		wantErr := checkText(f, data)
		if wantErr == nil {
			want, wantErr = decodeGoYAML(f, data)
		}
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("%s: error %v, go-yaml path %v", f, gotErr, wantErr)
			continue
		}
		if d := objectsDiff(got, want); d != "" {
			t.Errorf("%s: %s", f, d)
		}
	}
}

func objectsDiff(got, want []*Object) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d objects, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.File != w.File || g.Doc != w.Doc || g.APIVersion != w.APIVersion || g.Kind != w.Kind ||
			g.Name != w.Name || g.Namespace != w.Namespace ||
			!reflect.DeepEqual(g.Labels, w.Labels) || !reflect.DeepEqual(g.Annotations, w.Annotations) {
			return fmt.Sprintf("object %d: identity differs: %s vs %s", i, g.Ref(), w.Ref())
		}
		if d := treeDiff(g.Root, w.Root, g.Ref()); d != "" {
			return d
		}
	}
	return ""
}

// treeDiff compares everything but comments, which the fast decoder drops.
func treeDiff(g, w *yaml.Node, path string) string {
	if g.Kind != w.Kind || g.Style != w.Style || g.Tag != w.Tag || g.Value != w.Value ||
		g.Line != w.Line || g.Column != w.Column || g.Anchor != w.Anchor || len(g.Content) != len(w.Content) {
		return fmt.Sprintf("%s: %+v\n want %+v", path, *g, *w)
	}
	for i := range g.Content {
		if d := treeDiff(g.Content[i], w.Content[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
			return d
		}
	}
	return ""
}
