//go:build unix

package filelock

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModes(t *testing.T) {
	tests := []struct {
		name        string
		held, want  Mode
		wantTimeout bool
	}{
		{"two readers share", Shared, Shared, false},
		{"a writer waits for a reader", Shared, Exclusive, true},
		{"a reader waits for a writer", Exclusive, Shared, true},
		{"a writer waits for a writer", Exclusive, Exclusive, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			held, err := Acquire(dir, tt.held, Options{})
			require.NoError(t, err)
			defer held.Unlock()
			waited := 0
			got, err := Acquire(dir, tt.want, Options{Timeout: 30 * time.Millisecond, Waiting: func() { waited++ }})
			if !tt.wantTimeout {
				require.NoError(t, err)
				got.Unlock()
				assert.Zero(t, waited)
				return
			}
			require.ErrorIs(t, err, ErrTimeout)
			assert.Contains(t, err.Error(), dir)
			assert.Equal(t, 1, waited, "Waiting is called exactly once")
		})
	}
}

func TestWaitsForTheHolder(t *testing.T) {
	dir := t.TempDir()
	held, err := Acquire(dir, Exclusive, Options{})
	require.NoError(t, err)
	var released atomic.Bool
	go func() {
		time.Sleep(50 * time.Millisecond)
		released.Store(true)
		held.Unlock()
	}()
	l, err := Acquire(dir, Exclusive, Options{Timeout: 10 * time.Second})
	require.NoError(t, err)
	defer l.Unlock()
	assert.True(t, released.Load(), "acquired only after the holder let go")
}

// Many writers incrementing a counter file under the lock lose no update.
func TestMutualExclusion(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(dir, "n")
	require.NoError(t, os.WriteFile(counter, []byte{0}, 0o644))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				l, err := Acquire(dir, Exclusive, Options{Timeout: time.Minute})
				if !assert.NoError(t, err) {
					return
				}
				b, _ := os.ReadFile(counter)
				time.Sleep(100 * time.Microsecond)
				_ = os.WriteFile(counter, []byte{b[0] + 1}, 0o644)
				l.Unlock()
			}
		})
	}
	wg.Wait()
	b, err := os.ReadFile(counter)
	require.NoError(t, err)
	assert.Equal(t, byte(80), b[0])
}

func TestCreate(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	l, err := Acquire(dir, Exclusive, Options{Create: true})
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(root, "a"), dir}, l.Created())
	l.Unlock()

	again, err := Acquire(dir, Exclusive, Options{Create: true})
	require.NoError(t, err)
	assert.Empty(t, again.Created(), "an existing directory is not ours to remove")
	again.Unlock()

	_, err = Acquire(filepath.Join(root, "missing"), Shared, Options{})
	assert.True(t, errors.Is(err, os.ErrNotExist), "without Create a missing directory is an error: %v", err)
}

// A waiter whose directory is removed and made again by the holder ends up
// holding the new directory, not the deleted one.
func TestDirectoryReplacedWhileWaiting(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	held, err := Acquire(dir, Exclusive, Options{Create: true})
	require.NoError(t, err)
	go func() {
		time.Sleep(30 * time.Millisecond)
		_ = os.Remove(dir) // the holder failed and takes away what it made
		held.Unlock()
	}()
	l, err := Acquire(dir, Exclusive, Options{Create: true, Timeout: 10 * time.Second})
	require.NoError(t, err)
	defer l.Unlock()
	same, err := stillAt(l.f, dir)
	require.NoError(t, err)
	assert.True(t, same)
	assert.Equal(t, []string{dir}, l.Created())
}
