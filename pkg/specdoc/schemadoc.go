package specdoc

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/platformctl/platformctl/pkg/spec"
)

// Markers around the generated sections of docs/schema/README.md; the
// prose between them is hand-written.
const (
	formatsBegin = "<!-- formats: generated from spec.Formats by pkg/specdoc (make golden) -->\n"
	formatsEnd   = "<!-- end of formats -->\n"
	rulesBegin   = "<!-- rules: generated from spec.Rules by pkg/specdoc (make golden) -->\n"
	rulesEnd     = "<!-- end of rules -->\n"
)

// SchemaReadme returns readme, the text of docs/schema/README.md, with its
// generated sections written anew: how exact each format's pattern is
// (spec.Format.Inexact), and why the schema leaves each cross-field rule to
// the loader (spec.Rule.Schema), so neither is restated by hand.
func SchemaReadme(readme []byte) ([]byte, error) {
	d, err := build()
	if err != nil {
		return nil, err
	}
	used := d.usedFormats()
	var formats bytes.Buffer
	var rows [][]string
	for _, f := range spec.Formats {
		if !used[f.Tag] {
			continue
		}
		exact := "yes"
		if f.Inexact != "" {
			exact = f.Inexact
		}
		rows = append(rows, []string{"`" + f.Tag + "`", "[" + f.Name + "](../spec.md#formats)", exact})
	}
	writeTable(&formats, []string{"tag", "format", "exact?"}, rows)

	var rules bytes.Buffer
	var reasons []string
	at := map[string][]string{}
	for _, r := range d.rules {
		if r.Schema == "" {
			continue // the schema carries it
		}
		if _, seen := at[r.Schema]; !seen {
			reasons = append(reasons, r.Schema)
		}
		for _, p := range r.At {
			if p := "`" + p + "`"; !has(at[r.Schema], p) {
				at[r.Schema] = append(at[r.Schema], p)
			}
		}
	}
	rows = nil
	for _, reason := range reasons {
		rows = append(rows, []string{strings.Join(at[reason], ", "), reason})
	}
	writeTable(&rules, []string{"rules reported at", "why not in the schema"}, rows)

	out, err := replaceSection(readme, formatsBegin, formatsEnd, formats.Bytes())
	if err != nil {
		return nil, err
	}
	return replaceSection(out, rulesBegin, rulesEnd, rules.Bytes())
}

// replaceSection puts body between the lines begin and end of text.
func replaceSection(text []byte, begin, end string, body []byte) ([]byte, error) {
	i := bytes.Index(text, []byte(begin))
	j := bytes.Index(text, []byte(end))
	if i < 0 || j < i {
		return nil, fmt.Errorf("specdoc: docs/schema/README.md has no section %q … %q", strings.TrimSpace(begin), strings.TrimSpace(end))
	}
	var out bytes.Buffer
	out.Write(text[:i+len(begin)])
	out.Write(body)
	out.Write(text[j:])
	return out.Bytes(), nil
}

// usedFormats are the tags of the formats some field uses.
func (d *doc) usedFormats() map[string]bool {
	used := map[string]bool{}
	for _, ff := range d.facts {
		for _, t := range ff.Formats {
			used[t] = true
		}
	}
	return used
}
