package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/labfile"
)

// The window holds one lab session: the bench, the client panes' requests and
// the capture. It can be saved to a file (labfile), reopened, and is autosaved
// to a recovery file every few seconds, so a crash loses at most those seconds.

// prefRecent lists the sessions opened or saved last, newest first.
const prefRecent = "session.recent"

// maxRecent bounds Open Recent.
const maxRecent = 8

// statefulPane is a client pane whose requests are part of a saved session.
type statefulPane interface {
	SaveState() json.RawMessage
	LoadState(json.RawMessage)
}

// session is the window's saved-file state.
type session struct {
	path      string        // "" until saved or opened
	savedSeq  uint64        // the hub's LastSeq when last saved or opened
	savedGen  uint64        // benchGen then
	benchGen  atomic.Uint64 // bumped on every bench change
	pending   map[string]json.RawMessage
	autosaver *labfile.Autosaver
	title     string // the title last set
	busy      bool   // a save or open is under way
	asked     string // the session asked for on the command line, if any
	opened    opened // the session last opened, until New
}

// opened is what the status line says of a session opened from a file while
// nothing new has been captured: its name, and what its recording lost.
type opened struct {
	name string
	seq  uint64 // the hub's LastSeq once it was opened
	lost uint64 // events its recording lost to the capture bound
	held int    // events it holds
}

// dirty reports whether the session changed since it was last saved or opened.
func (w *Window) dirty() bool {
	s := &w.sess
	return w.hub.Stats().LastSeq != s.savedSeq || s.benchGen.Load() != s.savedGen
}

// markSaved records the session as saved (or freshly opened) at path, as it is now.
func (w *Window) markSaved(path string) {
	w.markSavedAt(path, w.hub.Stats().LastSeq, w.sess.benchGen.Load())
}

// markSavedAt records the session as saved at path when the hub's log ended at
// seq and the bench had changed gen times.
func (w *Window) markSavedAt(path string, seq, gen uint64) {
	w.sess.path = path
	w.sess.savedSeq, w.sess.savedGen = seq, gen
	if path != "" {
		w.addRecent(path)
	}
	w.refreshTitle()
}

// refreshTitle shows the session's name and an unsaved mark: "lab.protolab • — Protocol Lab".
func (w *Window) refreshTitle() {
	name := "untitled"
	if w.sess.path != "" {
		name = filepath.Base(w.sess.path)
	}
	mark := ""
	if w.dirty() {
		mark = " •"
	}
	t := name + mark + " — Protocol Lab"
	if t != w.sess.title {
		w.sess.title = t
		w.win.SetTitle(t)
	}
}

// clientStates collects the client panes' saved requests.
func (w *Window) clientStates() map[string]json.RawMessage {
	out := make(map[string]json.RawMessage)
	for name, raw := range w.sess.pending { // panes not built since opening keep theirs
		out[name] = raw
	}
	for name, b := range w.wb.benches {
		if sp, ok := b.client.(statefulPane); ok {
			if raw := sp.SaveState(); raw != nil {
				out[name] = raw
			}
		}
	}
	return out
}

// paneBuilt gives a newly built client pane the requests a session saved for it.
func (w *Window) paneBuilt(name string, p ClientPane) {
	raw, ok := w.sess.pending[name]
	if !ok {
		return
	}
	delete(w.sess.pending, name)
	if sp, ok := p.(statefulPane); ok {
		sp.LoadState(raw)
	}
}

// ask asks whether to save unsaved changes first, then runs then (unless cancelled).
func (w *Window) ask(action string, then func()) {
	if !w.dirty() {
		then()
		return
	}
	name := "this session"
	if w.sess.path != "" {
		name = filepath.Base(w.sess.path)
	}
	d := dialog.NewCustomConfirm("Unsaved changes",
		"Save first", "Don't save",
		newWrappedLabel(fmt.Sprintf("%s has captures or settings that are not saved. Save them before you %s?", name, action)),
		func(save bool) {
			if !save {
				then()
				return
			}
			w.save(then)
		}, w.win)
	d.Show()
}

// newSession stops the servers and starts an empty, untitled session.
func (w *Window) newSession() {
	w.ask("start a new session", func() {
		w.sess.busy = true
		w.wb.close() // the client panes' connections end with the old session
		w.goAsync(func() {
			w.bench.StopAll()
			// Clear keeps live conversations: give the closed ones a moment to end.
			deadline := time.Now().Add(2 * time.Second)
			for w.hub.Stats().LiveConvs > 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			fyne.Do(func() {
				w.sess.busy = false
				w.sess.opened = opened{}
				w.clearCapture()
				w.insp.SetFilter("")
				w.sess.pending = nil
				w.wb.renew()
				w.markSaved("")
			})
		})
	})
}

// openDialog asks for a session file to open.
func (w *Window) openDialog() {
	w.ask("open another session", func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			path := r.URI().Path()
			r.Close()
			w.openPath(path)
		}, w.win)
		d.SetFilter(storage.NewExtensionFileFilter([]string{labfile.Extension}))
		d.Show()
	})
}

// Open opens the saved session at path, as File → Open does. Called before Show
// (protolab FILE.protolab), it is the session asked for: a session a crash left
// behind is then kept aside, not offered in its place (see startAutosave).
func (w *Window) Open(path string) {
	if !w.started {
		w.sess.asked = path
	}
	w.openPath(path)
}

// openPath opens the session at path: the bench restored (servers started as
// they were, unless a port is taken), the captures shown as they were.
func (w *Window) openPath(path string) {
	if w.sess.busy {
		return
	}
	w.sess.busy = true
	w.tools.setNote("opening " + filepath.Base(path) + " …")
	w.goAsync(func() {
		s, err := labfile.Load(path)
		fyne.Do(func() {
			defer func() { w.sess.busy = false; w.tools.setNote("") }()
			if err != nil {
				dialog.ShowError(fmt.Errorf("%s could not be opened, and nothing was changed: %w", filepath.Base(path), err), w.win)
				w.removeRecent(path)
				return
			}
			w.restore(s, path)
		})
	})
}

// restore puts session s on the bench and in the views.
func (w *Window) restore(s *labfile.Session, path string) {
	notStarted, err := s.Restore(w.bench)
	w.resetViews()
	w.insp.SetFilter(s.View.Filter) // one that no longer parses shows its error
	name := filepath.Base(path)
	if path == "" {
		name = "the restored session"
	}
	w.sess.opened = opened{name: name, seq: w.hub.Stats().LastSeq, lost: s.Lost, held: len(s.Events)}
	w.sess.pending = make(map[string]json.RawMessage, len(s.Clients))
	for name, raw := range s.Clients {
		w.sess.pending[name] = raw
	}
	w.wb.renew()
	w.refresh()
	w.markSaved(path)
	var problems []string
	if err != nil {
		problems = append(problems, err.Error())
	}
	names := make([]string, 0, len(notStarted))
	for name := range notStarted {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		problems = append(problems, fmt.Sprintf("%s stays off: %v", name, notStarted[name]))
	}
	if len(problems) > 0 {
		dialog.ShowInformation("Session opened, with problems", strings.Join(problems, "\n"), w.win)
	}
}

// save writes the session to its file, asking for one the first time; then runs
// after, if the save succeeded.
func (w *Window) save(after func()) {
	if w.sess.path == "" {
		w.saveAs(after)
		return
	}
	w.saveTo(w.sess.path, after)
}

// saveAs asks where to save the session.
func (w *Window) saveAs(after func()) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path, err := chosenPath(wc)
		if err != nil {
			dialog.ShowError(fmt.Errorf("the session was not saved: %w", err), w.win)
			return
		}
		if !strings.HasSuffix(path, labfile.Extension) {
			path += labfile.Extension
		}
		w.saveTo(path, after)
	}, w.win)
	d.SetFileName("lab" + labfile.Extension)
	d.SetFilter(storage.NewExtensionFileFilter([]string{labfile.Extension}))
	d.Show()
}

// saveTo writes the session to path off the UI goroutine.
func (w *Window) saveTo(path string, after func()) {
	if w.sess.busy {
		return
	}
	w.sess.busy = true
	s := labfile.Capture(w.bench, w.clientStates())
	s.View = w.view()
	seq, gen := w.hub.Stats().LastSeq, w.sess.benchGen.Load()
	w.tools.setNote("saving " + filepath.Base(path) + " …")
	w.goAsync(func() {
		err := labfile.Save(path, s)
		fyne.Do(func() {
			w.sess.busy = false
			w.tools.setNote("")
			if err != nil {
				dialog.ShowError(fmt.Errorf("the session was not saved (the file as it was is untouched): %w", err), w.win)
				return
			}
			w.markSavedAt(path, seq, gen) // what the file holds
			if after != nil {
				after()
			}
		})
	})
}

// recent returns the recent sessions, newest first.
func (w *Window) recent() []string {
	var list []string
	for _, p := range strings.Split(w.app.Preferences().String(prefRecent), "\n") {
		if p != "" {
			list = append(list, p)
		}
	}
	return list
}

func (w *Window) setRecent(list []string) {
	if len(list) > maxRecent {
		list = list[:maxRecent]
	}
	w.app.Preferences().SetString(prefRecent, strings.Join(list, "\n"))
	w.win.SetMainMenu(w.mainMenu())
}

func (w *Window) addRecent(path string) {
	list := []string{path}
	for _, p := range w.recent() {
		if p != path {
			list = append(list, p)
		}
	}
	w.setRecent(list)
}

func (w *Window) removeRecent(path string) {
	var list []string
	for _, p := range w.recent() {
		if p != path {
			list = append(list, p)
		}
	}
	w.setRecent(list)
}

// recentItems is the Open Recent submenu.
func (w *Window) recentItems() []*fyne.MenuItem {
	var items []*fyne.MenuItem
	for _, p := range w.recent() {
		path := p
		items = append(items, fyne.NewMenuItem(filepath.Base(path)+"  ("+filepath.Dir(path)+")", func() {
			w.ask("open another session", func() { w.openPath(path) })
		}))
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem("(none yet)", nil)
		none.Disabled = true
		items = append(items, none)
	}
	return items
}

// startAutosave offers to restore a session a crash left behind, then writes the
// live session to the recovery file every few seconds.
func (w *Window) startAutosave() {
	path, err := labdir.Recovery()
	if err != nil {
		return
	}
	start := func() {
		w.sess.autosaver = labfile.NewAutosaver(w.bench, path, labfile.DefaultAutosaveEvery, func() map[string]json.RawMessage {
			return onUI(w, w.clientStates)
		})
		w.sess.autosaver.SetView(func() labfile.ViewState { return onUI(w, w.view) })
		w.sess.autosaver.Start()
	}
	info, ok := labfile.Recoverable(path)
	if !ok {
		start()
		return
	}
	if w.sess.asked != "" {
		w.keepRecovery(path, info)
		start()
		return
	}
	msg := fmt.Sprintf("Protocol Lab did not close cleanly last time. Restore the session it was running "+
		"(%d events, saved %s)?", info.Events, info.Saved.Local().Format("2006-01-02 15:04:05"))
	dialog.ShowCustomConfirm("Restore the last session?", "Restore", "Discard", newWrappedLabel(msg), func(yes bool) {
		if yes {
			if s, err := labfile.Load(path); err == nil {
				w.restore(s, "")
				w.sess.savedSeq = 0 // restored, not saved anywhere yet
			} else {
				dialog.ShowError(fmt.Errorf("the recovery file could not be read: %w", err), w.win)
			}
		}
		start()
	}, w.win)
}

// keepRecovery moves the session a crash left behind at path out of the
// autosaver's way, beside it as "unsaved YYYY-MM-DD HHMMSS.protolab", lists it
// first in Open Recent and says so: the session asked for on the command line
// is what the window shows, and nothing is lost.
func (w *Window) keepRecovery(path string, info *labfile.SessionInfo) {
	name := "unsaved " + info.Saved.Local().Format("2006-01-02 150405") + labfile.Extension
	kept := filepath.Join(filepath.Dir(path), name)
	if err := os.Rename(path, kept); err != nil {
		dialog.ShowError(fmt.Errorf("the session Protocol Lab was running when it last stopped "+
			"could not be kept aside, and will be overwritten: %w", err), w.win)
		return
	}
	w.addRecent(kept)
	msg := fmt.Sprintf("Protocol Lab did not close cleanly last time. The session it was running "+
		"(%d events) is kept as %s: File → Open Recent opens it.", info.Events, kept)
	dialog.ShowInformation("The last session is kept", msg, w.win)
}

// onUI returns what f returns, asked on the UI goroutine, for the autosaver's
// goroutine; the zero value once the window closes.
func onUI[T any](w *Window, f func() T) T {
	done := make(chan T, 1)
	fyne.Do(func() { done <- f() })
	select {
	case v := <-done:
		return v
	case <-w.stop:
		var zero T
		return zero
	}
}

// view is how the views show the session, to save with it.
func (w *Window) view() labfile.ViewState { return labfile.ViewState{Filter: w.insp.Filter()} }

// stopAutosave ends autosaving and removes the recovery file: a clean exit.
func (w *Window) stopAutosave() {
	if a := w.sess.autosaver; a != nil {
		a.Stop()
		w.sess.autosaver = nil
	}
}
