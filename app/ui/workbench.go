package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// workbench is the centre of the window: the selected protocol's server pane and
// client pane side by side. Each protocol's panes are built when first shown and
// kept, so a client's connections live on while another protocol is shown.
type workbench struct {
	w       *Window
	stack   *fyne.Container
	benches map[string]*protoBench
	current string
	offset  float64 // the server/client split, shared by all protocols
	logOff  float64 // the server pane's settings/log split, shared by all protocols
}

// protoBench is one protocol's workbench.
type protoBench struct {
	server *serverPane
	client ClientPane // nil when the protocol has no client pane
	split  *container.Split
}

func newWorkbench(w *Window) *workbench {
	empty := widget.NewLabel("Choose a server on the left.")
	return &workbench{
		w:       w,
		stack:   container.NewStack(container.NewCenter(empty)),
		benches: make(map[string]*protoBench),
		offset:  w.app.Preferences().FloatWithFallback(prefBenchSplit, 0.5),
		logOff:  w.app.Preferences().FloatWithFallback(prefLogSplit, defaultLogSplit),
	}
}

func (wb *workbench) object() fyne.CanvasObject { return wb.stack }

// show makes name's workbench the visible one.
func (wb *workbench) show(name string) {
	p := wb.w.reg.Lookup(name)
	if p == nil {
		return
	}
	wb.keepOffsets()
	b := wb.benches[name]
	if b == nil {
		b = &protoBench{server: newServerPane(wb.w, p)}
		b.split = container.NewHSplit(card(b.server.obj), clientCard(wb.buildClient(b, p)))
		wb.benches[name] = b
	}
	b.split.Offset = wb.offset
	b.server.split.Offset = wb.logOff
	wb.current = name
	wb.stack.Objects = []fyne.CanvasObject{b.split}
	wb.stack.Refresh()
	b.server.refresh()
	if b.client != nil {
		b.client.Update()
	}
}

// buildClient makes b's client pane for p, given the requests the session saved
// for it, and returns what the workbench shows on its right: the pane, or why
// there is none.
func (wb *workbench) buildClient(b *protoBench, p *lab.Protocol) fyne.CanvasObject {
	spec := clientPaneFor(p.Name)
	if spec.newPane == nil {
		text := "There is no client for " + title(p) + " in the lab yet: connect with a program of your own to the server's address."
		if spec.none != "" {
			text = title(p) + " has no client of its own: " + spec.none + "."
		}
		note := widget.NewLabel(text)
		note.Wrapping = fyne.TextWrapWord
		return container.NewBorder(paneTitle("CLIENT", title(p)), nil, nil, nil, note)
	}
	b.client = wb.newClientPane(spec, p)
	if len(p.Parts) > 0 {
		parts := newPartsPane()
		parts.add(p.Name, b.client)
		for _, name := range p.Parts {
			if part, ps := wb.w.reg.Lookup(name), clientPaneFor(name); part != nil && ps.newPane != nil {
				parts.add(name, wb.newClientPane(ps, part))
			}
		}
		b.client = parts
	}
	return b.client.Object()
}

// newClientPane builds p's client pane as spec says, given the requests the
// session saved for it.
func (wb *workbench) newClientPane(spec paneSpec, p *lab.Protocol) ClientPane {
	c := spec.newPane(PaneContext{
		Bench:    wb.w.bench,
		Protocol: p,
		Tap:      wb.w.hub.Tap(p),
		Window:   wb.w.win,
		Changed:  wb.w.changed,
		Select:   wb.w.insp.Select,
		Go:       wb.w.goAsync,
	})
	wb.w.paneBuilt(p.Name, c)
	return c
}

// renew gives every protocol a fresh client pane, for a new or opened session:
// the old panes' connections are closed, and nothing they showed (a listing, an
// answer, a logged-in state) outlives their session. Each new pane gets the
// requests the session saved for it.
func (wb *workbench) renew() {
	for name, b := range wb.benches {
		if b.client == nil {
			continue
		}
		b.client.Close()
		b.client = nil
		if p := wb.w.reg.Lookup(name); p != nil {
			b.split.Trailing = clientCard(wb.buildClient(b, p))
			b.split.Refresh()
		}
	}
	wb.refresh()
}

// refresh updates the visible workbench.
func (wb *workbench) refresh() {
	b := wb.benches[wb.current]
	if b == nil {
		return
	}
	b.server.refresh()
	if b.client != nil {
		b.client.Update()
	}
}

// clientCard frames a client pane. The pane scrolls when the workbench is
// smaller than it: a tall pane (FTP, SMTP, IMAP) never takes the inspector's
// room, nor a wide one (IMAP's two devices) the window's.
func clientCard(pane fyne.CanvasObject) fyne.CanvasObject {
	return card(container.New(widthCap{pane, maxClientMinWidth}, container.NewScroll(pane)))
}

// maxClientMinWidth is the most width a client pane claims; a wider one scrolls.
const maxClientMinWidth = 520

// widthCap lays out a scroll container of content, claiming content's least width
// up to max: the pane keeps its width where it can and scrolls where it cannot.
type widthCap struct {
	content fyne.CanvasObject
	max     float32
}

func (c widthCap) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(min(c.content.MinSize().Width, c.max), objs[0].MinSize().Height)
}

func (widthCap) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.Position{})
	objs[0].Resize(size)
}

// keepOffsets reads the shown workbench's dividers, which all protocols share.
func (wb *workbench) keepOffsets() {
	if b := wb.benches[wb.current]; b != nil {
		wb.offset = b.split.Offset
		wb.logOff = b.server.split.Offset
	}
}

func (wb *workbench) savePrefs(p fyne.Preferences) {
	wb.keepOffsets()
	p.SetFloat(prefBenchSplit, wb.offset)
	p.SetFloat(prefLogSplit, wb.logOff)
}

// close ends every client pane's connections.
func (wb *workbench) close() {
	for _, b := range wb.benches {
		if b.client != nil {
			b.client.Close()
		}
	}
}
