package helmchart

import "strings"

// LineMap maps the lines of a rendered template back to the template:
// Lines[r] is the template line rendered line r (1-based) came from, or 0
// when that cannot be known. Only static lines map — template lines that
// hold no action ({{ … }}) and render to themselves — since for a line an
// action wrote, which of its actions (or which loop iteration) wrote it is
// not recorded by the engine. A rendered line whose text is one static
// line's maps to it; when several static lines have that text, to the
// first of them after the template line the previous rendered line mapped
// to (templates render top to bottom), else to the first.
type LineMap struct {
	Lines []int
}

// NewLineMap builds the map of text rendered to rendered.
func NewLineMap(text, rendered string) LineMap {
	static := staticLines(text)
	byText := map[string][]int{}
	for i, s := range static {
		if s.ok && strings.TrimSpace(s.text) != "" {
			byText[s.text] = append(byText[s.text], i+1)
		}
	}
	rlines := strings.Split(rendered, "\n")
	lines := make([]int, len(rlines)+1)
	prev := 0
	for r, l := range rlines {
		cands := byText[strings.TrimSuffix(l, "\r")]
		if len(cands) == 0 {
			continue
		}
		pick := cands[0]
		for _, c := range cands {
			if c > prev {
				pick = c
				break
			}
		}
		lines[r+1] = pick
		prev = pick
	}
	return LineMap{Lines: lines}
}

// Line is the template line of rendered line r, or 0.
func (m LineMap) Line(r int) int {
	if r < 1 || r >= len(m.Lines) {
		return 0
	}
	return m.Lines[r]
}

type staticLine struct {
	text string
	ok   bool
}

// staticLines splits text into lines and marks those no action touches.
// An action spans from {{ to the next }} (comments {{/* … */}} included),
// possibly over several lines, all of which it makes dynamic.
func staticLines(text string) []staticLine {
	lines := strings.Split(text, "\n")
	out := make([]staticLine, len(lines))
	for i, l := range lines {
		out[i] = staticLine{text: strings.TrimSuffix(l, "\r"), ok: true}
	}
	line := 0
	for i := 0; i < len(text); {
		open := strings.Index(text[i:], "{{")
		if open < 0 {
			break
		}
		open += i
		line += strings.Count(text[i:open], "\n")
		end := strings.Index(text[open+2:], "}}")
		if end < 0 {
			end = len(text)
		} else {
			end += open + 2 + 2
		}
		last := line + strings.Count(text[open:end], "\n")
		for l := line; l <= last && l < len(out); l++ {
			out[l].ok = false
		}
		line = last
		i = end
	}
	return out
}
