package treeio

import (
	"errors"
	"os"
	"sync"
)

// syncWorkers fsync staged files at once: the file system then commits
// them together (ext4 and XFS batch concurrent fsyncs into one journal
// commit), which is several times faster than one after another.
const syncWorkers = 16

// syncStaged makes the staged files durable before the journal says the
// commit may begin.
func syncStaged(files []string) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	next := make(chan string)
	for range min(syncWorkers, len(files)) {
		wg.Go(func() {
			for name := range next {
				if err := syncFile(name); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, name := range files {
		next <- name
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	serr := f.Sync()
	return errors.Join(serr, f.Close())
}
