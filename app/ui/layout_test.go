package ui

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// layoutSizes are the window sizes the layout must suit.
var layoutSizes = []fyne.Size{{Width: 1280, Height: 800}, {Width: 1400, Height: 900}, {Width: 1600, Height: 1000}}

// minInspectorShare is the least share of the window's height the inspector gets.
const minInspectorShare = 0.45

// area is where o sits in w's window.
func area(w *Window, o fyne.CanvasObject) (fyne.Position, fyne.Size) {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o), o.Size()
}

// TestInspectorHasRoomWithEveryProtocol selects each protocol at each size: the
// window's content fits (no pane makes the window grow), the inspector keeps at
// least minInspectorShare of the height and its own minimum, inside the window,
// and its divider stays put from one protocol to the next.
func TestInspectorHasRoomWithEveryProtocol(t *testing.T) {
	for _, size := range layoutSizes {
		t.Run(fmt.Sprintf("%vx%v", size.Width, size.Height), func(t *testing.T) {
			w := testWindow(t)
			w.win.Resize(size)
			insp := w.insp.Object()
			var first fyne.Position
			for i, name := range w.rail.names {
				w.selectProtocol(name)
				w.win.Resize(size)
				if m := w.win.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
					t.Errorf("%s: the window's content needs %v, more than the window's %v", name, m, size)
				}
				pos, got := area(w, insp)
				if got.Height < minInspectorShare*size.Height {
					t.Errorf("%s: the inspector is %v tall, want at least %v (%.0f%% of %v)",
						name, got.Height, minInspectorShare*size.Height, minInspectorShare*100, size.Height)
				}
				if m := insp.MinSize(); got.Height < m.Height || got.Width < m.Width {
					t.Errorf("%s: the inspector is %v, less than its minimum %v", name, got, m)
				}
				if pos.Y+got.Height > size.Height+1 {
					t.Errorf("%s: the inspector ends at %v, below the window's %v", name, pos.Y+got.Height, size.Height)
				}
				if i == 0 {
					first = pos
				} else if math.Abs(float64(pos.Y-first.Y)) > 0.5 {
					t.Errorf("%s: the inspector's top moved from %v to %v when switching protocols", name, first.Y, pos.Y)
				}
			}
		})
	}
}

// TestWorkbenchCollapsesAndIsRemembered collapses the workbench with its strip's
// button, reopens the window on the same preferences, and expands it again with
// the shortcut's action.
func TestWorkbenchCollapsesAndIsRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	bench := testBench(t)
	size := fyne.NewSize(1400, 900)

	w := NewWindow(a, bench)
	w.win.Resize(size)
	w.selectProtocol("ftp")
	_, open := area(w, w.insp.Object())
	offset := w.mainSplit.Offset

	test.Tap(w.strip.toggle)
	if !w.collapsed() {
		t.Fatal("the strip's button did not collapse the workbench")
	}
	_, shut := area(w, w.insp.Object())
	if shut.Height < 0.85*size.Height || shut.Height <= open.Height {
		t.Errorf("collapsed, the inspector is %v tall (%v before), want nearly the window's %v", shut.Height, open.Height, size.Height)
	}
	if !w.strip.pick.Visible() {
		t.Fatal("collapsed, the strip offers no other protocol")
	}
	w.strip.pick.SetSelected("SMTP")
	if w.wb.current != "smtp" || !w.collapsed() {
		t.Errorf("choosing SMTP in the strip shows %q (collapsed %v), want smtp, still collapsed", w.wb.current, w.collapsed())
	}
	w.Close()

	w2 := NewWindow(a, bench)
	t.Cleanup(w2.Close)
	w2.win.Resize(size)
	if !w2.collapsed() {
		t.Fatal("a new window forgot that the workbench was collapsed")
	}
	if _, h := area(w2, w2.insp.Object()); h.Height != shut.Height {
		t.Errorf("reopened collapsed, the inspector is %v tall, want %v", h.Height, shut.Height)
	}
	shortcutNamed(nameToggleWorkbench).do(w2)
	if w2.collapsed() {
		t.Fatal("the shortcut did not expand the workbench")
	}
	if w2.strip.pick.Visible() {
		t.Error("expanded, the strip still offers a protocol: the rail does")
	}
	if w2.mainSplit.Offset != offset {
		t.Errorf("expanded, the divider is at %v, want where it was, %v", w2.mainSplit.Offset, offset)
	}
	if _, h := area(w2, w2.insp.Object()); math.Abs(float64(h.Height-open.Height)) > 0.5 {
		t.Errorf("expanded, the inspector is %v tall, want %v as before collapsing", h.Height, open.Height)
	}
}

// TestServerLogSplitIsSharedAndRemembered moves the server pane's settings/log
// divider: it stays put when switching protocols and in a new window.
func TestServerLogSplitIsSharedAndRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	bench := testBench(t)
	w := NewWindow(a, bench)
	w.selectProtocol("dns")
	w.wb.benches["dns"].server.split.SetOffset(0.3)
	w.selectProtocol("ftp")
	if got := w.wb.benches["ftp"].server.split.Offset; got != 0.3 {
		t.Errorf("FTP's settings/log divider is at %v, want DNS's 0.3", got)
	}
	w.Close()
	w2 := NewWindow(a, bench)
	t.Cleanup(w2.Close)
	w2.selectProtocol("smtp")
	if got := w2.wb.benches["smtp"].server.split.Offset; got != 0.3 {
		t.Errorf("reopened: the settings/log divider is at %v, want 0.3", got)
	}
}

// TestZoneEditorShowsItsLastLine finds the DNS server's zone editor: it is tall
// enough for every line of the zone and a row more, which its horizontal scroll
// bar may cover, so the last record is never hidden.
func TestZoneEditorShowsItsLastLine(t *testing.T) {
	w := testWindow(t)
	w.selectProtocol("dns")
	var zone *widget.Entry
	walkObjects(w.wb.benches["dns"].server.obj, func(o fyne.CanvasObject) bool {
		e, ok := o.(*widget.Entry)
		if ok && e.MultiLine {
			zone = e
		}
		return ok
	})
	if zone == nil {
		t.Fatal("the DNS server pane has no zone editor")
	}
	lines := strings.Count(zone.Text, "\n") + 1
	ref := widget.NewMultiLineEntry()
	ref.TextStyle = zone.TextStyle
	ref.SetMinRowsVisible(lines + 1)
	if got, want := zone.MinSize().Height, ref.MinSize().Height; got < want {
		t.Errorf("the zone editor is %v tall, want at least %v for its %d lines and a row more", got, want, lines)
	}
}

// TestShortcutKeysReadable names the workbench's shortcut as the README does.
func TestShortcutKeysReadable(t *testing.T) {
	if runtime.GOOS == "darwin" {
		t.Skip("the shortcut modifier is Cmd there")
	}
	if got := shortcutNamed(nameToggleWorkbench).text(); got != "Ctrl+Shift+W" {
		t.Errorf("the workbench's shortcut reads %q, want Ctrl+Shift+W", got)
	}
}

// TestServerLogShowsManyLines: at 1400×900 and larger, with any protocol, the
// server log has room for at least 6 lines, however long the server's settings.
func TestServerLogShowsManyLines(t *testing.T) {
	w := testWindow(t)
	line := newLineText().MinSize().Height + theme.Padding() // a row of the log
	for _, size := range layoutSizes[1:] {
		for _, name := range w.rail.names {
			w.selectProtocol(name)
			w.win.Resize(size)
			if got := w.wb.benches[name].server.log.Size().Height; got < 6*line {
				t.Errorf("%v, %s: the server log is %v tall, want room for 6 lines (%v)", size, name, got, 6*line)
			}
		}
	}
}
