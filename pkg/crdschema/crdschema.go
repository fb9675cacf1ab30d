// Package crdschema holds the OpenAPI schemas of CustomResourceDefinitions,
// by apiVersion and kind, for lint's schema rules: the add-on CRDs whose
// resources platformctl renders (bundled: the upstream CRDs in
// testdata/crds, reduced to what validation reads, compressed into the
// binary by internal/gencrds) and the user's own (lint --crds DIR).
package crdschema

import (
	"bytes"
	_ "embed" // the bundled schemas
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/internal/gzjson"
)

//go:generate go run ./internal/gencrds

// Schema is one served version of a CRD: the object's schema
// (openAPIV3Schema) as JSON values.
type Schema struct {
	Group   string         `json:"group"`
	Version string         `json:"version"`
	Kind    string         `json:"kind"`
	Schema  map[string]any `json:"schema"`
}

// APIVersion is group/version.
func (s *Schema) APIVersion() string { return s.Group + "/" + s.Version }

// Set is schemas by "apiVersion kind".
type Set struct {
	byKey map[string]*Schema
}

// Lookup returns the schema of objects of apiVersion and kind.
func (s *Set) Lookup(apiVersion, kind string) (*Schema, bool) {
	if s == nil {
		return nil, false
	}
	sc, ok := s.byKey[apiVersion+" "+kind]
	return sc, ok
}

// Len is the number of schemas.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.byKey)
}

func (s *Set) add(sc *Schema) {
	if s.byKey == nil {
		s.byKey = map[string]*Schema{}
	}
	s.byKey[sc.APIVersion()+" "+sc.Kind] = sc
}

//go:embed bundled.json.gz
var bundledData []byte

// Bundled is the add-on CRDs' schemas, decoded on first use (a run that
// meets no custom resource never pays for it).
var Bundled = sync.OnceValue(func() *Set {
	set, err := decodeBundled(bundledData)
	if err != nil {
		// The data is generated and tested; a broken build must not pass.
		panic(fmt.Sprintf("crdschema: bundled schemas: %v", err))
	}
	return set
})

func decodeBundled(data []byte) (*Set, error) {
	var list []*Schema
	if err := gzjson.Unmarshal(data, &list); err != nil {
		return nil, err
	}
	set := &Set{}
	for _, sc := range list {
		set.add(sc)
	}
	return set, nil
}

// Encode writes schemas as the bundled data: sorted, compressed,
// byte-for-byte the same for the same input.
func Encode(list []*Schema) ([]byte, error) {
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		return a.APIVersion()+" "+a.Kind < b.APIVersion()+" "+b.Kind
	})
	return gzjson.Marshal(list)
}

// kept are the schema keywords the schema rules read; descriptions,
// defaults, CEL validations and examples are dropped from bundled data.
var kept = map[string]bool{
	"type": true, "properties": true, "additionalProperties": true, "items": true, "required": true,
	"enum": true, "format": true, "nullable": true,
	"x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true, "x-kubernetes-embedded-resource": true,
}

// Reduce keeps what validation reads of a schema.
func Reduce(s map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range s {
		if !kept[k] {
			continue
		}
		switch k {
		case "properties":
			props := map[string]any{}
			if m, ok := v.(map[string]any); ok {
				for name, p := range m {
					if pm, ok := p.(map[string]any); ok {
						props[name] = Reduce(pm)
					}
				}
			}
			out[k] = props
		case "items", "additionalProperties":
			if m, ok := v.(map[string]any); ok {
				out[k] = Reduce(m)
			} else {
				out[k] = v
			}
		default:
			out[k] = v
		}
	}
	return out
}

// FromCRD reads the served versions of one CustomResourceDefinition (as
// JSON values); ok is false for anything else.
func FromCRD(doc map[string]any) (list []*Schema, ok bool, err error) {
	if doc["kind"] != "CustomResourceDefinition" || !strings.HasPrefix(fmt.Sprint(doc["apiVersion"]), "apiextensions.k8s.io/") {
		return nil, false, nil
	}
	spec, _ := doc["spec"].(map[string]any)
	group, _ := spec["group"].(string)
	names, _ := spec["names"].(map[string]any)
	kind, _ := names["kind"].(string)
	if group == "" || kind == "" {
		return nil, true, errors.New("a CustomResourceDefinition without spec.group or spec.names.kind")
	}
	versions, _ := spec["versions"].([]any)
	for _, v := range versions {
		vm, _ := v.(map[string]any)
		name, _ := vm["name"].(string)
		if served, _ := vm["served"].(bool); !served || name == "" {
			continue
		}
		schema, _ := vm["schema"].(map[string]any)
		open, _ := schema["openAPIV3Schema"].(map[string]any)
		if open == nil {
			continue // no schema: anything goes, nothing to check
		}
		list = append(list, &Schema{Group: group, Version: name, Kind: kind, Schema: Reduce(open)})
	}
	return list, true, nil
}

// LoadDirs reads the CRDs of each folder; a kind defined in more than one
// is the last folder's.
func LoadDirs(dirs []string) (*Set, error) {
	set := &Set{}
	for _, d := range dirs {
		one, err := LoadDir(d)
		if err != nil {
			return nil, err
		}
		for _, sc := range one.byKey {
			set.add(sc)
		}
	}
	return set, nil
}

// LoadDir reads every CRD in the YAML and JSON files under dir (other
// documents are skipped). A file that is not YAML, or a CRD without its
// group or kind, is an error naming the file.
func LoadDir(dir string) (*Set, error) {
	set := &Set{}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("--crds: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("--crds %s: not a directory (a folder of CustomResourceDefinition files)", dir)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		switch filepath.Ext(path) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		list, err := fromFile(data)
		if err != nil {
			return fmt.Errorf("--crds: %s: %w", path, err)
		}
		for _, sc := range list {
			set.add(sc)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return set, nil
}

// fromFile reads the CRDs of one file's documents.
func fromFile(data []byte) ([]*Schema, error) {
	var out []*Schema
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 1; ; i++ {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		list, _, err := FromCRD(m)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		out = append(out, list...)
	}
}

// Bundle is the bundled data for the CRDs under dir (gencrds; the test
// that the embedded data is current calls it too).
func Bundle(dir string) ([]byte, error) {
	set, err := LoadDir(dir)
	if err != nil {
		return nil, err
	}
	list := make([]*Schema, 0, len(set.byKey))
	for _, sc := range set.byKey {
		list = append(list, sc)
	}
	return Encode(list)
}
