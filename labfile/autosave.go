package labfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/protocollab/protolab/lab"
)

// DefaultAutosaveEvery is how often an Autosaver writes when every is zero.
const DefaultAutosaveEvery = 5 * time.Second

// Recoverable reports whether path holds a whole session to restore (what an
// Autosaver left after a crash), and what it holds.
func Recoverable(path string) (*SessionInfo, bool) {
	info, err := Stat(path)
	if err != nil {
		return nil, false
	}
	return info, true
}

// Autosaver writes the live session to a recovery file every few seconds while
// anything changed: events or conversations in the hub, the bench's servers or
// settings, or the clients' saved requests. A crash then loses at most those
// seconds. Its methods are safe for concurrent use.
type Autosaver struct {
	bench   *lab.Bench
	path    string
	every   time.Duration
	clients func() map[string]json.RawMessage
	view    func() ViewState // nil: the zero ViewState

	changes atomic.Uint64 // bench and conversation changes, counted by callbacks

	mu      sync.Mutex
	stop    chan struct{}
	done    chan struct{}
	last    mark
	saved   bool // a recovery file was written
	lastErr error
}

// mark is what the session looked like when last saved.
type mark struct {
	stats   lab.Stats
	changes uint64
	clients []byte
	view    ViewState
}

// NewAutosaver returns an autosaver of b to path (labdir.Recovery for the app) every
// every (zero: DefaultAutosaveEvery). clients, if not nil, returns the client
// panes' saved requests; it is called from the autosaver's goroutine.
func NewAutosaver(b *lab.Bench, path string, every time.Duration, clients func() map[string]json.RawMessage) *Autosaver {
	if every <= 0 {
		every = DefaultAutosaveEvery
	}
	a := &Autosaver{bench: b, path: path, every: every, clients: clients}
	b.OnChange(func(string) { a.changes.Add(1) })
	b.Hub().OnConversation(func(lab.ConvID) { a.changes.Add(1) })
	return a
}

// SetView gives the autosaver how the views show the session (the inspector's
// display filter), to save with it; view is called from the autosaver's
// goroutine. Call it before Start.
func (a *Autosaver) SetView(view func() ViewState) {
	a.mu.Lock()
	a.view = view
	a.mu.Unlock()
}

// Path returns the recovery file's path.
func (a *Autosaver) Path() string { return a.path }

// Start begins autosaving; it does nothing if already started.
func (a *Autosaver) Start() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stop != nil {
		return
	}
	a.stop, a.done = make(chan struct{}), make(chan struct{})
	go a.run(a.stop, a.done)
}

func (a *Autosaver) run(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(a.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			a.SaveIfChanged()
		}
	}
}

// SaveIfChanged writes the recovery file now if the session changed since the
// last write, and reports whether it wrote. The autosaver calls it on its tick.
func (a *Autosaver) SaveIfChanged() (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var clients map[string]json.RawMessage
	if a.clients != nil {
		clients = a.clients()
	}
	var view ViewState
	if a.view != nil {
		view = a.view()
	}
	cj, _ := json.Marshal(clients)
	st := a.bench.Hub().Stats()
	now := mark{stats: st, changes: a.changes.Load(), clients: cj, view: view}
	if a.saved && now.stats == a.last.stats && now.changes == a.last.changes && bytes.Equal(now.clients, a.last.clients) && now.view == a.last.view {
		return false, nil
	}
	err := os.MkdirAll(filepath.Dir(a.path), 0o700)
	if err == nil {
		s := Capture(a.bench, clients)
		s.View = view
		err = Save(a.path, s)
	}
	a.lastErr = err
	if err != nil {
		return false, err
	}
	a.last, a.saved = now, true
	return true, nil
}

// Err returns the last write's error, if it failed (a full disk): the app may
// tell the person that autosave is not working.
func (a *Autosaver) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lastErr
}

// Stop ends autosaving and removes the recovery file: a clean exit leaves
// nothing to recover. It waits for a write under way to finish.
func (a *Autosaver) Stop() error {
	a.mu.Lock()
	stop, done := a.stop, a.done
	a.stop, a.done = nil, nil
	a.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.saved = false
	if err := os.Remove(a.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
