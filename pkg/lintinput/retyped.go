package lintinput

import (
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/platformctl/platformctl/pkg/lint"
	"github.com/platformctl/platformctl/pkg/yamljson"
)

// retyped finds a value Kustomize changed the type of: it reads YAML 1.2,
// so a plain `privileged: yes` in a resource is the string "yes" to it and
// comes out of the build quoted, while kubectl reads the same file (YAML
// 1.1) as true. The built object then has a string where the API wants a
// boolean and is refused at apply, and no rule sees the privileged
// container the author wrote. It returns an input error at the origin
// field for each string in the build that, left plain, is the non-string
// value the origin file holds at the same path, where the object's schema
// (Kustomize's built-in Kubernetes OpenAPI) wants a boolean or a number.
// Elsewhere Kustomize's reading is the one that works (a label value
// `enabled: yes` becomes the string the API wants), and objects of kinds
// the schema does not know are left alone.
func retyped(file string, built, origin *lint.Object) []*lint.InputError {
	var found []*lint.InputError
	var walk func(n *yaml.Node, path string, segs []string)
	walk = func(n *yaml.Node, path string, segs []string) {
		if n == nil {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				walk(n.Content[i+1], joinPath(path, k), append(segs, k))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, path+"["+strconv.Itoa(i)+"]", append(segs, openapi.Elements))
			}
		case yaml.ScalarNode:
			if n.Tag != "!!str" {
				return
			}
			src := lint.At(origin.Root, path)
			if src == nil || src.Kind != yaml.ScalarNode || src.Tag == "!!str" || src.Tag == "!!null" {
				return
			}
			v, err := yamljson.Value(yamljson.Plain, "", n.Value)
			if err != nil || v.Kind == yamljson.String || v.Text != src.Value || !wantsScalar(built, segs) {
				return
			}
			found = append(found, &lint.InputError{File: file, Line: src.Line, Col: src.Column, Msg: fmt.Sprintf(
				"%s: Kustomize reads this value as the string %q (YAML 1.2) and writes it quoted, so the API server gets a string, not %s %s, and refuses the object; write %s",
				path, n.Value, kindArticle(v.Kind), v.Text, v.Text)})
		}
	}
	walk(built.Root, "", nil)
	return found
}

// wantsScalar says whether the schema of o's kind types the field at segs
// as a boolean, integer or number (so a string there is refused).
func wantsScalar(o *lint.Object, segs []string) bool {
	rs := openapi.SchemaForResourceType(kyaml.TypeMeta{APIVersion: o.APIVersion, Kind: o.Kind})
	if rs == nil {
		return false
	}
	f := rs.Lookup(segs...)
	if f == nil || f.Schema == nil || len(f.Schema.Type) != 1 {
		return false
	}
	switch f.Schema.Type[0] {
	case "boolean", "integer", "number":
		return true
	}
	return false
}

func kindArticle(k yamljson.Kind) string {
	if k == yamljson.Int {
		return "the integer"
	}
	if k == yamljson.Float {
		return "the number"
	}
	return "the " + k.String()
}

// joinPath appends a mapping key to a lint path, bracketing keys that
// hold a dot or a bracket.
func joinPath(path, key string) string {
	if strings.ContainsAny(key, ".[]") {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}
