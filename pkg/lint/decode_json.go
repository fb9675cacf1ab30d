package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"unicode"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// isJSON is kubectl's test (apimachinery's IsJSONBuffer): a stream whose
// first non-space byte is { is read as JSON first.
func isJSON(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeftFunc(data, unicode.IsSpace), []byte("{"))
}

// decodeJSON reads a stream of JSON objects into the trees the YAML
// decoders build (strings double-quoted, numbers, booleans and null plain),
// positions kept. kubectl reads such a stream with a JSON decoder, and JSON
// is not quite YAML: go-yaml refuses the \/ escape JSON allows, and keys
// longer than 1024 characters. ok is false when data is not valid JSON; as
// kubectl does, the caller then reads it as YAML.
func decodeJSON(file string, data []byte) (objs []*Object, ok bool, err error) {
	r := &jsonReader{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	r.dec.UseNumber()
	var roots []*yaml.Node
	for r.dec.More() {
		n, err := r.node(0)
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, false, nil
		}
		if err != nil {
			return nil, true, err
		}
		roots = append(roots, n)
	}
	if _, err := r.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false, nil // a stray ] or } after the objects
	}
	for doc, n := range roots {
		o, err := documentObjects(file, doc, n)
		if err != nil {
			return nil, true, err
		}
		objs = append(objs, o...)
	}
	return objs, true, nil
}

type jsonReader struct {
	file  string
	data  []byte
	dec   *json.Decoder
	lines []int // offsets where each line starts, built on first use
}

// pos is the line and column (1-based, in characters as go-yaml counts
// them) where the next token starts: after the decoder's offset, past
// white space and the , or : between tokens.
func (r *jsonReader) pos() (line, col int) {
	off := int(r.dec.InputOffset())
	for off < len(r.data) && bytes.IndexByte([]byte(" \t\r\n,:"), r.data[off]) >= 0 {
		off++
	}
	if r.lines == nil {
		r.lines = []int{0}
		for i, c := range r.data {
			if c == '\n' {
				r.lines = append(r.lines, i+1)
			}
		}
	}
	l := sort.Search(len(r.lines), func(i int) bool { return r.lines[i] > off }) - 1
	return l + 1, utf8.RuneCount(r.data[r.lines[l]:off]) + 1
}

// node reads one JSON value.
func (r *jsonReader) node(depth int) (*yaml.Node, error) {
	line, col := r.pos()
	if depth > 200 {
		return nil, &InputError{File: r.file, Line: line, Col: col, Msg: "nesting deeper than 200 levels"}
	}
	tok, err := r.dec.Token()
	if err != nil {
		return nil, err
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Line: line, Column: col}
	switch t := tok.(type) {
	case json.Delim:
		n.Kind, n.Tag, n.Style = yaml.SequenceNode, "!!seq", yaml.FlowStyle
		if t == '{' {
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
		}
		for r.dec.More() {
			if n.Kind == yaml.MappingNode {
				kl, kc := r.pos()
				k, err := r.dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := k.(string) // the decoder allows only strings here
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: key, Line: kl, Column: kc})
			}
			v, err := r.node(depth + 1)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		if _, err := r.dec.Token(); err != nil { // the closing ] or }
			return nil, err
		}
	case string:
		n.Tag, n.Style, n.Value = "!!str", yaml.DoubleQuotedStyle, t
	case json.Number:
		// Plain, so Decode resolves it like any number (1.0 is the integer 1).
		n.Tag, n.Value = "!!float", t.String()
	case bool:
		n.Tag, n.Value = "!!bool", fmt.Sprint(t)
	case nil:
		n.Tag, n.Value = "!!null", "null"
	}
	return n, nil
}
