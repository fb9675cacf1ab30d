package scaffold

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEditFileChangedMeanwhile: an editor that does not take the lock saves
// the file while the edit is computed; the edit writes nothing (no spec, no
// skeleton, no directory for it) and says to run again.
func TestEditFileChangedMeanwhile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "platform.yaml")
	require.NoError(t, os.WriteFile(p, []byte("old\n"), 0o644))
	skel := filepath.Join(dir, "services", "web")
	_, err := EditFile(p, Locking{}, func(cur []byte) (*Edit, error) {
		require.NoError(t, os.WriteFile(p, []byte("an editor's save\n"), 0o644))
		return &Edit{Data: []byte("old\nnew entry\n"), Dir: skel, Files: map[string][]byte{Dockerfile: []byte("FROM x\n"), SkeletonDocs: []byte("# web\n")}}, nil
	})
	require.Error(t, err)
	assert.Equal(t, p+" changed while the entry was being added; nothing was written; run again", err.Error())
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "an editor's save\n", string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no skeleton directory and no temporary file: %v", entries)
}

// TestWriteFilesTakesBackDirectory: a --dir that init made is removed again
// when init fails.
func TestWriteFilesTakesBackDirectory(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "a", "b")
	// File "sub" cannot be created: "sub/b.yaml" made a directory there,
	// after the directories and the first file were made.
	_, err := WriteFiles(dir, map[string][]byte{"a.yaml": []byte("a"), "sub": []byte("s"), "sub/b.yaml": []byte("b")}, false, Locking{})
	require.Error(t, err)
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Empty(t, entries, "the first file and the directories made for the files are gone")
}

// TestWriteFilesNested: names may be paths in dir; their directories are
// made, and a name outside dir is refused.
func TestWriteFilesNested(t *testing.T) {
	dir := t.TempDir()
	written, err := WriteFiles(dir, map[string][]byte{".gitlab-ci.yml": []byte("a"), ".gitlab/ci/release.yml": []byte("b")}, false, Locking{})
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, ".gitlab-ci.yml"), filepath.Join(dir, ".gitlab", "ci", "release.yml")}, written)
	b, err := os.ReadFile(filepath.Join(dir, ".gitlab", "ci", "release.yml"))
	require.NoError(t, err)
	assert.Equal(t, "b", string(b))
	_, err = WriteFiles(dir, map[string][]byte{"../x.yml": []byte("x")}, false, Locking{})
	assert.ErrorContains(t, err, "not a path inside")
	assert.NoFileExists(t, filepath.Join(filepath.Dir(dir), "x.yml"))
}

// TestEditFileRemovesStrays: the temp file a killed run left beside the
// spec is gone after the next edit, which holds the directory's lock; a
// file of the user's with a similar name stays.
func TestEditFileRemovesStrays(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "platform.yaml")
	require.NoError(t, os.WriteFile(p, []byte("old\n"), 0o644))
	stray := filepath.Join(dir, ".platformctl-123456.tmp")
	require.NoError(t, os.WriteFile(stray, []byte("old\nhalf an entry"), 0o600))
	mine := filepath.Join(dir, "platformctl-notes.tmp")
	require.NoError(t, os.WriteFile(mine, []byte("mine"), 0o644))
	_, err := EditFile(p, Locking{}, func(cur []byte) (*Edit, error) {
		return &Edit{Data: append(cur, "new\n"...)}, nil
	})
	require.NoError(t, err)
	assert.NoFileExists(t, stray)
	assert.FileExists(t, mine)
}
