package inspector

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Replay steps through the shown conversation's messages — a live one or one
// from a saved session — or plays them at their original pace or faster. The
// cursor is the selected message: the sequence diagram, the detail and the state
// diagram (the path as it stood at that message) follow it.

// maxReplayGap bounds the pause between two messages when playing: a capture
// with a long silence in it still moves.
const maxReplayGap = 2 * time.Second

var replaySpeeds = []string{"1×", "2×", "5×", "20×"}

type replayBar struct {
	in      *Inspector
	first   *widget.Button
	prev    *widget.Button
	play    *widget.Button
	next    *widget.Button
	last    *widget.Button
	speed   *widget.Select
	where   *widget.Label
	obj     fyne.CanvasObject
	playing bool
	gen     int // bumped to cancel the timer of an earlier play
}

func newReplayBar(in *Inspector) *replayBar {
	r := &replayBar{in: in}
	r.first = widget.NewButtonWithIcon("", theme.MediaSkipPreviousIcon(), func() { r.stop(); r.step(0, true) })
	r.prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { r.stop(); r.step(-1, false) })
	r.play = widget.NewButtonWithIcon("Replay", theme.MediaPlayIcon(), r.toggle)
	r.next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { r.stop(); r.step(1, false) })
	r.last = widget.NewButtonWithIcon("", theme.MediaSkipNextIcon(), func() { r.stop(); r.step(in.rows()-1, true) })
	r.speed = widget.NewSelect(replaySpeeds, nil)
	r.speed.SetSelected(replaySpeeds[0])
	r.where = widget.NewLabel("")
	r.obj = container.NewHBox(r.first, r.prev, r.play, r.next, r.last, r.speed, r.where)
	return r
}

// step moves the cursor by delta messages, or to message delta when absolute.
func (r *replayBar) step(delta int, absolute bool) {
	n := r.in.rows()
	if n == 0 {
		return
	}
	i := delta
	if !absolute {
		i = r.in.selMsg + delta
		if r.in.selMsg < 0 {
			i = 0
			if delta < 0 {
				i = n - 1
			}
		}
	}
	i = max(0, min(i, n-1))
	r.in.selectMsg(i, fromCode)
	r.in.pinned = true // replaying a conversation stays on it
}

// toggle plays from the cursor (from the first message when none is selected, or
// at the end), or pauses.
func (r *replayBar) toggle() {
	if r.playing {
		r.stop()
		return
	}
	if r.in.rows() == 0 {
		return
	}
	if r.in.selMsg < 0 || r.in.selMsg >= r.in.rows()-1 {
		r.step(0, true)
	}
	r.playing = true
	r.play.SetIcon(theme.MediaPauseIcon())
	r.play.SetText("Pause")
	r.schedule()
}

func (r *replayBar) stop() {
	if !r.playing {
		return
	}
	r.playing = false
	r.gen++
	r.play.SetIcon(theme.MediaPlayIcon())
	r.play.SetText("Replay")
}

// speedFactor is the chosen speed: 1, 2, 5 or 20.
func (r *replayBar) speedFactor() float64 {
	var f float64
	fmt.Sscanf(r.speed.Selected, "%g", &f)
	if f <= 0 {
		f = 1
	}
	return f
}

// schedule waits as long as the capture did between the cursor's message and
// the next (divided by the speed, at most maxReplayGap), then steps.
func (r *replayBar) schedule() {
	i := r.in.selMsg
	if i < 0 || i+1 >= r.in.rows() {
		r.stop()
		return
	}
	gap := r.in.row(i + 1).At.Sub(r.in.row(i).At)
	gap = min(max(time.Duration(float64(gap)/r.speedFactor()), 0), maxReplayGap)
	gen := r.gen
	time.AfterFunc(max(gap, 30*time.Millisecond), func() {
		fyne.Do(func() {
			if !r.playing || gen != r.gen {
				return
			}
			r.step(1, false)
			r.schedule()
		})
	})
}

// refresh says where the cursor is.
func (r *replayBar) refresh() {
	n := r.in.rows()
	var s string
	switch {
	case n == 0 && r.in.shown != 0:
		s = r.in.noRowsText()
	case n == 0:
		s = ""
	case r.in.selMsg < 0:
		s = plural(n, "message")
	default:
		s = fmt.Sprintf("message %d of %d", r.in.selMsg+1, n)
	}
	if s != r.where.Text {
		r.where.SetText(s)
	}
}

// noRowsText says why the shown conversation has no rows: none yet, the
// capture's bound dropped them, or the filter hides them.
func (in *Inspector) noRowsText() string {
	c := in.model.Conv(in.shown)
	switch {
	case in.allRows() > 0:
		return "no message passes the filter"
	case c != nil && c.Lost() > 0:
		return "no events held: the capture bound dropped them"
	case in.info.Live:
		return "no messages yet"
	}
	return "no events held for this conversation"
}
