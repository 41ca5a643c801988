package ui

import (
	"time"

	"fyne.io/fyne/v2"

	"github.com/protocollab/protolab/lab"
)

// refreshRate bounds how often the window redraws from the hub.
const refreshRate = 30

// logLines is how many lines a server log keeps.
const logLines = 200

// run is the refresh ticker: at most refreshRate times a second, and only when the
// hub has events, the bench or conversations changed, a pane asked, the inspector
// has events left from a burst, or a second passed (live session counts and UDP flows age without events), it queues one
// refresh on the UI goroutine. It never queues a second while one is pending, so a
// flood of events costs one redraw per tick, never one per event.
func (w *Window) run() {
	defer close(w.ran)
	t := time.NewTicker(time.Second / refreshRate)
	defer t.Stop()
	var last time.Time
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		if w.inflight.Load() {
			continue
		}
		due := false
		select {
		case <-w.sub.Ready():
			due = true
		default:
		}
		select {
		case <-w.poke:
			due = true
		default:
		}
		now := time.Now()
		if now.Sub(last) >= time.Second {
			due = true
		}
		if !due && !w.benchDirty.Load() && !w.convDirty.Load() && !w.inspBehind.Load() {
			continue
		}
		last = now
		w.inflight.Store(true)
		fyne.Do(func() {
			defer w.inflight.Store(false)
			select {
			case <-w.stop:
				return
			default:
			}
			w.refresh()
		})
	}
}

// refresh brings every view up to date with the lab. UI goroutine only.
func (w *Window) refresh() {
	events := w.drain()
	convs := w.convDirty.Swap(false)
	bench := w.benchDirty.Swap(false)
	inspect := events || convs || w.insp.Behind()
	if inspect {
		w.insp.Update()
	}
	w.inspBehind.Store(w.insp.Behind())
	w.rail.refresh()
	w.tools.refresh()
	w.wb.refresh()
	if w.labMap != nil {
		w.labMap.refresh(convs || bench)
	}
	w.refreshTitle()
	if w.onRefresh != nil {
		w.onRefresh(inspect)
	}
}

// keepEvents is the most room for events drain keeps between refreshes.
const keepEvents = 8192

// drain reads the hub's new events into the server logs, formatting only the
// last logLines of each protocol, and reports whether there were any.
func (w *Window) drain() bool {
	events, missed := w.sub.NextAppend(w.evs, 0)
	defer func() {
		clear(events)
		if w.evs = events[:0]; cap(w.evs) > keepEvents {
			w.evs = nil // a burst's room is let go
		}
	}()
	if len(events) == 0 && missed == 0 {
		return false
	}
	if len(w.convProto) > 50_000 {
		clear(w.convProto)
	}
	fresh := make(map[string][]string)
	for i := len(events) - 1; i >= 0; i-- {
		e := &events[i]
		if !e.Readable() {
			continue // the analyzers' messages tell the same bytes, FIN and RST
		}
		p := w.protocolOf(e)
		if len(fresh[p]) >= logLines {
			continue
		}
		fresh[p] = append(fresh[p], w.hub.FormatText(*e))
	}
	for p, lines := range fresh {
		r := w.logs[p]
		if r == nil {
			r = newLogRing(logLines)
			w.logs[p] = r
		}
		for i := len(lines) - 1; i >= 0; i-- {
			r.add(lines[i])
		}
	}
	return true
}

// protocolOf names the protocol of e's conversation, remembering the answer.
func (w *Window) protocolOf(e *lab.Event) string {
	if p, ok := w.convProto[e.Conv]; ok {
		return p
	}
	p := e.Layer
	if c := w.hub.Conversation(e.Conv); c != nil {
		p = c.Info(false).Protocol
	}
	w.convProto[e.Conv] = p
	return p
}

// logRing keeps the last n lines of a log.
type logRing struct {
	lines []string
	next  int // where the next line goes once full
	total uint64
}

func newLogRing(n int) *logRing { return &logRing{lines: make([]string, 0, n)} }

func (r *logRing) add(s string) {
	r.total++
	if len(r.lines) < cap(r.lines) {
		r.lines = append(r.lines, s)
		return
	}
	r.lines[r.next] = s
	r.next = (r.next + 1) % len(r.lines)
}

func (r *logRing) len() int {
	if r == nil {
		return 0
	}
	return len(r.lines)
}

// at returns the i-th line, oldest first.
func (r *logRing) at(i int) string {
	if r == nil || i < 0 || i >= len(r.lines) {
		return ""
	}
	return r.lines[(r.next+i)%len(r.lines)]
}

func (r *logRing) reset() {
	if r != nil {
		r.lines, r.next = r.lines[:0], 0
		r.total++ // a change the log view sees
	}
}
