package ui

import (
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/internal/version"
)

// shortcut is one keyboard shortcut of the window.
type shortcut struct {
	key  fyne.KeyName
	mod  fyne.KeyModifier
	name string
	do   func(w *Window)
}

// nameToggleWorkbench names the shortcut that collapses the workbench.
const nameToggleWorkbench = "Collapse or expand the workbench"

// shortcuts is filled in by init: its actions refer back to the menu that lists it.
var shortcuts []shortcut

func init() {
	shortcuts = []shortcut{
		{fyne.KeyN, fyne.KeyModifierShortcutDefault, "New session", (*Window).newSession},
		{fyne.KeyO, fyne.KeyModifierShortcutDefault, "Open a session", (*Window).openDialog},
		{fyne.KeyS, fyne.KeyModifierShortcutDefault, "Save the session", func(w *Window) { w.save(nil) }},
		{fyne.KeyS, fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift, "Save the session as", func(w *Window) { w.saveAs(nil) }},
		{fyne.KeyQ, fyne.KeyModifierShortcutDefault, "Quit", (*Window).quit},
		{fyne.KeyA, fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift, "Start all servers", (*Window).startAll},
		{fyne.KeyX, fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift, "Stop all servers", (*Window).stopAll},
		{fyne.KeyP, fyne.KeyModifierShortcutDefault, "Pause or resume capture", (*Window).togglePause},
		{fyne.KeyL, fyne.KeyModifierShortcutDefault, "Clear the capture", (*Window).clearCapture},
		{fyne.KeyM, fyne.KeyModifierShortcutDefault, "Show the lab map", (*Window).showLabMap},
		{fyne.KeyW, fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift, nameToggleWorkbench, (*Window).toggleWorkbench},
	}
}

func (s shortcut) keys() *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: s.key, Modifier: s.mod}
}

// text is how a person reads the keys: "Ctrl+Shift+W".
func (s shortcut) text() string {
	super := "Super"
	if runtime.GOOS == "darwin" {
		super = "Cmd" // the shortcut modifier there
	}
	var parts []string
	for _, m := range []struct {
		mod  fyne.KeyModifier
		name string
	}{
		{fyne.KeyModifierControl, "Ctrl"}, {fyne.KeyModifierSuper, super},
		{fyne.KeyModifierAlt, "Alt"}, {fyne.KeyModifierShift, "Shift"},
	} {
		if s.mod&m.mod != 0 {
			parts = append(parts, m.name)
		}
	}
	return strings.Join(append(parts, string(s.key)), "+")
}

func (w *Window) addShortcuts() {
	for _, s := range shortcuts {
		w.win.Canvas().AddShortcut(s.keys(), func(fyne.Shortcut) { s.do(w) })
	}
}

// menuItem is a menu item for the shortcut named name, showing its keys.
func (w *Window) menuItem(label, name string) *fyne.MenuItem {
	s := shortcutNamed(name)
	it := fyne.NewMenuItem(label, func() { s.do(w) })
	it.Shortcut = s.keys()
	return it
}

// shortcutNamed is the shortcut named name.
func shortcutNamed(name string) shortcut {
	for _, s := range shortcuts {
		if s.name == name {
			return s
		}
	}
	panic("ui: no shortcut " + name)
}

func (w *Window) mainMenu() *fyne.MainMenu {
	quit := w.menuItem("Quit", "Quit")
	quit.IsQuit = true
	recent := fyne.NewMenuItem("Open Recent", nil)
	recent.ChildMenu = fyne.NewMenu("", w.recentItems()...)
	export := fyne.NewMenuItem("Export", nil)
	export.ChildMenu = fyne.NewMenu("", w.exportItems()...)
	file := fyne.NewMenu("File",
		w.menuItem("New session", "New session"),
		w.menuItem("Open…", "Open a session"),
		recent,
		fyne.NewMenuItemSeparator(),
		w.menuItem("Save", "Save the session"),
		w.menuItem("Save As…", "Save the session as"),
		export,
		fyne.NewMenuItemSeparator(),
		quit)
	servers := fyne.NewMenu("Servers",
		w.menuItem("Start all", "Start all servers"),
		w.menuItem("Stop all", "Stop all servers"))
	capture := fyne.NewMenu("Capture",
		w.menuItem("Pause / resume", "Pause or resume capture"),
		w.menuItem("Clear", "Clear the capture"))
	view := fyne.NewMenu("View", append([]*fyne.MenuItem{
		w.menuItem("Collapse / expand the workbench", nameToggleWorkbench),
		w.menuItem("Lab map", "Show the lab map"),
		fyne.NewMenuItemSeparator()}, w.themeItems()...)...)
	help := fyne.NewMenu("Help",
		fyne.NewMenuItem("Keyboard shortcuts", w.showShortcuts),
		fyne.NewMenuItem("About Protocol Lab", w.showAbout))
	return fyne.NewMainMenu(file, servers, capture, view, help)
}

// quit asks to save unsaved changes, then remembers the layout and quits.
func (w *Window) quit() {
	w.ask("quit", func() {
		w.Close()
		w.app.Quit()
	})
}

func (w *Window) shortcutTable() fyne.CanvasObject {
	grid := container.NewGridWithColumns(2)
	for _, s := range shortcuts {
		grid.Add(widget.NewLabelWithStyle(s.text(), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}))
		grid.Add(widget.NewLabel(s.name))
	}
	return grid
}

func (w *Window) showShortcuts() {
	dialog.ShowCustom("Keyboard shortcuts", "Close", w.shortcutTable(), w.win)
}

func (w *Window) showAbout() {
	text := widget.NewLabel("Switch on real local protocol servers, drive matching clients, and watch " +
		"the protocols work live: every connection's events and messages, its handshake as a sequence " +
		"diagram, and its state machine.\n\nServers listen on 127.0.0.1 unless you choose otherwise.")
	text.Wrapping = fyne.TextWrapWord
	v := version.Get()
	head := widget.NewLabelWithStyle("Protocol Lab "+v.Version, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	build := widget.NewLabel("Commit " + v.ShortCommit() + ", built " + v.Day())
	keys := widget.NewLabelWithStyle("Keyboard shortcuts", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := container.NewVBox(head, build, text, widget.NewSeparator(), keys, w.shortcutTable())
	d := dialog.NewCustom("About Protocol Lab", "Close", body, w.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}
