package lab

import "sync"

// Started is the "the server has started" signal every embedded server offers, the
// channel form of miekg/dns's NotifyStartedFunc: tests and the Bench wait on C, never
// on a sleep. The zero value is ready to use; it is safe for concurrent use.
type Started struct {
	init sync.Once
	fire sync.Once
	ch   chan struct{}
}

// C is closed once Fire has been called.
func (s *Started) C() <-chan struct{} {
	s.init.Do(func() { s.ch = make(chan struct{}) })
	return s.ch
}

// Fire closes C and calls notify (if non-nil) the first time; later calls do nothing.
func (s *Started) Fire(notify func()) {
	s.C()
	s.fire.Do(func() {
		close(s.ch)
		if notify != nil {
			notify()
		}
	})
}
