package rules

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/golden"
	"github.com/platformctl/platformctl/pkg/lint/rules"
)

const docs = "../../../docs/rules.md"

// TestRulesDocUpToDate keeps docs/rules.md what `platformctl rules -o
// markdown` prints, so the reference cannot drift from the catalog.
func TestRulesDocUpToDate(t *testing.T) {
	got := Markdown(rules.All())
	golden.Assert(t, docs, got)
	for _, r := range rules.All() {
		require.Contains(t, got, "\n## "+r.ID+"\n", "docs row for %s", r.ID)
	}
}
