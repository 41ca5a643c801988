package ui

import (
	"crypto/sha256"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/swarm"
)

// The swarm tab's drawing: one row per peer, the transfers' log, and the
// line that says every remaining peer has the file.

// swarmColors are the peers' colours, A to H: a piece is drawn in the
// colour of the peer that sent it (the seed's own in A's).
var swarmColors = []color.Color{
	color.NRGBA{0x2e, 0x7d, 0x32, 0xff}, // A green
	color.NRGBA{0x15, 0x65, 0xc0, 0xff}, // B blue
	color.NRGBA{0xef, 0x6c, 0x00, 0xff}, // C orange
	color.NRGBA{0x8e, 0x24, 0xaa, 0xff}, // D purple
	color.NRGBA{0x00, 0x83, 0x8f, 0xff}, // E teal
	color.NRGBA{0xc6, 0x28, 0x28, 0xff}, // F red
	color.NRGBA{0x6d, 0x4c, 0x41, 0xff}, // G brown
	color.NRGBA{0xad, 0x14, 0x57, 0xff}, // H pink
}

// swarmView is one draw's model: each member's stats and whether it stopped.
type swarmView struct {
	run     *swarmRun
	stats   []swarm.Stats
	stopped []bool
	lines   []string
}

// update draws the swarm when it changed, at most swarmDrawRate times a
// second: a later change is drawn by a refresh asked for when it is due.
func (sw *p2pSwarm) update() {
	sw.controls()
	sw.mu.Lock()
	v := sw.version
	sw.mu.Unlock()
	if v == sw.shown {
		return
	}
	if wait := time.Second/swarmDrawRate - time.Since(sw.lastDraw); wait > 0 {
		if !sw.later {
			sw.later = true
			time.AfterFunc(wait, sw.pane.ctx.Changed)
		}
		return
	}
	sw.later = false
	sw.lastDraw = time.Now()
	sw.shown = v
	sw.draw(sw.snapshot())
}

func (sw *p2pSwarm) snapshot() swarmView {
	sw.mu.Lock()
	run := sw.cur
	view := swarmView{run: run, lines: append([]string(nil), sw.lines...)}
	var ms []*swarm.Member
	if run != nil {
		ms = append(ms, run.members...)
		view.stopped = append(view.stopped, run.stopped...)
	}
	sw.mu.Unlock()
	for _, m := range ms {
		view.stats = append(view.stats, m.Stats())
	}
	return view
}

func (sw *p2pSwarm) draw(v swarmView) {
	if v.run != sw.drawn || len(sw.peerRows) != len(v.stats) {
		sw.drawn = v.run
		sw.peerRows = nil
		sw.rows.Objects = nil
		for i := range v.stats {
			r := sw.newRow(i, v.run.meta.Pieces())
			sw.peerRows = append(sw.peerRows, r)
			sw.rows.Add(r.obj)
		}
		sw.rows.Refresh()
	}
	for i, st := range v.stats {
		sw.peerRows[i].show(i, st, v.stopped[i], v.run.n)
	}
	newest := slices.Clone(v.lines)
	slices.Reverse(newest)
	if text := strings.Join(newest, "\n"); sw.log.Text != text {
		sw.log.SetText(text)
	}
	sw.showDone(v)
}

func (sw *p2pSwarm) newRow(i, pieces int) *swarmRow {
	r := &swarmRow{}
	r.head = widget.NewLabelWithStyle("PEER "+swarmPeer(i), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.stats = widget.NewLabel("")
	r.stats.Truncation = fyne.TextTruncateEllipsis
	r.stop = widget.NewButtonWithIcon("Stop peer", theme.MediaStopIcon(), func() { sw.stopPeer(i) })
	strip := container.New(&pieceStrip{})
	for range pieces {
		c := canvas.NewRectangle(r.emptyColor())
		r.cells = append(r.cells, c)
		strip.Add(c)
	}
	swatch := canvas.NewRectangle(swarmColors[i%len(swarmColors)])
	swatch.SetMinSize(fyne.NewSize(10, 10))
	r.obj = container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(container.NewCenter(swatch), r.head), r.stop, r.stats),
		strip)
	return r
}

// show draws a peer's pieces and totals.
func (r *swarmRow) show(i int, st swarm.Stats, stopped bool, n int) {
	letters := map[string]int{}
	for j := range n {
		letters[fmt.Sprintf("peer-%d", j+1)] = j
	}
	for p, c := range r.cells {
		col := r.emptyColor()
		switch {
		case p < len(st.From) && st.From[p] != "":
			col = swarmColors[letters[st.From[p]]%len(swarmColors)]
		case st.Complete: // the seed's own
			col = swarmColors[i%len(swarmColors)]
		}
		if c.FillColor != col {
			c.FillColor = col
			c.Refresh()
		}
	}
	role := "gets the file"
	if i == 0 {
		role = "seed"
	}
	pct := 0
	if st.Pieces > 0 {
		pct = 100 * st.Have / st.Pieces
	}
	text := fmt.Sprintf("%s · ↑ %s ↓ %s · %d/%d pieces (%d%%)", role, kib(st.Uploaded), kib(st.Downloaded), st.Have, st.Pieces, pct)
	imp := widget.MediumImportance
	switch {
	case stopped:
		text, imp = "stopped · "+text, widget.LowImportance
	case st.Complete:
		imp = widget.SuccessImportance
	}
	if r.stats.Text != text || r.stats.Importance != imp {
		r.stats.Importance = imp
		r.stats.SetText(text)
	}
	setEnabled(r.stop, !stopped)
}

// emptyColor is a missing piece's.
func (*swarmRow) emptyColor() color.Color { return theme.Color(theme.ColorNameInputBackground) }

func kib(n int64) string { return fmt.Sprintf("%d KiB", n>>10) }

// showDone says, once every peer that remains has the whole file, that its
// SHA-256 matches the seed's at each.
func (sw *p2pSwarm) showDone(v swarmView) {
	run := v.run
	if run == nil || len(v.stats) == 0 {
		sw.done.Hide()
		return
	}
	var left, gone, bad []string
	for i, st := range v.stats {
		if v.stopped[i] {
			gone = append(gone, swarmPeer(i))
			continue
		}
		if !st.Complete {
			sw.done.Hide()
			return
		}
		left = append(left, swarmPeer(i))
		if !run.checked(i) {
			bad = append(bad, swarmPeer(i))
		}
	}
	var text string
	switch {
	case len(left) == 0:
		sw.done.Hide()
		return
	case len(bad) > 0:
		text = fmt.Sprintf("The file at %s does not match the seed's SHA-256", strings.Join(bad, ", "))
	default:
		text = fmt.Sprintf("Every remaining peer (%s) has the whole file: SHA-256 %x… verified at each", strings.Join(left, ", "), run.sum[:6])
	}
	if len(gone) > 0 {
		text += fmt.Sprintf("; stopped: %s", strings.Join(gone, ", "))
	}
	setStatus(sw.done, text, len(bad) > 0)
	if len(bad) == 0 {
		sw.done.Importance = widget.SuccessImportance
		sw.done.Refresh()
	}
	sw.done.Show()
}

// checked hashes member i's whole file once and says whether it is the
// seed's. UI goroutine only.
func (run *swarmRun) checked(i int) bool {
	if run.verified == nil {
		run.verified = map[int]bool{}
	}
	ok, seen := run.verified[i]
	if !seen {
		ok = sha256.Sum256(run.members[i].Data()) == run.sum
		run.verified[i] = ok
	}
	return ok
}

// pieceStrip lays its cells side by side, as wide as it is shared, each
// swarmCellHeight tall.
type pieceStrip struct{}

const swarmCellHeight = 14

func (pieceStrip) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(float32(len(objs)), swarmCellHeight)
}

func (pieceStrip) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) == 0 {
		return
	}
	w := size.Width / float32(len(objs))
	gap := float32(1)
	if w < 4 {
		gap = 0
	}
	for i, o := range objs {
		o.Move(fyne.NewPos(float32(i)*w, 0))
		o.Resize(fyne.NewSize(w-gap, swarmCellHeight))
	}
}
