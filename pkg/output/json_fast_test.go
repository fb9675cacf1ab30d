package output

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint"
)

// appendDiagnostic must encode exactly as encoding/json did, for every
// combination of omitted fields and for strings that need escaping.
func TestAppendDiagnosticMatchesEncodingJSON(t *testing.T) {
	strs := []string{"", "plain", `quote " and \ back`, "tab\tnew\nline\r", "\x00\x01\x1f\x7f", "<html> & 'x'",
		"ünïcødé ✓", "\u2028\u2029", "bad \xff utf8", "emoji 🚀", "\b\f\x1b[0m", "cut \xe2\x80", "a\u2028b\u2029c\u2027", "\xed\xa0\x80 surrogate"}
	rng := rand.New(rand.NewSource(1))
	pick := func() string { return strs[rng.Intn(len(strs))] }
	for i := range 2000 {
		d := lint.Diagnostic{RuleID: pick(), Severity: lint.Severity(1 + i%3), Message: pick(), File: pick(),
			Line: rng.Intn(100000), Column: rng.Intn(300), Path: pick(), Object: pick(), Kind: pick(),
			Namespace: pick(), Name: pick(), Source: pick()}
		if i%2 == 0 {
			d.Suppression = &lint.Suppression{Kind: pick(), Reason: pick()}
		}
		want, err := marshalIndent(d, "    ")
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendDiagnostic(nil, &d)), "%#v", d)
	}
}
