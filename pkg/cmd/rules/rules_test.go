package rules

import (
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/lint/rules"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md")

const docs = "../../../docs/rules.md"

// TestRulesDocUpToDate keeps docs/rules.md what `platformctl rules -o
// markdown` prints, so the reference cannot drift from the catalog.
func TestRulesDocUpToDate(t *testing.T) {
	want := Markdown(rules.All())
	if *update {
		require.NoError(t, os.WriteFile(docs, []byte(want), 0o644))
		return
	}
	got, err := os.ReadFile(docs)
	require.NoError(t, err, "docs/rules.md missing; run make golden")
	require.Equal(t, want, string(got), "docs/rules.md is stale; run make golden")
	for _, r := range rules.All() {
		require.Contains(t, string(got), "\n## "+r.ID+"\n", "docs row for %s", r.ID)
	}
}
