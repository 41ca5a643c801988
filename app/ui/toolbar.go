package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// toolbar is the row of actions above everything: start and stop all servers,
// pause and clear the capture, and what the capture holds.
type toolbar struct {
	w      *Window
	note   *widget.Label // a save or open under way
	pause  *widget.Button
	status *widget.RichText
	obj    fyne.CanvasObject
}

func newToolbar(w *Window) *toolbar {
	t := &toolbar{w: w}
	brand := widget.NewLabelWithStyle("Protocol Lab", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	newBtn := widget.NewButtonWithIcon("New", theme.DocumentCreateIcon(), w.newSession)
	openBtn := widget.NewButtonWithIcon("Open", theme.FolderOpenIcon(), w.openDialog)
	saveBtn := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { w.save(nil) })
	t.note = widget.NewLabel("")
	startAll := widget.NewButtonWithIcon("Start all", theme.MediaPlayIcon(), w.startAll)
	stopAll := widget.NewButtonWithIcon("Stop all", theme.MediaStopIcon(), w.stopAll)
	t.pause = widget.NewButtonWithIcon("Pause capture", theme.MediaPauseIcon(), w.togglePause)
	clearBtn := widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), w.clearCapture)
	t.status = widget.NewRichText(&widget.TextSegment{Style: widget.RichTextStyleInline})
	sep := func() fyne.CanvasObject { return widget.NewSeparator() }
	// The status takes what the buttons leave, cut short with "…" in a narrow window.
	t.status.Truncation = fyne.TextTruncateEllipsis
	t.status.Segments[0].(*widget.TextSegment).Style.Alignment = fyne.TextAlignTrailing
	row := container.NewBorder(nil, nil, container.NewHBox(brand, sep(), newBtn, openBtn, saveBtn, sep(), startAll, stopAll,
		sep(), t.pause, clearBtn, t.note), nil, t.status)
	t.obj = container.NewVBox(container.NewPadded(row), widget.NewSeparator())
	return t
}

func (t *toolbar) object() fyne.CanvasObject { return t.obj }

// setNote shows what is under way ("saving lab.protolab …"), or nothing.
func (t *toolbar) setNote(s string) { t.note.SetText(s) }

// refresh shows the capture's state: paused or not, events held, dropped.
func (t *toolbar) refresh() {
	st := t.w.hub.Stats()
	if st.Paused {
		if t.pause.Importance != widget.WarningImportance {
			t.pause.Importance = widget.WarningImportance
			t.pause.SetIcon(theme.MediaPlayIcon())
			t.pause.SetText("Resume capture")
		}
	} else if t.pause.Importance != widget.MediumImportance {
		t.pause.Importance = widget.MediumImportance
		t.pause.SetIcon(theme.MediaPauseIcon())
		t.pause.SetText("Pause capture")
	}
	state := "capturing"
	if st.Paused {
		state = "PAUSED"
	}
	if o := t.w.sess.opened; o.name != "" && st.LastSeq == o.seq {
		// Nothing captured since the session was opened: say what it is.
		state = "opened " + o.name
		if o.lost > 0 {
			state += fmt.Sprintf(" · its recording lost its first %s (%s)", counted(o.lost, "event"), share(o.lost, o.lost+uint64(o.held)))
		}
	}
	s := fmt.Sprintf("%s · %s · %s of %s · %s dropped · %s (%d live)",
		state, counted(uint64(st.Events), "event"), bytesText(st.Bytes), bytesText(st.MaxBytes), count(st.Dropped),
		counted(uint64(st.Convs), "conversation"), st.LiveConvs)
	col := theme.ColorNamePlaceHolder
	if st.Paused {
		col = theme.ColorNameWarning
	}
	if seg := t.status.Segments[0].(*widget.TextSegment); seg.Text != s || seg.Style.ColorName != col {
		seg.Text, seg.Style.ColorName = s, col
		t.status.Refresh()
	}
}

func (w *Window) togglePause() {
	w.hub.SetPaused(!w.hub.Paused())
	w.tools.refresh()
}

// clearCapture forgets the captured events and ended conversations.
func (w *Window) clearCapture() {
	w.hub.Clear()
	w.resetViews()
	w.refresh()
}

// resetViews forgets what the views showed of the hub's log, after the log was
// cleared (and perhaps filled from a saved session).
func (w *Window) resetViews() {
	w.drain()
	for _, r := range w.logs {
		r.reset()
	}
	clear(w.convProto)
	w.insp.Reset()
}

// count writes n with thousands separators.
func count(n uint64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// counted is a count and its noun: "1 event", "12,345 events".
func counted(n uint64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ey") {
		return count(n) + " " + noun[:len(noun)-1] + "ies" // entry, entries
	}
	return count(n) + " " + noun + "s"
}

// bytesText writes a size for a person: "812 B", "2.1 MB".
func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}

// share is part as a whole percentage of whole ("75 %"); "< 1 %" for a part
// too small to round to one.
func share(part, whole uint64) string {
	if whole == 0 {
		return "0 %"
	}
	p := part * 100 / whole
	if p == 0 && part > 0 {
		return "< 1 %"
	}
	return fmt.Sprintf("%d %%", p)
}
