package output

import (
	"cmp"
	"slices"

	"github.com/platformctl/platformctl/pkg/lint"
)

// inputErrorTitle labels input errors where a format has a place for a
// rule ID (GitHub's title, the text format's rule column, JUnit's suite):
// it is not a rule, so it cannot be ignored or configured.
const inputErrorTitle = "input-error"

// SortInputErrors orders input errors by file and position, the order
// every format prints them in.
func SortInputErrors(ies []*lint.InputError) {
	slices.SortStableFunc(ies, func(a, b *lint.InputError) int {
		if c := cmp.Compare(a.File, b.File); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Col, b.Col)
	})
}
