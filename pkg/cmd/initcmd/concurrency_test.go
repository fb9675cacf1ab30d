package initcmd_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/platformctl/platformctl/pkg/cmd/cmdtest"
	"github.com/platformctl/platformctl/pkg/cmd/root"
	"github.com/platformctl/platformctl/pkg/cmdutil"
	"github.com/platformctl/platformctl/pkg/scaffold"
	"github.com/platformctl/platformctl/pkg/spec"
)

func TestMain(m *testing.M) { cmdtest.Main(m) }

type result struct {
	code   int
	stderr string
}

// inits runs n `platformctl init --dir dir --name shop-<i> extra...` at once,
// in-process (each with its own streams) or as processes.
func inits(t *testing.T, n int, processes bool, dir string, extra ...string) []result {
	t.Helper()
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		args := append([]string{"init", "--dir", dir, "--name", fmt.Sprintf("shop-%02d", i)}, extra...)
		wg.Go(func() {
			if !processes {
				var out, errOut bytes.Buffer
				code := root.Main(args, cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
				results[i] = result{code, errOut.String()}
				return
			}
			cmd := cmdtest.Command(args...)
			var errOut bytes.Buffer
			cmd.Stderr = &errOut
			results[i] = result{cmdtest.ExitCode(cmd.Run()), errOut.String()}
		})
	}
	wg.Wait()
	return results
}

// assertInitialised checks dir holds exactly init's two files, whole, for
// platform shop-<winner>.
func assertInitialised(t *testing.T, dir string, winner int) {
	t.Helper()
	name := fmt.Sprintf("shop-%02d", winner)
	want, err := scaffold.InitFiles(scaffold.Init{Name: name, Domain: scaffold.DefaultDomain(name)})
	require.NoError(t, err)
	for file, content := range want {
		b, err := os.ReadFile(filepath.Join(dir, file))
		require.NoError(t, err)
		assert.Equal(t, string(content), string(b), "%s is the winner's, whole", file)
	}
	_, err = spec.LoadAndValidate(filepath.Join(dir, scaffold.SpecFile))
	require.NoError(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "only init's two files, nothing left behind: %v", entries)
}

// TestParallelInit: many inits into one directory (missing at first):
// exactly one wins, every other exits 2 saying the file exists, and the
// winner's files are intact.
func TestParallelInit(t *testing.T) {
	for _, processes := range []bool{false, true} {
		t.Run(fmt.Sprintf("processes %v", processes), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "platforms", "shop")
			results := inits(t, 24, processes, dir)
			winner := -1
			for i, r := range results {
				if r.code == 0 {
					require.Equal(t, -1, winner, "two inits succeeded: %d and %d", winner, i)
					winner = i
					continue
				}
				assert.Equal(t, 2, r.code, r.stderr)
				assert.Regexp(t, `already exists?; nothing was written \(--force overwrites\)`, r.stderr)
			}
			require.NotEqual(t, -1, winner, "no init succeeded")
			assertInitialised(t, dir, winner)
		})
	}
}

// TestParallelInitForce: with --force they all succeed in turn; the files
// left are one run's pair, whole, and nothing else.
func TestParallelInitForce(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := run(t, "init", "-q", "--dir", dir, "--name", "first")
	require.Equal(t, 0, code, errOut)
	results := inits(t, 12, false, dir, "--force")
	for i, r := range results {
		require.Equal(t, 0, r.code, "run %d: %s", i, r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, scaffold.SpecFile))
	require.NoError(t, err)
	var winner int
	_, err = fmt.Sscanf(string(b[strings.Index(string(b), "  name: shop-"):]), "  name: shop-%d", &winner)
	require.NoError(t, err)
	assertInitialised(t, dir, winner)
}

// TestInitNothingLeft: a failing init leaves nothing: not the directory
// it would have made, not the first file when the second exists.
func TestInitNothingLeft(t *testing.T) {
	parent := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(parent, "file"), []byte("mine"), 0o644))
	code, _, errOut := run(t, "init", "--dir", filepath.Join(parent, "file", "shop"), "--name", "shop")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "not a directory")

	dir := filepath.Join(parent, "p")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, scaffold.ConfigFile), []byte("mine\n"), 0o644))
	code, _, errOut = run(t, "init", "--dir", dir, "--name", "shop")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, scaffold.ConfigFile+" already exists")
	assert.NoFileExists(t, filepath.Join(dir, scaffold.SpecFile))
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "%v", entries)

	// --force keeps a read-only file: its mode says it is not to be edited.
	require.NoError(t, os.Chmod(filepath.Join(dir, scaffold.ConfigFile), 0o444))
	code, _, errOut = run(t, "init", "--dir", dir, "--name", "shop", "--force")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, scaffold.ConfigFile+" is not writable (mode 0444); nothing was written.")
	assert.NoFileExists(t, filepath.Join(dir, scaffold.SpecFile))
	b, err := os.ReadFile(filepath.Join(dir, scaffold.ConfigFile))
	require.NoError(t, err)
	assert.Equal(t, "mine\n", string(b))
}
