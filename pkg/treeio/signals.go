package treeio

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// signals holds SIGINT, SIGTERM and SIGHUP while Write runs: instead of
// killing the process mid-commit they are recorded, Write settles the tree
// (undoing staging, or finishing the commit), and the caller exits with the
// signal's status. SIGKILL cannot be held; the journal covers it.
type signals struct {
	ch   chan os.Signal
	mu   sync.Mutex
	got  os.Signal
	done chan struct{}
	// fired is closed when the first signal arrives, to end a lock wait.
	fired chan struct{}
	once  sync.Once
}

func holdSignals() *signals {
	s := &signals{ch: make(chan os.Signal, 1), done: make(chan struct{}), fired: make(chan struct{})}
	signal.Notify(s.ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	if testSignals != nil {
		testSignals(s)
	}
	go func() {
		for {
			select {
			case v := <-s.ch:
				s.record(v)
			case <-s.done:
				return
			}
		}
	}()
	return s
}

// testSignals, when a test sets it, is told of every signals value, so a
// test that signals its own process can wait until the signal has arrived.
var testSignals func(*signals)

// record keeps the first signal and wakes a lock wait.
func (s *signals) record(v os.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.got == nil {
		s.got = v
		close(s.fired)
	}
}

// caught returns the first signal that arrived, or nil.
func (s *signals) caught() os.Signal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got
}

// release stops holding signals and returns the first one that arrived,
// including one still on its way through the channel. It may be called
// more than once.
func (s *signals) release() os.Signal {
	s.once.Do(func() {
		signal.Stop(s.ch)
		close(s.done)
		select {
		case v := <-s.ch:
			s.record(v)
		default:
		}
	})
	return s.caught()
}
