// Package ui is Protocol Lab's main window: the server rail, the protocol
// workbench (server pane and client pane side by side), the inspector and the
// toolbar, refreshed from the lab's hub at a bounded rate.
//
// The views read the lab only through lab.Bench and lab.Hub; they never reach into
// a server. Client panes are chosen per protocol (see clientPanes).
package ui

import (
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/protocollab/protolab/lab"
)

// Preference keys, kept between runs.
const (
	prefWidth      = "window.width"
	prefHeight     = "window.height"
	prefRailSplit  = "split.rail"
	prefBenchSplit = "split.workbench"
	prefLogSplit   = "split.serverlog"
	prefSelected   = "workbench.protocol"
	prefTheme      = "theme"
)

// defaultLogSplit is where the server pane's settings end and its log begins.
const defaultLogSplit = 0.35

// Window is Protocol Lab's main window. Its methods are called on the UI goroutine.
type Window struct {
	app   fyne.App
	win   fyne.Window
	bench *lab.Bench
	hub   *lab.Hub
	reg   *lab.Registry

	rail      *rail
	tools     *toolbar
	wb        *workbench
	insp      inspectorView
	strip     *benchStrip      // the bench's title strip (benchstrip.go)
	railSplit *container.Split // the rail beside the workbench
	mainSplit *container.Split // the bench above the inspector
	body      *fyne.Container  // the split, or the inspector alone while the bench is collapsed

	sub       *lab.Subscription
	evs       []lab.Event         // the events being read (drain), their room kept for the next
	logs      map[string]*logRing // server log lines by protocol
	convProto map[lab.ConvID]string

	benchDirty atomic.Bool   // the bench changed (a server started, stopped, failed)
	convDirty  atomic.Bool   // conversations were created, joined or ended
	poke       chan struct{} // a pane has news (coalesced)
	inflight   atomic.Bool   // a refresh is queued on the UI goroutine
	inspBehind atomic.Bool   // the inspector has events left to read
	stop       chan struct{}
	ran        chan struct{} // closed when the refresh ticker has stopped
	stopOnce   sync.Once
	started    bool
	labMap     *labMapWindow // the lab map's window while it is open

	// onRefresh, when set (by tests), is called at the end of every refresh,
	// saying whether the inspector was updated.
	onRefresh func(inspected bool)

	sess session // the saved-file state (session.go)

	// async tracks work run off the UI goroutine (starting servers, dialling),
	// so that tests can wait for it.
	async sync.WaitGroup
}

// NewWindow builds the main window, titled "Protocol Lab", for bench's protocols.
// It does not show it.
func NewWindow(a fyne.App, bench *lab.Bench) *Window {
	w := &Window{
		app:       a,
		win:       a.NewWindow("Protocol Lab"),
		bench:     bench,
		hub:       bench.Hub(),
		reg:       bench.Registry(),
		logs:      make(map[string]*logRing),
		convProto: make(map[lab.ConvID]string),
		poke:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		ran:       make(chan struct{}),
	}
	applyTheme(a, a.Preferences().StringWithFallback(prefTheme, themeSystem))
	w.sub = w.hub.Subscribe(true)
	bench.OnChange(func(string) { w.benchDirty.Store(true); w.sess.benchGen.Add(1); w.changed() })
	w.hub.OnConversation(func(lab.ConvID) { w.convDirty.Store(true) })

	w.insp = newInspectorView(w.hub, w.reg)
	w.wb = newWorkbench(w)
	w.rail = newRail(w)
	w.tools = newToolbar(w)

	w.win.SetContent(container.NewBorder(w.tools.object(), nil, nil, nil, w.buildBody()))
	w.win.SetMainMenu(w.mainMenu())
	w.addShortcuts()
	w.win.SetCloseIntercept(w.quit)

	sel := a.Preferences().StringWithFallback(prefSelected, "")
	if w.reg.Lookup(sel) == nil || len(w.rail.names) > 0 && !w.rail.has(sel) {
		sel = ""
		if len(w.rail.names) > 0 {
			sel = w.rail.names[0]
		}
	}
	if sel != "" {
		w.selectProtocol(sel)
	}
	w.refresh()
	w.markSaved("")
	return w
}

// FyneWindow returns the underlying Fyne window.
func (w *Window) FyneWindow() fyne.Window { return w.win }

// Show restores the remembered window size, shows the window and starts the
// refresh ticker.
func (w *Window) Show() {
	w.restoreSize()
	w.win.Show()
	if !w.started {
		w.started = true
		go w.run()
		w.startAutosave()
	}
}

// restoreSize gives the window the size it had when last closed (1400×900 at first).
func (w *Window) restoreSize() {
	p := w.app.Preferences()
	width := p.FloatWithFallback(prefWidth, 1400)
	height := p.FloatWithFallback(prefHeight, 900)
	w.win.Resize(fyne.NewSize(float32(width), float32(height)))
}

// ShowAndRun shows the window and runs the application until it quits.
func (w *Window) ShowAndRun() {
	w.Show()
	w.app.Run()
}

// Close remembers the window's size and split positions, stops the refresh
// ticker and the autosaver (a clean exit leaves no recovery file), ends the client
// panes' connections and closes the window, saved or not: closing the window or
// Quit asks first. Stopping the servers is the caller's job.
func (w *Window) Close() {
	w.stopOnce.Do(func() {
		close(w.stop)
		if w.started {
			<-w.ran // the ticker only queues work, so it stops at once
		}
		w.stopAutosave()
		w.savePrefs()
		w.sub.Close()
		w.wb.close()
		w.win.Close()
	})
}

func (w *Window) savePrefs() {
	p := w.app.Preferences()
	if s := w.win.Canvas().Size(); s.Width > 100 && s.Height > 100 {
		p.SetFloat(prefWidth, float64(s.Width))
		p.SetFloat(prefHeight, float64(s.Height))
	}
	p.SetFloat(prefRailSplit, w.railSplit.Offset)
	p.SetFloat(prefMainSplit, w.mainSplit.Offset)
	w.wb.savePrefs(p)
}

// selectProtocol shows name's workbench and highlights it in the rail.
func (w *Window) selectProtocol(name string) {
	w.wb.show(name)
	w.rail.setSelected(name)
	w.strip.show(name, w.collapsed())
	w.app.Preferences().SetString(prefSelected, name)
}

// changed asks for a refresh at the next tick; safe from any goroutine.
func (w *Window) changed() {
	select {
	case w.poke <- struct{}{}:
	default:
	}
}

// goAsync runs f off the UI goroutine; f reports back with fyne.Do.
func (w *Window) goAsync(f func()) {
	w.async.Add(1)
	go func() {
		defer w.async.Done()
		f()
	}()
}
