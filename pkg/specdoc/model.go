package specdoc

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// model is types.go as the document needs it: the doc comments exist only in
// the source, so the AST is the primary input; reflection over the compiled
// spec package supplies defaults and is cross-checked against the AST.
type model struct {
	fset    *token.FileSet
	structs map[string]*structType
	// basics maps a named non-struct type (Tier, Protocol, …) to its
	// underlying basic type: YAML only ever sees the underlying string.
	basics map[string]string
	// order is the breadth-first order of the struct types reachable from
	// Platform: top-level concepts first, details after.
	order []string
	// paths lists, per struct type, where it appears in a spec.
	paths map[string][]string
}

type structType struct {
	Name   string
	Doc    string
	Pos    token.Position
	Fields []*field
}

type field struct {
	Owner     string
	GoName    string
	YAML      string
	OmitEmpty bool
	Doc       string
	Pos       token.Position
	Type      *typeRef
	Validate  string
	cached    *cachedFacts
}

// key names a field the way the hand-written tables in this package do.
func (f *field) key() string { return f.Owner + "." + f.GoName }

type refKind int

const (
	kindBasic refKind = iota
	kindStruct
	kindPointer
	kindSlice
	kindMap
)

type typeRef struct {
	Kind refKind
	// Name is the basic type (string, int32, …) or the struct type name.
	Name string
	// Named is the named type of a basic one (Tier, PortRef), or "".
	Named string
	Elem  *typeRef
}

// deref strips pointers: YAML has no notion of them, only of optional keys.
func (t *typeRef) deref() *typeRef {
	for t.Kind == kindPointer {
		t = t.Elem
	}
	return t
}

// structName is the struct a field leads to through pointers, slices and
// maps, or "" for scalar data.
func (t *typeRef) structName() string {
	switch t.Kind {
	case kindStruct:
		return t.Name
	case kindPointer, kindSlice, kindMap:
		return t.Elem.structName()
	}
	return ""
}

// specDir finds pkg/spec next to this package's source. The document is
// generated from the source tree (the doc comments are not in the binary),
// so a binary built with -trimpath cannot regenerate it.
func specDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("specdoc: cannot locate its own source file")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "spec")
	if _, err := os.Stat(filepath.Join(dir, "types.go")); err != nil {
		return "", fmt.Errorf("specdoc: pkg/spec sources not found next to %s (built with -trimpath?): %w", file, err)
	}
	return dir, nil
}

// parseFile parses one Go file of pkg/spec with comments.
func parseFile(fset *token.FileSet, name string) (*ast.File, error) {
	dir, err := specDir()
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("specdoc: parse %s: %w", name, err)
	}
	return f, nil
}

var basicTypes = map[string]bool{"string": true, "bool": true, "int32": true, "int64": true, "float64": true}

// loadModel parses types.go and walks it from Platform.
func loadModel() (*model, error) {
	m := &model{fset: token.NewFileSet(), structs: map[string]*structType{}, basics: map[string]string{}, paths: map[string][]string{}}
	f, err := parseFile(m.fset, "types.go")
	if err != nil {
		return nil, err
	}
	type pending struct {
		name string
		st   *ast.StructType
		doc  string
		pos  token.Pos
	}
	var structs []pending
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts := s.(*ast.TypeSpec)
			doc := ts.Doc
			if doc == nil && len(gd.Specs) == 1 {
				doc = gd.Doc
			}
			switch t := ts.Type.(type) {
			case *ast.StructType:
				structs = append(structs, pending{ts.Name.Name, t, docText(doc), ts.Pos()})
			case *ast.Ident:
				if !basicTypes[t.Name] {
					return nil, fmt.Errorf("specdoc: type %s: underlying type %s is not supported", ts.Name.Name, t.Name)
				}
				m.basics[ts.Name.Name] = t.Name
			default:
				return nil, fmt.Errorf("specdoc: type %s: only structs and named basic types are supported", ts.Name.Name)
			}
		}
	}
	// Field types are resolved after every declaration is known, so that the
	// order of declarations in types.go does not matter.
	for _, p := range structs {
		st := &structType{Name: p.name, Doc: p.doc, Pos: m.fset.Position(p.pos)}
		for _, af := range p.st.Fields.List {
			if len(af.Names) == 0 {
				return nil, fmt.Errorf("specdoc: %s: embedded fields are not supported", st.Name)
			}
			tr, err := m.resolve(af.Type)
			if err != nil {
				return nil, fmt.Errorf("specdoc: %s: %w", st.Name, err)
			}
			var tag reflect.StructTag
			if af.Tag != nil {
				s, err := strconv.Unquote(af.Tag.Value)
				if err != nil {
					return nil, fmt.Errorf("specdoc: %s: tag %s: %w", st.Name, af.Tag.Value, err)
				}
				tag = reflect.StructTag(s)
			}
			for _, n := range af.Names {
				jsonName, opts, _ := strings.Cut(tag.Get("json"), ",")
				if jsonName == "-" {
					continue // not a spec field: something loaded with it
				}
				if jsonName == "" {
					return nil, fmt.Errorf("specdoc: %s.%s has no json name", st.Name, n.Name)
				}
				fd := &field{
					Owner: st.Name, GoName: n.Name, YAML: jsonName,
					OmitEmpty: strings.Contains(","+opts+",", ",omitempty,"),
					Doc:       docText(af.Doc), Pos: m.fset.Position(n.Pos()), Type: tr,
					Validate: tag.Get("validate"),
				}
				st.Fields = append(st.Fields, fd)
			}
		}
		m.structs[st.Name] = st
	}
	if m.structs["Platform"] == nil {
		return nil, fmt.Errorf("specdoc: types.go has no Platform type")
	}
	m.walk()
	return m, nil
}

func docText(g *ast.CommentGroup) string {
	if g == nil {
		return ""
	}
	return strings.Join(strings.Fields(g.Text()), " ")
}

func (m *model) resolve(e ast.Expr) (*typeRef, error) {
	switch t := e.(type) {
	case *ast.Ident:
		if basicTypes[t.Name] {
			return &typeRef{Kind: kindBasic, Name: t.Name}, nil
		}
		if b, ok := m.basics[t.Name]; ok {
			return &typeRef{Kind: kindBasic, Name: b, Named: t.Name}, nil
		}
		// Anything else must be a struct of this file; walk checks it exists.
		return &typeRef{Kind: kindStruct, Name: t.Name}, nil
	case *ast.StarExpr:
		el, err := m.resolve(t.X)
		return &typeRef{Kind: kindPointer, Elem: el}, err
	case *ast.ArrayType:
		if t.Len != nil {
			return nil, fmt.Errorf("arrays are not supported")
		}
		el, err := m.resolve(t.Elt)
		return &typeRef{Kind: kindSlice, Elem: el}, err
	case *ast.MapType:
		if k, ok := t.Key.(*ast.Ident); !ok || k.Name != "string" {
			return nil, fmt.Errorf("only map[string]… is supported")
		}
		el, err := m.resolve(t.Value)
		return &typeRef{Kind: kindMap, Elem: el}, err
	}
	return nil, fmt.Errorf("unsupported type expression %T", e)
}

// walk records the breadth-first order of struct types and every path at
// which each appears.
func (m *model) walk() {
	type item struct{ name, path string }
	queue := []item{{"Platform", ""}}
	seen := map[string]bool{}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		m.paths[it.name] = append(m.paths[it.name], it.path)
		if seen[it.name] {
			continue
		}
		seen[it.name] = true
		m.order = append(m.order, it.name)
		st := m.structs[it.name]
		if st == nil {
			continue // reported by check
		}
		for _, f := range st.Fields {
			if n := f.Type.structName(); n != "" {
				queue = append(queue, item{n, joinPath(it.path, f.YAML) + pathSuffix(f.Type)})
			}
		}
	}
}

func joinPath(base, name string) string {
	if base == "" {
		return name
	}
	return base + "." + name
}

// pathSuffix writes list items and map entries the way error paths do
// (spec.services[1], spec.nodePools[gpu]), with placeholders.
func pathSuffix(t *typeRef) string {
	switch t.Kind {
	case kindPointer:
		return pathSuffix(t.Elem)
	case kindSlice:
		return "[*]" + pathSuffix(t.Elem)
	case kindMap:
		return "[<name>]" + pathSuffix(t.Elem)
	}
	return ""
}

// check compares the AST with the compiled spec package, so a document is
// never generated from source that disagrees with the code it describes.
func (m *model) check() error {
	var problems []string
	rtypes := reflectTypes()
	for _, name := range m.order {
		st, rt := m.structs[name], rtypes[name]
		switch {
		case st == nil:
			problems = append(problems, fmt.Sprintf("type %s is used but not declared in types.go", name))
			continue
		case rt == nil:
			problems = append(problems, fmt.Sprintf("type %s is in types.go but not reachable in the compiled spec package", name))
			continue
		}
		var rfields []reflect.StructField
		for i := 0; i < rt.NumField(); i++ {
			if rt.Field(i).Tag.Get("json") != "-" {
				rfields = append(rfields, rt.Field(i))
			}
		}
		if len(rfields) != len(st.Fields) {
			problems = append(problems, fmt.Sprintf("%s has %d fields in types.go and %d compiled", name, len(st.Fields), len(rfields)))
			continue
		}
		for i, f := range st.Fields {
			rf := rfields[i]
			if rf.Name != f.GoName || rf.Tag.Get("validate") != f.Validate {
				problems = append(problems, fmt.Sprintf("%s.%s differs between types.go and the compiled package", name, f.GoName))
			}
		}
	}
	if len(rtypes) != len(m.order) {
		problems = append(problems, fmt.Sprintf("%d struct types compiled, %d found in types.go", len(rtypes), len(m.order)))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("specdoc: types.go does not match the compiled spec package (stale build?):\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// fieldByKey finds Type.Field.
func (m *model) fieldByKey(key string) *field {
	typ, name, _ := strings.Cut(key, ".")
	if st := m.structs[typ]; st != nil {
		for _, f := range st.Fields {
			if f.GoName == name {
				return f
			}
		}
	}
	return nil
}

// undocumented lists every struct and field of types.go without a doc
// comment, in file order so the list reads like compiler output.
func (m *model) undocumented() []string {
	type miss struct {
		line int
		text string
	}
	var out []miss
	for _, st := range m.structs {
		if st.Doc == "" {
			out = append(out, miss{st.Pos.Line, fmt.Sprintf("%s:%d: type %s", filepath.Base(st.Pos.Filename), st.Pos.Line, st.Name)})
		}
		for _, f := range st.Fields {
			if f.Doc == "" {
				out = append(out, miss{f.Pos.Line, fmt.Sprintf("%s:%d: %s", filepath.Base(f.Pos.Filename), f.Pos.Line, f.key())})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].line < out[j].line })
	lines := make([]string, len(out))
	for i, o := range out {
		lines[i] = o.text
	}
	return lines
}

// hasRequired says whether an object of type name must be written out: a
// non-optional object with a required key (metadata.name) is required too.
func (m *model) hasRequired(name string) bool {
	for _, f := range m.structs[name].Fields {
		ff, err := f.facts()
		if err == nil && ff.Required {
			return true
		}
		if f.Type.Kind == kindStruct && m.hasRequired(f.Type.Name) {
			return true
		}
	}
	return false
}
