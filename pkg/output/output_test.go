package output

import (
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/internal/golden"
	"github.com/platformctl/platformctl/pkg/lint"
)

var goldenExt = map[string]string{
	"text":   "txt",
	"json":   "json",
	"sarif":  "sarif",
	"junit":  "junit.xml",
	"github": "github.txt",
	"gitlab": "gitlab.json",
}

func TestGolden(t *testing.T) {
	reports := map[string]func() *Report{"report": fixtureReport, "empty": emptyReport}
	for _, format := range FormatNames() {
		ext, ok := goldenExt[format]
		require.True(t, ok, "format %s has no golden file extension", format)
		for name, mk := range reports {
			t.Run(format+"/"+name, func(t *testing.T) {
				f, err := Lookup(format)
				require.NoError(t, err)
				golden.Assert(t, filepath.Join("testdata", name+"."+ext), render(t, f, mk()))
			})
		}
	}
}

// Machine formats are diffed and uploaded; the order findings arrive in
// (workers finish in any order) must not show.
func TestMachineFormatsIgnoreInputOrder(t *testing.T) {
	for _, format := range []string{"sarif", "junit", "gitlab"} {
		t.Run(format, func(t *testing.T) {
			f, err := Lookup(format)
			require.NoError(t, err)
			want := render(t, f, fixtureReport())
			for seed := range uint64(5) {
				r := fixtureReport()
				rng := rand.New(rand.NewPCG(seed, 1))
				shuffle := func(ds []lint.Diagnostic) {
					rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
				}
				shuffle(r.Result.Findings)
				shuffle(r.Result.Suppressed)
				rng.Shuffle(len(r.Result.Rules), func(i, j int) {
					r.Result.Rules[i], r.Result.Rules[j] = r.Result.Rules[j], r.Result.Rules[i]
				})
				assert.Equal(t, string(want), string(render(t, f, r)), "seed %d", seed)
			}
		})
	}
}

// Rendering must not reorder the caller's slices: the command renders once
// but computes the exit code from the same Result.
func TestFormatsDoNotMutateReport(t *testing.T) {
	for _, format := range FormatNames() {
		t.Run(format, func(t *testing.T) {
			f, err := Lookup(format)
			require.NoError(t, err)
			r := fixtureReport()
			r.Result.Findings[0], r.Result.Findings[1] = r.Result.Findings[1], r.Result.Findings[0]
			before := append([]lint.Diagnostic(nil), r.Result.Findings...)
			render(t, f, r)
			assert.Equal(t, before, r.Result.Findings)
		})
	}
}

type failWriter struct{ after int }

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errDiskFull
	}
	w.after--
	return len(p), nil
}

// A truncated report must not exit 0: CI would upload half a file.
func TestFormatsReportWriteErrors(t *testing.T) {
	for _, format := range FormatNames() {
		t.Run(format, func(t *testing.T) {
			f, err := Lookup(format)
			require.NoError(t, err)
			for after := range 3 {
				err := f(&failWriter{after: after}, fixtureReport())
				if after == 0 || format != "json" && format != "sarif" && format != "gitlab" {
					// JSON, SARIF and GitLab write in one call, so only the first fails.
					assert.ErrorIs(t, err, errDiskFull, "failing after %d writes", after)
				}
			}
		})
	}
}
