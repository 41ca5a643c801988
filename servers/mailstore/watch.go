package mailstore

// Watch reports the changes to user's mail ("alice@alpha.test"; "" for every
// user of the domain) until stop is called, which closes the channel. The
// channel is bounded: a watcher that falls behind loses changes rather than
// slowing Deliver, so a watcher that must be exact re-reads List after a gap.
func (s *Store) Watch(user string) (changes <-chan Change, stop func()) {
	w := &watcher{ch: make(chan Change, watchBuffer)}
	if user != "" {
		if l, ok := s.local(user); ok {
			w.user = s.addr(l)
		} else {
			w.user = user // matches nothing
		}
	}
	s.mu.Lock()
	s.watchers[w] = struct{}{}
	s.mu.Unlock()
	stopped := false
	return w.ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if stopped {
			return
		}
		stopped = true
		delete(s.watchers, w)
		close(w.ch)
	}
}

// notify sends c to the watchers of its user without blocking; s.mu is held.
func (s *Store) notify(c Change) {
	for w := range s.watchers {
		if w.user != "" && w.user != c.User {
			continue
		}
		select {
		case w.ch <- c:
		default:
		}
	}
}
