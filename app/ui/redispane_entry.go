package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/redisclient"
)

// maxHistory bounds the commands a command entry remembers.
const maxHistory = 200

// commandEntry is a one-line entry for Redis commands: Tab completes the
// command's name from the commands the lab knows, ↑ and ↓ walk the commands
// run before, Enter runs it.
type commandEntry struct {
	widget.Entry
	history []string
	pos     int // in history; len(history): the line being typed
	typed   string
	changed func(string)
}

func newCommandEntry(run func(string), changed func(string)) *commandEntry {
	e := &commandEntry{changed: changed}
	e.ExtendBaseWidget(e)
	e.OnSubmitted = run
	e.OnChanged = func(s string) {
		if e.changed != nil {
			e.changed(s)
		}
	}
	return e
}

// remember adds line to the history and goes back to a new line.
func (e *commandEntry) remember(line string) {
	if line != "" && (len(e.history) == 0 || e.history[len(e.history)-1] != line) {
		e.history = append(e.history, line)
		if len(e.history) > maxHistory {
			e.history = e.history[1:]
		}
	}
	e.pos, e.typed = len(e.history), ""
}

// TypedKey walks the history and completes; other keys are the entry's.
func (e *commandEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyUp:
		e.walk(-1)
	case fyne.KeyDown:
		e.walk(1)
	case fyne.KeyTab:
		e.complete()
	default:
		e.Entry.TypedKey(k)
	}
}

// AcceptsTab keeps Tab in the entry, for completion, instead of moving the focus.
func (e *commandEntry) AcceptsTab() bool { return true }

// walk shows the history's line d steps away (d is -1 or 1).
func (e *commandEntry) walk(d int) {
	if e.pos == len(e.history) {
		e.typed = e.Text
	}
	e.pos = min(max(e.pos+d, 0), len(e.history))
	line := e.typed
	if e.pos < len(e.history) {
		line = e.history[e.pos]
	}
	e.SetText(line)
	e.CursorColumn = len([]rune(line))
	e.Refresh()
}

// complete completes the first word to the longest prefix the commands it
// may begin share, with a space after a whole name.
func (e *commandEntry) complete() {
	word, rest, spaced := strings.Cut(e.Text, " ")
	if word == "" {
		return
	}
	var match []string
	for _, n := range redisclient.CommandNames() {
		if strings.HasPrefix(n, strings.ToUpper(word)) {
			match = append(match, n)
		}
	}
	if len(match) == 0 {
		return
	}
	common := match[0]
	for _, m := range match[1:] {
		for !strings.HasPrefix(m, common) {
			common = common[:len(common)-1]
		}
	}
	line := common + " " + rest
	if !spaced && len(match) > 1 {
		line = common
	}
	e.SetText(line)
	e.CursorColumn = len([]rune(common)) + map[bool]int{true: 1, false: 0}[line != common]
	e.Refresh()
}
