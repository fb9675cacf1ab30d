package semdiff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats are the report formats, in the order help lists them.
var Formats = []string{"text", "markdown", "json"}

// Write prints r in format (one of Formats).
func Write(w io.Writer, r *Report, format string) error {
	switch format {
	case "text":
		return writeText(w, r)
	case "markdown":
		return writeMarkdown(w, r)
	case "json":
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	return fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats, ", "))
}

// Summary is one line: what changed between the two sides.
func (r *Report) Summary() string {
	if r.Empty() {
		return fmt.Sprintf("%s → %s: no differences", r.From, r.To)
	}
	a, d, c := r.Counts()
	return fmt.Sprintf("%s → %s: %s changed, %s added, %s removed", r.From, r.To,
		plural(c, "object"), plural(a, "object"), plural(d, "object"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

var marks = map[string]string{Added: "+", Removed: "-", Changed: "~", Reordered: "⇆"}

func writeText(w io.Writer, r *Report) error {
	var b strings.Builder
	b.WriteString(r.Summary() + "\n")
	for _, o := range r.Objects {
		fmt.Fprintf(&b, "%s %s\n", marks[o.Kind], o.ID)
		for _, f := range o.Fields {
			if f.Hunks != "" {
				fmt.Fprintf(&b, "    %s %s:\n%s", marks[f.Kind], f.Path, indent(f.Hunks, "        "))
				continue
			}
			fmt.Fprintf(&b, "    %s %s%s\n", marks[f.Kind], f.Path, fieldValues(f, "", " → "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fieldValues(f Field, quote, arrow string) string {
	q := func(s string) string { return quote + s + quote }
	switch f.Kind {
	case Added:
		return ": " + q(f.To)
	case Removed:
		return ": " + q(f.From)
	case Reordered:
		return ""
	}
	return ": " + q(f.From) + arrow + q(f.To)
}

// writeMarkdown is ready to post as a pull-request comment: a summary line
// and, per object, a collapsed list of its changed fields.
func writeMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**\n", mdEscape(r.Summary()))
	if !r.Empty() {
		b.WriteString("\n")
	}
	for _, o := range r.Objects {
		if o.Kind != Changed {
			fmt.Fprintf(&b, "- %s `%s`\n", o.Kind, code(o.ID))
			continue
		}
		fmt.Fprintf(&b, "- changed `%s` (%s)\n", code(o.ID), plural(len(o.Fields), "field"))
		for _, f := range o.Fields {
			if f.Hunks != "" {
				fence := "```"
				for strings.Contains(f.Hunks, fence) {
					fence += "`"
				}
				fmt.Fprintf(&b, "  - %s `%s`:\n\n    %sdiff\n%s    %s\n", f.Kind, code(f.Path), fence, indent(f.Hunks, "    "), fence)
				continue
			}
			fmt.Fprintf(&b, "  - %s `%s`%s\n", f.Kind, code(f.Path), fieldValues(Field{Kind: f.Kind, From: code(f.From), To: code(f.To)}, "`", " → "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func indent(s, by string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(by + l)
		}
	}
	if !strings.HasSuffix(s, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// code keeps a value inside one inline code span: a backtick would end it
// and a newline would end the list item.
func code(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	return strings.ReplaceAll(s, "\n", " ")
}

func mdEscape(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;").Replace(s)
}
