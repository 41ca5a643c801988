package labfile

import (
	"bufio"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/protocollab/protolab/lab"
)

// A Recording keeps every event a hub publishes, as it is published, in spool
// files on disk beside the session file it becomes, as Wireshark writes its
// capture file while it captures: the hub's memory bound decides what the lab
// holds to show, not what a recording keeps. With a limit, the spool is a ring:
// when it reaches the limit, its oldest part (an eighth of the limit at most)
// is let go for the newest, and the events let go are counted as the
// session's Lost. Save writes the session file from the spool and removes it.
//
// The spool is a folder of segments, each a deflated run of events encoded as
// in a session's body with a string table of its own, so that one can be let
// go without the others. It is readable by its owner only, like the session.
type Recording struct {
	hub    *lab.Hub
	sub    *lab.Subscription
	evs    []lab.Event // the events being spooled (drain), their room kept for the next
	spool  string
	limit  int64
	segMax int64
	stop   chan struct{}
	done   chan struct{}

	mu   sync.Mutex
	segs []segment // the closed segments, oldest first
	size int64     // their bytes
	cur  *segWriter
	n    int    // segments made, for their names
	lost uint64 // events let go by the limit or missed from the hub
	err  error  // the first error writing the spool; the recording stops at it
}

// segment is a closed spool file.
type segment struct {
	path   string
	events int
	size   int64
}

// segWriter writes the segment being filled.
type segWriter struct {
	segment
	f  *os.File
	cw countWriter
	zw *flate.Writer
	e  *encoder
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// keptBehind is how far, in the hub's count of event bytes, a recording may
// fall behind the capture (a burst of traffic, a busy disk) and still keep
// every event: the hub sets aside what its bound drops before the recording
// has written it (lab.Subscription.Keep).
const keptBehind = 32 << 20

// Segment sizes: an eighth of the limit, within these bounds.
const (
	minSegment = 64 << 10
	maxSegment = 8 << 20
)

// Record starts recording h's events, from the oldest it holds, into a spool
// folder beside path; limit bounds the spool's bytes (0: no limit). Stop it
// with Save, or Discard. A path Save would refuse (a name Windows treats
// specially) is refused here, before anything is recorded.
func Record(h *lab.Hub, path string, limit int64) (*Recording, error) {
	if limit < 0 {
		return nil, fmt.Errorf("labfile: a recording limit of %d bytes", limit)
	}
	if err := checkName(path); err != nil {
		return nil, err
	}
	spool, err := os.MkdirTemp(filepath.Dir(path), "."+filepath.Base(path)+".spool-")
	if err != nil {
		return nil, fmt.Errorf("labfile: cannot record beside %s: %w", path, err)
	}
	r := &Recording{hub: h, spool: spool, limit: limit, segMax: maxSegment,
		stop: make(chan struct{}), done: make(chan struct{})}
	if limit > 0 {
		r.segMax = min(max(limit/8, minSegment), maxSegment)
	}
	r.sub = h.Subscribe(true)
	r.sub.Keep(keptBehind)
	go r.run()
	return r, nil
}

func (r *Recording) run() {
	defer close(r.done)
	for {
		select {
		case <-r.sub.Ready():
			r.drain()
		case <-r.stop:
			r.drain()
			return
		}
	}
}

// drain spools every event waiting.
func (r *Recording) drain() {
	for {
		evs, missed := r.sub.NextAppend(r.evs, 4096)
		r.mu.Lock()
		r.lost += missed
		for i := range evs {
			r.write(&evs[i])
		}
		r.mu.Unlock()
		clear(evs)
		r.evs = evs[:0]
		if len(evs) == 0 {
			return
		}
	}
}

// write spools ev. r.mu must be held.
func (r *Recording) write(ev *lab.Event) {
	if r.err != nil {
		r.lost++
		return
	}
	if r.cur == nil {
		r.n++
		path := filepath.Join(r.spool, fmt.Sprintf("%08d", r.n))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			r.fail(err)
			r.lost++
			return
		}
		w := &segWriter{segment: segment{path: path}, f: f}
		w.cw.w = f
		w.zw, _ = flate.NewWriter(&w.cw, flate.BestSpeed)
		w.e = &encoder{version: FormatVersion, w: w.zw, buf: make([]byte, 0, 80<<10), strs: map[string]uint64{"": 1}}
		r.cur = w
	}
	w := r.cur
	w.e.event(ev)
	w.e.flush(false)
	w.events++
	if w.e.err != nil {
		r.fail(w.e.err)
		return
	}
	if w.cw.n+int64(len(w.e.buf)) >= r.segMax {
		r.closeSegment()
	}
}

// closeSegment ends the segment being filled and lets the oldest go while the
// spool is over its limit. r.mu must be held.
func (r *Recording) closeSegment() {
	w := r.cur
	r.cur = nil
	w.e.flush(true)
	err := w.e.err
	if err == nil {
		err = w.zw.Close()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		r.fail(err)
		return
	}
	w.size = w.cw.n
	r.segs = append(r.segs, w.segment)
	r.size += w.size
	for r.limit > 0 && r.size > r.limit && len(r.segs) > 1 {
		old := r.segs[0]
		r.segs = r.segs[1:]
		r.size -= old.size
		r.lost += uint64(old.events)
		os.Remove(old.path)
	}
}

// fail stops the spooling at its first error: events from then on are lost,
// and Save says why. r.mu must be held.
func (r *Recording) fail(err error) {
	if r.err == nil {
		r.err = fmt.Errorf("labfile: writing the recording's spool in %s: %w", r.spool, err)
	}
	if w := r.cur; w != nil {
		r.lost += uint64(w.events)
		w.f.Close()
		os.Remove(w.path)
		r.cur = nil
	}
}

// finish stops the recording and closes its last segment.
func (r *Recording) finish() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.done
	r.sub.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != nil {
		r.closeSegment()
	}
}

// RecordStats says what a recording kept.
type RecordStats struct {
	Events        int
	Conversations int
	Lost          uint64 // events left out: the oldest, let go by the limit, or missed
}

// Save stops the recording and writes the session at path as labfile.Save
// does: s (from Capture: the bench, clients and conversations) with the
// recorded events in place of the hub's, and the events the recording lost
// as s.Lost. The spool is removed, whether the save succeeds or not.
func (r *Recording) Save(path string, s *Session) (RecordStats, error) {
	r.finish()
	defer os.RemoveAll(r.spool)
	r.mu.Lock()
	segs, lost, err := r.segs, r.lost, r.err
	r.mu.Unlock()
	if err != nil {
		return RecordStats{}, err
	}
	n := 0
	for _, sg := range segs {
		n += sg.events
	}
	s.Events, s.Lost = nil, lost
	if err := save(path, s, eventSource{n: n, each: func(yield func(*lab.Event) error) error {
		for _, sg := range segs {
			if err := readSegment(sg, yield); err != nil {
				return err
			}
		}
		return nil
	}}); err != nil {
		return RecordStats{}, err
	}
	return RecordStats{Events: n, Conversations: len(s.Conversations), Lost: lost}, nil
}

// Discard stops the recording and removes its spool.
func (r *Recording) Discard() {
	r.finish()
	os.RemoveAll(r.spool)
}

// readSegment yields the events of sg, in order.
func readSegment(sg segment, yield func(*lab.Event) error) error {
	f, err := os.Open(sg.path)
	if err != nil {
		return fmt.Errorf("labfile: reading the recording's spool: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(flate.NewReader(bufio.NewReader(f)))
	if err != nil {
		return fmt.Errorf("labfile: reading the recording's spool %s: %w", sg.path, err)
	}
	d := &decoder{version: FormatVersion, b: raw, strs: make([]string, 1, 1024)}
	var ev lab.Event
	for range sg.events {
		ev = lab.Event{}
		if !d.event(&ev) {
			return fmt.Errorf("labfile: the recording's spool %s: %w", sg.path, d.err)
		}
		if err := yield(&ev); err != nil {
			return err
		}
	}
	if d.i != len(d.b) {
		return fmt.Errorf("labfile: the recording's spool %s: %w", sg.path, errors.New("bytes after its last event"))
	}
	return nil
}
