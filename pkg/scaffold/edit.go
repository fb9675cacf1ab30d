// Package scaffold writes new platform specs (init, with the service
// skeleton templates) and adds entries to existing ones without reformatting
// them.
//
// An edit never re-marshals the file. yaml.v3 parses it only to find where
// things are; the new text is rendered in the indentation and style the file
// already uses and spliced into the original bytes, so comments, blank lines,
// key order, quoting, CRLF line breaks and a missing final newline survive
// exactly. Every edit is then checked twice: the result must decode to the
// original content plus exactly what was added (so a splice can never alter
// an existing value), and it must load and validate with the real spec
// loader. Anything else is refused and the caller writes nothing.
package scaffold

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/platformctl/platformctl/pkg/generate"
	"github.com/platformctl/platformctl/pkg/spec"
)

// RefusedError is an edit or a scaffold that was not made, with the spec
// problems that explain why (each file:line:col: path: message).
type RefusedError struct {
	Reason   string
	Problems spec.ErrorList
}

func (e *RefusedError) Error() string {
	if len(e.Problems) == 0 {
		return e.Reason
	}
	return e.Reason + "\n" + e.Problems.Error()
}

func refuse(format string, args ...any) error {
	return &RefusedError{Reason: fmt.Sprintf(format, args...)}
}

// editor collects splices against one file's original bytes.
type editor struct {
	file    string
	src     *source
	spec    *yaml.Node // the spec mapping
	specKey *yaml.Node
	st      style
	splices []splice
	want    any // the generic content the result must decode to
}

type splice struct {
	at, del int
	text    string
}

// newEditor parses data, which must be a spec that loads and validates.
func newEditor(file string, data []byte) (*editor, *spec.Document, error) {
	d, err := spec.Parse(file, data)
	if err == nil {
		d.Dir = filepath.Dir(file) // the files it names (config files, components) are next to it
		err = spec.Validate(d)
	}
	if err != nil {
		var list spec.ErrorList
		if errors.As(err, &list) {
			return nil, nil, &RefusedError{Reason: file + " is not a valid spec; fix it first:", Problems: list}
		}
		return nil, nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", file, err)
	}
	e := &editor{file: file, src: newSource(data)}
	root := doc.Content[0]
	e.specKey, e.spec = lookup(root, "spec")
	if e.spec == nil || e.spec.Kind != yaml.MappingNode {
		return nil, nil, refuse("%s: spec is not a mapping", file)
	}
	if err := yaml.Unmarshal(data, &e.want); err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", file, err)
	}
	e.learnStyle()
	return e, d, nil
}

func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

func isFlow(n *yaml.Node) bool { return n.Style&yaml.FlowStyle != 0 }

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// learnStyle reads indentation and layout habits from the file.
func (e *editor) learnStyle() {
	e.st = style{eol: e.src.eol, step: 2, itemOffset: 2}
	if !isFlow(e.spec) && len(e.spec.Content) > 0 {
		if step := e.spec.Content[0].Column - e.specKey.Column; step > 0 {
			e.st.step = step
		}
	}
	e.st.seqIndent = e.st.step
	for _, key := range []string{"services", "data", "environments", "teams"} {
		k, v := lookup(e.spec, key)
		if v == nil || v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			continue
		}
		if isFlow(v) {
			e.st.listFlow = true
			break
		}
		dash := e.dashOffset(v.Content[0])
		if dash < 0 {
			continue
		}
		dashCol := dash - e.src.lines[e.src.lineOf(dash)-1].start
		e.st.seqIndent = dashCol - (k.Column - 1)
		if v.Content[0].Line == e.src.lineOf(dash) {
			e.st.itemOffset = v.Content[0].Column - 1 - dashCol
		}
		break
	}
	var flowN, blockN int
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n.Kind == yaml.MappingNode && depth > 0 {
			leaf := true
			for _, c := range n.Content {
				if c.Kind != yaml.ScalarNode {
					leaf = false
				}
			}
			if leaf {
				if isFlow(n) {
					flowN++
				} else {
					blockN++
				}
			}
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	for _, key := range []string{"services", "data", "environments"} {
		if _, v := lookup(e.spec, key); v != nil {
			for _, item := range v.Content {
				// Only values inside entries: an entry that is itself a flow
				// mapping says nothing about how nested values are written.
				for _, c := range item.Content {
					walk(c, 1)
				}
			}
		}
	}
	e.st.leafFlow = flowN > blockN
}

// dashOffset finds the "-" that introduces block sequence entry item.
func (e *editor) dashOffset(item *yaml.Node) int {
	d := e.src.data
	i := e.src.offset(item.Line, item.Column) - 1
	for i >= 0 && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i--
	}
	if i >= 0 && d[i] == '-' {
		return i
	}
	return -1
}

func (e *editor) col(off int) int { return off - e.src.lines[e.src.lineOf(off)-1].start }

func (e *editor) insert(at int, text string) {
	e.splices = append(e.splices, splice{at: at, text: text})
}

func (e *editor) lines(ls []string) string { return strings.Join(ls, e.st.eol) }

// keyRegionEnd is the last line of key k's entry in block mapping m,
// value included.
func (e *editor) keyRegionEnd(k, v *yaml.Node) int {
	dash := v.Kind == yaml.SequenceNode && !isFlow(v)
	return e.src.regionEnd(k.Line, k.Column-1, dash)
}

// colonEnd returns the offset just after the ":" that ends key k, searching
// back from its value at off.
func (e *editor) colonEnd(k *yaml.Node, off int) (int, error) {
	d := e.src.data
	i := off - 1
	for i >= 0 && (d[i] == ' ' || d[i] == '\t') {
		i--
	}
	if i < 0 || d[i] != ':' {
		return 0, refuse("%s:%d:%d: cannot find the \":\" after %s; add the entry by hand", e.file, k.Line, k.Column, k.Value)
	}
	return i + 1, nil
}

// appendItem adds item at the end of the list under key in mapping m
// (creating the key after the keys named in after when it is missing).
func (e *editor) appendItem(m *yaml.Node, key string, item object, after []string) error {
	k, v := lookup(m, key)
	switch {
	case k == nil:
		return e.addKey(m, key, seq{item}, after)
	case isNull(v):
		return e.fillEmpty(m, k, v, seq{item})
	case v.Kind != yaml.SequenceNode:
		return refuse("%s:%d:%d: %s is not a list", e.file, v.Line, v.Column, key)
	case isFlow(v):
		return e.appendFlow(m, k, v, item)
	}
	items := v.Content
	last := items[len(items)-1]
	dash := e.dashOffset(last)
	if dash < 0 {
		return refuse("%s:%d:%d: cannot find the \"-\" of the last entry; add the entry by hand", e.file, last.Line, last.Column)
	}
	dashCol := e.col(dash)
	itemCol := dashCol + 2
	if last.Line == e.src.lineOf(dash) {
		itemCol = last.Column - 1
	}
	// Separate the new entry by a blank line when every entry is.
	sep := len(items) > 1
	for i := 1; i < len(items) && sep; i++ {
		prevDash := e.src.lineOf(e.dashOffset(items[i-1]))
		end := e.src.regionEnd(prevDash, dashCol, false)
		found := false
		for n := end + 1; n < items[i].Line; n++ {
			if e.src.blank(n) {
				found = true
			}
		}
		sep = found
	}
	var ls []string
	if isFlow(last) {
		ls = []string{strings.Repeat(" ", dashCol) + "-" + strings.Repeat(" ", itemCol-dashCol-1) + flow(item)}
	} else {
		ls = e.st.blockItem(item, dashCol, itemCol)
	}
	text := e.st.eol + e.lines(ls)
	if sep {
		text = e.st.eol + text
	}
	end := e.src.regionEnd(e.src.lineOf(dash), dashCol, false)
	e.insert(e.src.lineEnd(end), text)
	return nil
}

// appendFlow adds item to the flow sequence v ([a, b]).
func (e *editor) appendFlow(m, k, v *yaml.Node, item object) error {
	open := e.src.offset(v.Line, v.Column)
	sp, ok := e.src.scanFlow(open)
	if !ok || e.src.data[open] != '[' {
		return refuse("%s:%d:%d: cannot find the end of the list; add the entry by hand", e.file, v.Line, v.Column)
	}
	text := flow(item)
	empty := len(v.Content) == 0
	if empty != (sp.lastEnd < 0) {
		return refuse("%s:%d:%d: cannot read the list; add the entry by hand", e.file, v.Line, v.Column)
	}
	switch {
	case empty && !isFlow(m) && !e.st.listFlow && e.src.lineOf(sp.close) == k.Line:
		// An empty [] on the key's line, in a file whose lists are block
		// lists: the first entry makes this one a block list too.
		from, err := e.colonEnd(k, open)
		if err != nil {
			return err
		}
		e.splices = append(e.splices, splice{at: from, del: sp.close + 1 - from})
		dash := k.Column - 1 + e.st.seqIndent
		e.insert(e.src.lineEnd(k.Line), e.st.eol+e.lines(e.st.blockItem(item, dash, dash+e.st.itemOffset)))
	case sp.lastEnd < 0:
		e.insert(open+1, text)
	case e.src.lineOf(sp.lastEnd) != e.src.lineOf(sp.close):
		// One entry per line: the new one gets its own line, indented like
		// the last, after any comment beside the last entry.
		last := v.Content[len(v.Content)-1]
		pad := strings.Repeat(" ", last.Column-1)
		if sp.trailingComma >= 0 {
			e.insert(e.src.lineEnd(e.src.lineOf(sp.trailingComma)), e.st.eol+pad+text+",")
		} else {
			e.insert(sp.lastEnd, ",")
			e.insert(e.src.lineEnd(e.src.lineOf(sp.lastEnd)), e.st.eol+pad+text)
		}
	case sp.trailingComma >= 0:
		e.insert(sp.trailingComma+1, " "+text+",")
	default:
		e.insert(sp.lastEnd, ", "+text)
	}
	return nil
}

// addKey adds key: val to mapping m: in a block mapping after the last of
// the keys named in after that is present (else at the end), in a flow
// mapping at the end.
func (e *editor) addKey(m *yaml.Node, key string, val any, after []string) error {
	if isFlow(m) {
		open := e.src.offset(m.Line, m.Column)
		sp, ok := e.src.scanFlow(open)
		if !ok || e.src.data[open] != '{' {
			return refuse("%s:%d:%d: cannot find the end of the mapping; add the entry by hand", e.file, m.Line, m.Column)
		}
		text := key + ": " + flow(val)
		if (len(m.Content) == 0) != (sp.lastEnd < 0) {
			return refuse("%s:%d:%d: cannot read the mapping; add the entry by hand", e.file, m.Line, m.Column)
		}
		switch {
		case sp.lastEnd < 0:
			e.insert(open+1, text)
		case sp.trailingComma >= 0:
			e.insert(sp.trailingComma+1, " "+text+",")
		default:
			e.insert(sp.lastEnd, ", "+text)
		}
		return nil
	}
	anchor := len(m.Content) - 2
	want := map[string]bool{}
	for _, a := range after {
		want[a] = true
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if want[m.Content[i].Value] {
			anchor = i
		}
	}
	end := e.keyRegionEnd(m.Content[anchor], m.Content[anchor+1])
	col := m.Content[0].Column - 1
	text := e.st.eol + e.lines(e.st.block(object{{key, val}}, col))
	if e.blankBefore(m.Content[anchor].Line) || (end < len(e.src.lines) && e.src.blank(end+1) && anchor < len(m.Content)-2) {
		text = e.st.eol + text // keys separated by blank lines stay so
	}
	e.insert(e.src.lineEnd(end), text)
	return nil
}

// blankBefore says whether a blank line precedes line n and the comments
// right above it.
func (e *editor) blankBefore(n int) bool {
	for n--; n >= 1 && e.src.comment(n); n-- {
	}
	return n >= 1 && e.src.blank(n)
}

// fillEmpty gives key k of mapping m, whose value v is null, the value val.
func (e *editor) fillEmpty(m, k, v *yaml.Node, val any) error {
	if isFlow(m) {
		if v.Value == "" {
			return refuse("%s:%d:%d: %s has no value; add the entry by hand", e.file, k.Line, k.Column, k.Value)
		}
		at := e.src.offset(v.Line, v.Column)
		e.splices = append(e.splices, splice{at: at, del: len(v.Value), text: flow(val)})
		return nil
	}
	if v.Value != "" { // an explicit ~ or null: remove it, keep what follows
		at := e.src.offset(v.Line, v.Column)
		if v.Line != k.Line || at+len(v.Value) > len(e.src.data) || string(e.src.data[at:at+len(v.Value)]) != v.Value {
			return refuse("%s:%d:%d: cannot find the value of %s; add the entry by hand", e.file, k.Line, k.Column, k.Value)
		}
		from, err := e.colonEnd(k, at)
		if err != nil {
			return err
		}
		e.splices = append(e.splices, splice{at: from, del: at + len(v.Value) - from})
	}
	col := k.Column - 1
	var ls []string
	switch val := val.(type) {
	case seq:
		for _, it := range val {
			dash := col + e.st.seqIndent
			ls = append(ls, e.st.blockItem(it, dash, dash+e.st.itemOffset)...)
		}
	case object:
		ls = e.st.block(val, col+e.st.step)
	default:
		ls = []string{strings.Repeat(" ", col+e.st.step) + flow(val)}
	}
	e.insert(e.src.lineEnd(k.Line), e.st.eol+e.lines(ls))
	return nil
}

// setIn sets path (keys of nested mappings, created as needed) in mapping m
// to val; the last key must not exist yet.
func (e *editor) setIn(m *yaml.Node, path []string, val any) error {
	k, v := lookup(m, path[0])
	switch {
	case k == nil:
		return e.addKey(m, path[0], nest(path[1:], val), nil)
	case len(path) == 1:
		return refuse("%s:%d:%d: %s already exists", e.file, k.Line, k.Column, path[0])
	case isNull(v):
		return e.fillEmpty(m, k, v, nest(path[1:], val))
	case v.Kind != yaml.MappingNode:
		return refuse("%s:%d:%d: %s is not a mapping", e.file, v.Line, v.Column, path[0])
	}
	return e.setIn(v, path[1:], val)
}

func nest(path []string, val any) any {
	if len(path) == 0 {
		return val
	}
	return object{{path[0], nest(path[1:], val)}}
}

// apply returns the original bytes with every splice made.
func (e *editor) apply() ([]byte, error) {
	sort.SliceStable(e.splices, func(i, j int) bool { return e.splices[i].at < e.splices[j].at })
	var b strings.Builder
	cur := 0
	for _, s := range e.splices {
		if s.at < cur {
			return nil, errors.New("scaffold: overlapping edits") // a bug here, not bad input
		}
		b.Write(e.src.data[cur:s.at])
		b.WriteString(s.text)
		cur = s.at + s.del
	}
	b.Write(e.src.data[cur:])
	return []byte(b.String()), nil
}

func (e *editor) wantSpec() map[string]any {
	root, _ := e.want.(map[string]any)
	s, _ := root["spec"].(map[string]any)
	return s
}

// wantAppend records that the list at spec.<key> gains item.
func (e *editor) wantAppend(key string, item object) error {
	g, err := toGeneric(item)
	if err != nil {
		return err
	}
	s := e.wantSpec()
	if s == nil {
		return refuse("%s: spec is not a mapping", e.file)
	}
	l, _ := s[key].([]any)
	s[key] = append(l, g)
	return nil
}

// wantSet records that the mapping at path below spec.environments[env]
// gains val.
func (e *editor) wantSet(env int, path []string, val any) error {
	g, err := toGeneric(val)
	if err != nil {
		return err
	}
	envs, _ := e.wantSpec()["environments"].([]any)
	if env >= len(envs) {
		return refuse("%s: no environment %d", e.file, env)
	}
	cur, _ := envs[env].(map[string]any)
	if cur == nil {
		return refuse("%s: environment %d is not a mapping", e.file, env)
	}
	for _, p := range path[:len(path)-1] {
		next, _ := cur[p].(map[string]any)
		if next == nil {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	cur[path[len(path)-1]] = g
	return nil
}

// finish applies the splices and checks the result: it must decode to
// exactly the intended content, and load and validate.
func (e *editor) finish() ([]byte, *spec.Document, error) {
	out, err := e.apply()
	if err != nil {
		return nil, nil, err
	}
	var got any
	if err := yaml.Unmarshal(out, &got); err != nil || !reflect.DeepEqual(got, e.want) {
		return nil, nil, refuse("%s: the entry could not be added without changing the rest of the file (an unusual layout); add it by hand", e.file)
	}
	d, err := spec.Parse(e.file, out)
	if err == nil {
		d.Dir = filepath.Dir(e.file)
		err = spec.Finish(d)
	}
	if err == nil {
		err = generate.CheckNames(d)
	}
	if err != nil {
		var list spec.ErrorList
		if errors.As(err, &list) {
			return nil, nil, &RefusedError{
				Reason:   fmt.Sprintf("refusing to edit %s: the result would not be valid (the file is unchanged; positions are in the edited text):", e.file),
				Problems: list,
			}
		}
		return nil, nil, err
	}
	return out, d, nil
}
