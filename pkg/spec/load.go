package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/textdist"
	"github.com/platformctl/platformctl/pkg/yamlsyntax"
)

// MaxFileSize bounds what Load reads: a platform spec is a few kilobytes, so
// anything near this is a mistake (or an attack) and is refused before parsing.
const MaxFileSize = 4 << 20

// maxErrors keeps a badly broken file from producing pages of noise.
const maxErrors = 50

// tooManyErrors ends a list cut at maxErrors, at the position where it stops.
const tooManyErrors = "too many errors; stopping"

// Pos is a 1-based line and column in the source file.
type Pos struct {
	Line int
	Col  int
}

// Document is a loaded spec together with the source position of every field,
// so that later stages (validation, lint) can point back at the user's file.
type Document struct {
	// File is the path the spec was read from, as given by the user.
	File string
	// Dir is the directory files the spec names are read from (its
	// components): the spec's own, or "" when it was not read from a file.
	Dir string
	// Platform is the decoded spec, before defaults.
	Platform *Platform
	// positions maps a field path (spec.services[1].port) to its value's position.
	positions map[string]Pos
	// keyPositions maps a map entry's path (spec.nodePools[gpu]) to its key's
	// position: a problem with the name itself belongs on the key, and a null
	// value has no useful position of its own.
	keyPositions map[string]Pos
	// badValues are the paths whose value had the wrong shape and was left
	// zero. Validate reports nothing beneath them: "is required" inside a value
	// that is not even a mapping only restates the decode error.
	badValues map[string]bool
	// explicitZero maps the path of a number written as 0 to the rules of
	// its field that come after omitempty: to the validator an explicit 0 is
	// "not set", so port: 0 would silently become the default 8080. Validate
	// applies the rules to the 0 itself (see explicitZeroErrors).
	explicitZero map[string]string
	// misspelled are the paths of the fields an unknown key was taken for
	// (spec.domain for domian): the key is the one mistake, so Validate does
	// not also report the field, or what it holds, as missing.
	misspelled map[string]bool
	// decodeErrs are the structural problems found while decoding; Validate
	// reports them together with the rule violations so a user sees all at once.
	decodeErrs ErrorList
	// Files is where the config files a spec names (config.files[*].file)
	// are read from while validating; nil is Dir on disk, opened with
	// os.Root so no path leads out of it (and nothing when Dir is ""). A
	// spec read from elsewhere (a git revision) sets it to read them from
	// there too.
	Files fs.FS
	// fromFile are the contents Validate read from Files (config.go).
	fromFile map[*string]bool
}

// Pos returns the position of path, or of its nearest ancestor that has one.
func (d *Document) Pos(path string) Pos {
	for p := path; ; {
		if pos, ok := d.positions[p]; ok {
			return pos
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return Pos{Line: 1, Col: 1}
		}
		p = p[:i]
	}
}

// underMisspelled says whether path is, or is inside, a field whose key was
// misspelled (see misspelled).
func (d *Document) underMisspelled(path string) bool {
	for p := path; ; {
		if d.misspelled[p] {
			return true
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return false
		}
		p = p[:i]
	}
}

// shapeHints say, for a number field (Type.Field) given a mapping, where
// the mapping belongs: a service's replicas is a count, while an
// environment override's replicas is a {min, max} range, and a user who
// copies one to the other deserves more than "expected an integer".
var shapeHints = map[string]string{
	"Service.Replicas": "a replica range goes in autoscale: {min, max} (replicas is a fixed count; only an environment override's replicas takes a range)",
}

func isNumber(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int32, reflect.Int64, reflect.Float64:
		return true
	}
	return false
}

// underBadValue says whether path is, or is inside, a value the decoder
// refused (see badValues).
func (d *Document) underBadValue(path string) bool {
	for p := path; ; {
		if d.badValues[p] {
			return true
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return d.badValues[""] // a refused top-level mapping (a tagged one)
		}
		p = p[:i]
	}
}

// Load reads and decodes path strictly. The returned error is an ErrorList
// when the file was readable; every problem found is in it, sorted by position.
func Load(path string) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: a close error loses nothing
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, ErrorList{{File: path, Pos: Pos{1, 1}, Msg: "not a regular file"}}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, ErrorList{{File: path, Pos: Pos{1, 1},
			Msg: fmt.Sprintf("file is larger than %d MiB; a platform spec is a few kilobytes", MaxFileSize>>20)}}
	}
	d, err := Parse(path, data)
	if d != nil {
		d.Dir = filepath.Dir(path)
	}
	return d, err
}

// Parse decodes data (named file in messages) strictly into a Document. When
// the top level is a mapping but some fields are wrong, it returns both the
// partial Document and the errors, so that Validate can add the rest.
func Parse(file string, data []byte) (*Document, error) {
	if len(data) > MaxFileSize {
		return nil, ErrorList{{File: file, Pos: Pos{1, 1},
			Msg: fmt.Sprintf("file is larger than %d MiB; a platform spec is a few kilobytes", MaxFileSize>>20)}}
	}
	if enc := textEncoding(data); enc != "" {
		return nil, ErrorList{{File: file, Pos: Pos{1, 1}, Msg: encodingMessage(enc, file)}}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, ErrorList{{File: file, Pos: Pos{1, 1}, Msg: "file is binary, not YAML"}}
	}
	if pos, msg, bad := badText(data); bad {
		return nil, ErrorList{{File: file, Pos: pos, Msg: "invalid YAML: " + msg}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrorList{{File: file, Pos: Pos{1, 1}, Msg: "file is empty; expected a Platform spec"}}
		}
		return nil, ErrorList{yamlSyntaxError(file, data, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, ErrorList{{File: file, Pos: Pos{extra.Line, extra.Column},
			Msg: "a second YAML document; a spec file holds exactly one Platform"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, ErrorList{yamlSyntaxError(file, data, err)}
	}
	doc := &Document{File: file, Platform: &Platform{}, positions: map[string]Pos{},
		keyPositions: map[string]Pos{}, badValues: map[string]bool{}, explicitZero: map[string]string{}, misspelled: map[string]bool{}}
	d := &decoder{file: file, doc: doc}
	body := &root
	if body.Kind == yaml.DocumentNode && len(body.Content) == 1 {
		body = body.Content[0]
	}
	if body.Kind == yaml.ScalarNode && body.Tag == "!!null" {
		return nil, ErrorList{{File: file, Pos: Pos{1, 1}, Msg: "file is empty; expected a Platform spec"}}
	}
	d.decode(body, reflect.ValueOf(doc.Platform).Elem(), "")
	if len(d.errs) > 0 {
		doc.decodeErrs = d.errs.sorted()
		if body.Kind != yaml.MappingNode {
			return nil, doc.decodeErrs
		}
		// The document is usable for validation, which adds what else is wrong.
		return doc, doc.decodeErrs
	}
	return doc, nil
}

func yamlSyntaxError(file string, data []byte, err error) FieldError {
	p, msg := yamlsyntax.Describe(data, err)
	return FieldError{File: file, Pos: Pos{p.Line, p.Col}, Msg: "invalid YAML: " + msg}
}

func badText(data []byte) (Pos, string, bool) {
	p, msg, bad := yamlsyntax.BadText(data)
	return Pos{p.Line, p.Col}, msg, bad
}

type decoder struct {
	file string
	doc  *Document
	errs ErrorList
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	if len(d.errs) == maxErrors {
		d.errs = append(d.errs, FieldError{File: d.file, Pos: Pos{n.Line, n.Column}, Msg: tooManyErrors})
	}
	if len(d.errs) > maxErrors {
		return
	}
	d.errs = append(d.errs, FieldError{File: d.file, Pos: Pos{n.Line, n.Column}, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// badValue reports a value of the wrong shape; it stays the zero value, so
// Validate must not report what is missing beneath it.
func (d *decoder) badValue(n *yaml.Node, path, format string, args ...any) {
	d.doc.badValues[path] = true
	d.errorf(n, path, format, args...)
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func nodeKind(n *yaml.Node) string { return yamlsyntax.NodeKind(n) }

// decode walks n into v by reflection. It exists instead of yaml.v3's own
// decoding because that stops at the first error and keeps no positions.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		// Aliases would let a small file expand into a huge value; a spec has
		// no use for them, so they are refused outright.
		d.badValue(n, path, "YAML anchors and aliases are not supported in a platform spec")
		return
	}
	if n.Tag == "!!merge" {
		d.badValue(n, path, "YAML merge keys are not supported in a platform spec")
		return
	}
	if !strings.HasPrefix(n.Tag, "!!") {
		// A local tag (!vault, !env) asks for processing the loader does not do.
		d.badValue(n, path, "YAML tag %s is not supported in a platform spec", n.Tag)
		return
	}
	d.doc.positions[path] = Pos{n.Line, n.Column}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // leave the zero value
	}
	switch v.Kind() {
	case reflect.Pointer:
		nv := reflect.New(v.Type().Elem())
		d.decode(n, nv.Elem(), path)
		v.Set(nv)
	case reflect.Struct:
		if key, ok := shorthands[v.Type()]; ok && n.Kind == yaml.ScalarNode {
			d.decodeShorthand(n, v, path, key)
			return
		}
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.badValue(n, path, "expected a list, got %s", nodeKind(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.String:
		if integerText[v.Type()] && n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || (n.Tag == "!!float" && allDigits(n.Value))) {
			// The same rules as for an integer field: 09090 and 0x10 are
			// read differently by different YAML readers.
			if msg := notDecimal(n.Value); msg != "" {
				d.badValue(n, path, "%s", msg)
				return
			}
			v.SetString(n.Value) // the range is the format's to judge
			return
		}
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
			if n.Kind == yaml.ScalarNode {
				d.badValue(n, path, "expected a string, got %s (quote it: %q)", nodeKind(n), shortText(n.Value))
			} else {
				d.badValue(n, path, "expected a string, got %s", nodeKind(n))
			}
			return
		}
		v.SetString(n.Value)
	case reflect.Int32, reflect.Int64:
		if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || (n.Tag == "!!float" && allDigits(n.Value))) {
			if msg := notDecimal(n.Value); msg != "" {
				d.badValue(n, path, "%s", msg)
				return
			}
		}
		if n.Kind == yaml.ScalarNode && n.Tag == "!!float" && allDigits(n.Value) {
			// YAML reads integers past 64 bits as floats.
			d.badValue(n, path, "integer %s is out of range", shortText(n.Value))
			return
		}
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.badValue(n, path, "expected an integer, got %s", nodeKind(n))
			return
		}
		i, err := strconv.ParseInt(n.Value, 10, v.Type().Bits())
		if errors.Is(err, strconv.ErrRange) {
			d.badValue(n, path, "integer %s is out of range", shortText(n.Value))
			return
		} else if err != nil {
			// Only an explicit !!int tag gets here with a non-number.
			d.badValue(n, path, "%q is not an integer", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			d.badValue(n, path, "expected a number, got %s", nodeKind(n))
			return
		}
		if n.Tag == "!!int" || allDigits(n.Value) {
			if msg := notDecimal(n.Value); msg != "" {
				d.badValue(n, path, "%s", msg)
				return
			}
		}
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			d.badValue(n, path, "invalid number %q", n.Value)
			return
		}
		v.SetFloat(f)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.badValue(n, path, "expected true or false, got %s", nodeKind(n))
			return
		}
		// An explicit !!bool tag can carry any text; "!!bool yes" must not
		// silently become false.
		switch n.Value {
		case "true", "True", "TRUE":
			v.SetBool(true)
		case "false", "False", "FALSE":
			v.SetBool(false)
		default:
			d.badValue(n, path, "expected true or false, got %q", n.Value)
		}
	default:
		d.badValue(n, path, "unsupported field type %s", v.Type())
	}
}

// fieldIndex maps json names to struct field indexes for one struct type.
func fieldIndex(t reflect.Type) (map[string]int, []string) {
	idx := map[string]int{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		idx[name] = i
		names = append(names, name)
	}
	return idx, names
}

// decodeShorthand reads a plain string written where a mapping of type
// v.Type() may stand (see shorthands) into the field key.
func (d *decoder) decodeShorthand(n *yaml.Node, v reflect.Value, path, key string) {
	if n.Tag != "!!str" {
		d.badValue(n, path, "expected a %s name or a mapping, got %s", key, nodeKind(n))
		return
	}
	idx, _ := fieldIndex(v.Type())
	d.decode(n, v.Field(idx[key]), join(path, key))
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.badValue(n, path, "expected a mapping, got %s", nodeKind(n))
		return
	}
	idx, names := fieldIndex(v.Type())
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "keys must be strings")
			continue
		}
		if k.Tag == "!!merge" {
			d.errorf(k, path, "YAML merge keys are not supported in a platform spec")
			continue
		}
		fp := join(path, k.Value)
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, fp, "duplicate key (first defined at line %d)", prev.Line)
			continue
		}
		seen[k.Value] = k
		fi, ok := idx[k.Value]
		if !ok {
			msg := fmt.Sprintf("unknown field %q", k.Value)
			if s := suggest(k.Value, names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
				d.doc.misspelled[join(path, s)] = true
			} else {
				msg += "; valid fields: " + strings.Join(sortedCopy(names), ", ")
			}
			d.errorf(k, fp, "%s", msg)
			continue
		}
		if hint := shapeHints[v.Type().Name()+"."+v.Type().Field(fi).Name]; hint != "" && val.Kind == yaml.MappingNode && isNumber(v.Field(fi).Type()) {
			d.badValue(val, fp, "expected an integer, got a mapping; %s", hint)
			continue
		}
		d.decode(val, v.Field(fi), fp)
		d.noteExplicitZero(val, v.Type().Field(fi), v.Field(fi), fp)
	}
}

// noteExplicitZero records a number written as 0 in an optional field (see
// Document.explicitZero). A null value stays "not set", as everywhere.
func (d *decoder) noteExplicitZero(n *yaml.Node, f reflect.StructField, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || d.doc.badValues[path] {
		return
	}
	switch v.Kind() {
	case reflect.Int32, reflect.Int64, reflect.Float64:
	default:
		return
	}
	if !v.IsZero() {
		return
	}
	if rest, ok := strings.CutPrefix(f.Tag.Get("validate"), "omitempty,"); ok {
		d.doc.explicitZero[path] = rest
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.badValue(n, path, "expected a mapping, got %s", nodeKind(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			d.errorf(k, path, "YAML merge keys are not supported in a platform spec")
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "keys must be plain strings")
			continue
		}
		fp := fmt.Sprintf("%s[%s]", path, k.Value)
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, fp, "duplicate key (first defined at line %d)", prev.Line)
			continue
		}
		seen[k.Value] = k
		d.doc.keyPositions[fp] = Pos{k.Line, k.Column}
		ev := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, ev, fp)
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), ev)
	}
	v.Set(m)
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

// suggest returns the candidate closest to s when it is close enough to be a typo.
func suggest(s string, candidates []string) string {
	limit := 2
	if len(s) > 8 {
		limit = 3
	}
	return textdist.Closest(s, candidates, limit)
}

// notDecimal explains why the text of an integer is not plain decimal, or
// returns "". One rule for every integer in the spec: YAML readers disagree
// on everything else. go-yaml v3 (this loader) reads 010 as octal 8 and 080
// as a float, YAML 1.2 reads 010 as 10, and 0x10, 0o10 and 1_000 are
// numbers to some readers and strings to others (editors checking the JSON
// Schema among them), so the value the user meant is never guessed.
func notDecimal(text string) string {
	t := strings.TrimLeft(text, "+-")
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "0x"), strings.HasPrefix(lower, "0o"), strings.HasPrefix(lower, "0b"):
		if i, err := strconv.ParseInt(strings.ReplaceAll(text, "_", ""), 0, 64); err == nil {
			return fmt.Sprintf("%s is not a decimal integer: write it in decimal (%d)", shortText(text), i)
		}
		return fmt.Sprintf("%s is not a decimal integer: write it in decimal", shortText(text))
	case strings.Contains(t, "_"):
		return fmt.Sprintf("%s is not a decimal integer: write it without '_' (%s)", shortText(text), shortText(strings.ReplaceAll(text, "_", "")))
	case len(t) > 1 && t[0] == '0' && t[1] >= '0' && t[1] <= '9':
		return fmt.Sprintf("%s has a leading 0, which YAML readers take as octal or as decimal: write it without the leading 0", shortText(text))
	}
	return ""
}

// allDigits says whether s is an optionally signed run of decimal digits.
func allDigits(s string) bool {
	s = strings.TrimLeft(s, "+-")
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// shortText cuts a value quoted in a message to a readable length.
func shortText(s string) string {
	if v, ok := shorten(s).(string); ok {
		return v
	}
	return s
}
