package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	"github.com/platformctl/platformctl/pkg/internal/golden"
)

// badCorpus is relative to this package; the cases live at the repository
// root so that other packages (and people) can point the CLI at them.
const badCorpus = "../../testdata/specs/bad"

// minCorpusCases guards against a glob or rename silently emptying the corpus.
const minCorpusCases = 30

// positionRE is the compiler-style prefix every error line must carry: a
// message without a position is useless in an editor.
var positionRE = regexp.MustCompile(`^[^:]+:\d+:\d+: `)

// corpusCases returns the input files of the bad corpus, sorted.
func corpusCases(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(badCorpus)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".golden") {
			continue
		}
		cases = append(cases, e.Name())
	}
	sort.Strings(cases)
	return cases
}

func goldenName(input string) string {
	return strings.TrimSuffix(input, filepath.Ext(input)) + ".golden"
}

// loadAndValidate is LoadAndValidate with a panic turned into a test error, so
// one crashing case still lets the rest of the corpus report.
func loadAndValidate(name string) (panicked string, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicked = fmt.Sprintf("%v\n%s", r, debug.Stack())
		}
	}()
	_, err = LoadAndValidate(name)
	return "", err
}

func TestBadCorpus(t *testing.T) {
	cases := corpusCases(t)
	if len(cases) < minCorpusCases {
		t.Fatalf("found %d cases in %s, want at least %d", len(cases), badCorpus, minCorpusCases)
	}
	// Loading by bare file name makes the goldens independent of where the
	// checkout lives, and still goes through Load (size limit, file checks).
	t.Chdir(badCorpus)

	// Each case's errors are collected and compared with the goldens at
	// once: a golden whose input was renamed or deleted is reported (and
	// removed by -update) instead of rotting unseen.
	goldens := map[string]string{}
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			panicked, err := loadAndValidate(name)
			if panicked != "" {
				t.Fatalf("panic: %s", panicked)
			}
			if err == nil {
				t.Fatal("no error: every case in the bad corpus must be rejected")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, want ErrorList: %v", err, err)
			}
			got := err.Error() + "\n"
			for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				if !positionRE.MatchString(line) {
					t.Errorf("line has no file:line:col: prefix: %q", line)
				}
			}
			for _, e := range list {
				if e.Pos.Line < 1 || e.Pos.Col < 1 {
					t.Errorf("position %d:%d is not 1-based: %v", e.Pos.Line, e.Pos.Col, e)
				}
			}
			goldens[goldenName(name)] = got
		})
	}
	if len(goldens) < len(cases) {
		// Some cases failed or were filtered out with -run: the tree is not
		// whole, and -update must not remove the goldens of cases not run.
		for _, name := range SortedKeys(goldens) {
			golden.Assert(t, name, goldens[name])
		}
		return
	}
	golden.AssertDir(t, ".", goldens, "*.golden")
}
