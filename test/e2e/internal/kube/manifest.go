// Package kube submits rendered manifests to an API server and reports, per
// object, everything the server objected to: rejections and warnings alike.
package kube

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Decode splits a multi-document YAML (or JSON) stream into objects. Empty
// documents are skipped; List kinds are flattened, since kubectl accepts them
// and a renderer could emit one.
func Decode(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for i := 0; ; i++ {
		var raw map[string]any
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(raw) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: raw}
		if u.GetKind() == "" || u.GetAPIVersion() == "" {
			return nil, fmt.Errorf("document %d has no apiVersion/kind", i)
		}
		if u.IsList() {
			list, err := u.ToList()
			if err != nil {
				return nil, fmt.Errorf("document %d: %w", i, err)
			}
			for j := range list.Items {
				objs = append(objs, &list.Items[j])
			}
			continue
		}
		objs = append(objs, u)
	}
}

// ReadDir decodes every *.yaml/*.yml/*.json file below dir, in lexical path
// order so runs are reproducible.
func ReadDir(dir string) ([]*unstructured.Unstructured, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				paths = append(paths, path)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walking %s: %w", dir, err)
	}
	sort.Strings(paths)
	var objs []*unstructured.Unstructured
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		o, err := Decode(data)
		if err != nil {
			return nil, fmt.Errorf("decoding %s: %w", p, err)
		}
		objs = append(objs, o...)
	}
	return objs, nil
}

// Ref names an object the way the failure reports do: Kind namespace/name.
func Ref(u *unstructured.Unstructured) string {
	if ns := u.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", u.GetKind(), ns, u.GetName())
	}
	return fmt.Sprintf("%s %s", u.GetKind(), u.GetName())
}

// Duplicates reports objects that appear more than once in one rendered
// environment. The API server cannot see this — each apply just overwrites
// the previous one — but it means one of the two renderings is lost.
func Duplicates(objs []*unstructured.Unstructured) []Problem {
	seen := map[string]int{}
	var problems []Problem
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		key := gvk.Group + "/" + gvk.Kind + "/" + o.GetNamespace() + "/" + o.GetName()
		seen[key]++
		if seen[key] == 2 {
			problems = append(problems, Problem{Object: Ref(o), Reason: ReasonDuplicate, Message: "rendered more than once"})
		}
	}
	return problems
}
