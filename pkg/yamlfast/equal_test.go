package yamlfast

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	yaml "go.yaml.in/yaml/v3"
)

// reference decodes data the way pkg/lint did before this package existed:
// go-yaml v3's Decoder, one document node per Decode.
func reference(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		docs = append(docs, &n)
	}
}

// diff describes the first difference between two document lists, field by
// field (comments aside: Parse drops them), or returns "".
func diff(got, want []*yaml.Node) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d documents, want %d", len(got), len(want))
	}
	for i := range got {
		if d := nodeDiff(fmt.Sprintf("doc[%d]", i), got[i], want[i]); d != "" {
			return d
		}
	}
	return ""
}

func nodeDiff(path string, g, w *yaml.Node) string {
	if (g == nil) != (w == nil) {
		return fmt.Sprintf("%s: nil mismatch (got %v, want %v)", path, g == nil, w == nil)
	}
	if g == nil {
		return ""
	}
	type fields struct {
		Kind         yaml.Kind
		Style        yaml.Style
		Tag, Value   string
		Anchor       string
		Line, Column int
		HasAlias     bool
		N            int
	}
	gf := fields{g.Kind, g.Style, g.Tag, g.Value, g.Anchor, g.Line, g.Column, g.Alias != nil, len(g.Content)}
	wf := fields{w.Kind, w.Style, w.Tag, w.Value, w.Anchor, w.Line, w.Column, w.Alias != nil, len(w.Content)}
	if gf != wf {
		return fmt.Sprintf("%s:\n got  %+v\n want %+v", path, gf, wf)
	}
	if (g.Content == nil) != (w.Content == nil) {
		return fmt.Sprintf("%s: Content nil %v, want %v", path, g.Content == nil, w.Content == nil)
	}
	for i := range g.Content {
		if d := nodeDiff(fmt.Sprintf("%s[%d]", path, i), g.Content[i], w.Content[i]); d != "" {
			return d
		}
	}
	return ""
}

// check compares Parse with go-yaml v3 on data; "" when they agree (or
// Parse declined the input).
func check(data []byte) (accepted bool, problem string) {
	got, ok := Parse(data)
	want, err := reference(data)
	if !ok {
		return false, ""
	}
	if err != nil {
		return true, fmt.Sprintf("accepted input go-yaml rejects (%v)", err)
	}
	return true, diff(got, want)
}
