package output

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

// awkward are strings a manifest can put in a name, a path or a quoted value.
var awkward = []struct {
	name, in, text, data, property string
}{
	{"plain", "web-1", "web-1", "web-1", "web-1"},
	{"separators", "a:b,c 100%", "a:b,c 100%", "a:b,c 100%25", "a%3Ab%2Cc 100%25"},
	{"newline starts a command", "x\n::error file=y::z", `x\n::error file=y::z`, "x%0A::error file=y::z", "x%0A%3A%3Aerror file=y%3A%3Az"},
	{"crlf", "a\r\nb", `a\r\nb`, "a%0D%0Ab", "a%0D%0Ab"},
	{"tab", "a\tb", `a\tb`, "a%09b", "a%09b"},
	{"bel and nul", "bell\anul\x00", `bell\anul\x00`, "bell%07nul%00", "bell%07nul%00"},
	{"other C0", "\b\f\v\x01\x1f", `\b\f\v\x01\x1f`, "%08%0C%0B%01%1F", "%08%0C%0B%01%1F"},
	{"terminal escape", "\x1b[2J\x1b]0;owned\x07", `\x1b[2J\x1b]0;owned\a`, "%1B[2J%1B]0;owned%07", "%1B[2J%1B]0;owned%07"},
	{"del", "a\x7fb", `a\x7fb`, "a%7Fb", "a%7Fb"},
	{"C1", "a\u0085b\u009bc", `a\u0085b\u009bc`, "a%C2%85b%C2%9Bc", "a%C2%85b%C2%9Bc"},
	{"line separators", "a\u2028b\u2029c", `a\u2028b\u2029c`, "a%E2%80%A8b%E2%80%A9c", "a%E2%80%A8b%E2%80%A9c"},
	{"bad UTF-8", "a\xffb\x9b", `a\xffb\x9b`, "a%FFb%9B", "a%FFb%9B"},
	{"unicode text stays", "café ☸ 名前 \u00a0", "café ☸ 名前 \u00a0", "café ☸ 名前 \u00a0", "café ☸ 名前 \u00a0"},
	{"escapes stay literal", `\n %0A`, `\n %0A`, `\n %250A`, `\n %250A`},
	{"empty", "", "", "", ""},
}

func TestVisible(t *testing.T) {
	for _, tc := range awkward {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.text, visible(tc.in))
		})
	}
}

func TestGitHubEscaping(t *testing.T) {
	for _, tc := range awkward {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.data, escapeData(tc.in), "message")
			assert.Equal(t, tc.property, escapeProperty(tc.in), "property")
		})
	}
}

// evilReport has one finding whose every user-controlled field is awkward.
func evilReport() *Report {
	name := "a\n::error file=x::injected\r\abell\x00nul"
	d := diag(ruleHostNetwork, lint.Error, "dir\n::warning::f\x1b[31m.yaml", 3, 1, "Pod", "ns\t\u0085", name, "spec",
		`pod "`+name+`" runs nginx`+"\n::error::img\x7f")
	d.Source = "platform.yaml:1 services.x\n::notice::src"
	ignored := d
	ignored.Suppression = &lint.Suppression{Kind: "annotation", Reason: "because\n::error::reason\x00"}
	rules := fixtureRules()
	return &Report{
		Result:      &lint.Result{Findings: []lint.Diagnostic{d}, Suppressed: []lint.Diagnostic{ignored}, Rules: rules, Objects: 1},
		Catalog:     rules,
		ShowIgnored: true,
		FailOn:      lint.Error,
	}
}

func TestTextEscapesUserText(t *testing.T) {
	for _, color := range []bool{false, true} {
		r := evilReport()
		r.Color = color
		out := string(render(t, Text, r))
		if !color {
			assert.Equal(t, `dir\n::warning::f\x1b[31m.yaml
dir\n::warning::f\x1b[31m.yaml:3:1: error host-network: pod "a\n::error file=x::injected\r\abell\x00nul" runs nginx\n::error::img\x7f (Pod ns\t\u0085/a\n::error file=x::injected\r\abell\x00nul)
    from platform.yaml:1 services.x\n::notice::src

ignored findings:
dir\n::warning::f\x1b[31m.yaml
dir\n::warning::f\x1b[31m.yaml:3:1: error host-network: pod "a\n::error file=x::injected\r\abell\x00nul" runs nginx\n::error::img\x7f (Pod ns\t\u0085/a\n::error file=x::injected\r\abell\x00nul)
    from platform.yaml:1 services.x\n::notice::src
    ignored (annotation): because\n::error::reason\x00

1 object, 6 rules: 1 error, 0 warnings, 0 info; 1 ignored
`, out)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		assert.Len(t, lines, 11, "one line per header, finding, source and reason")
		for _, l := range lines {
			assert.False(t, strings.HasPrefix(l, "::"), "line %q would be a workflow command", l)
			assert.True(t, utf8.ValidString(l), "line %q", l)
			for _, c := range strings.ReplaceAll(l, "\x1b[", "") { // only the colours Text adds itself
				assert.False(t, mustEscape(c), "raw %U in %q", c, l)
			}
		}
	}
}

func TestGitHubEscapesUserText(t *testing.T) {
	out := string(render(t, GitHub, evilReport()))
	assert.Equal(t, "::error file=dir%0A%3A%3Awarning%3A%3Af%1B[31m.yaml,line=3,col=1,title=host-network::"+
		`pod "a%0A::error file=x::injected%0D%07bell%00nul" runs nginx%0A::error::img%7F`+
		" (Pod ns%09%C2%85/a%0A::error file=x::injected%0D%07bell%00nul)\n"+
		"1 object, 6 rules: 1 error, 0 warnings, 0 info; 1 ignored\n", out)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2)
	assert.Regexp(t, `^::error [^:]*::`, lines[0])
	for _, c := range strings.TrimSuffix(out, "\n") {
		assert.True(t, c == '\n' || !mustEscape(c), "raw %U in the output", c)
	}
}
