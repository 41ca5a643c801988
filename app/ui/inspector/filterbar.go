package inspector

import (
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/filter"
)

// filterPlaceholder is what the empty filter entry shows.
const filterPlaceholder = "filter: smtp and code >= 400   (Tab completes)"

// maxChoices is how many completions the list shows at once; more scroll.
const maxChoices = 12

// filterBar is the display filter's line above the conversation list: an entry
// and, under it, in red, why what it holds does not parse. A filter applies as
// soon as what is typed parses; one that does not changes nothing.
type filterBar struct {
	reg     *lab.Registry
	entry   *filterEntry
	problem *widget.Label
	obj     fyne.CanvasObject

	applied string               // the canonical form of the filter applied
	onApply func(*filter.Filter) // a new filter parsed (nil: none)
	paths   func() []string      // layer.field names to offer, from the messages held
	// relayout lays out anew what holds the bar, whose height changes with the problem shown.
	relayout func()
	menu     *widget.PopUp // the completion list shown, if any
}

func newFilterBar(reg *lab.Registry) *filterBar {
	b := &filterBar{reg: reg, relayout: func() {}}
	b.entry = newFilterEntry(b.complete)
	b.entry.onKey = b.choicesKey
	b.entry.SetPlaceHolder(filterPlaceholder)
	b.entry.OnChanged = b.changed
	b.problem = widget.NewLabel("")
	b.problem.Importance = widget.DangerImportance
	b.problem.Wrapping = fyne.TextWrapWord
	b.problem.Hide()
	b.obj = container.NewVBox(b.entry, b.problem)
	return b
}

// changed parses the entry's text: an error is shown and changes nothing; a
// filter different from the one applied is applied.
func (b *filterBar) changed(s string) {
	if b.menu != nil && b.menu.Visible() { // its words were for the text before
		b.menu.Hide()
	}
	f, err := filter.Parse(s, b.reg)
	if err != nil {
		b.problem.SetText(err.Error())
		if !b.problem.Visible() {
			b.problem.Show()
			b.relayout()
		}
		return
	}
	if b.problem.Visible() {
		b.problem.SetText("")
		b.problem.Hide()
		b.relayout()
	}
	if canon := f.String(); canon != b.applied {
		b.applied = canon
		if b.onApply != nil {
			b.onApply(f)
		}
	}
}

// complete completes the word before the cursor: the one word that fits, or
// the part all that fit share, or else a menu of them.
func (b *filterBar) complete() {
	text := b.entry.Text
	pos := byteOffset(text, b.entry.CursorColumn)
	var paths []string
	if b.paths != nil {
		paths = b.paths()
	}
	start, words := filter.Complete(text, pos, b.reg, paths)
	switch {
	case len(words) == 0:
		return
	case len(words) == 1:
		b.replace(start, pos, words[0]+" ")
		return
	}
	if common := commonPrefix(words); len(common) > pos-start {
		b.replace(start, pos, common)
		return
	}
	b.showChoices(start, pos, words)
}

// showChoices offers words in a scrolling list under the entry (over it when
// there is no room below); choosing one puts it in place of text[start:pos].
func (b *filterBar) showChoices(start, pos int, words []string) {
	c := fyne.CurrentApp().Driver().CanvasForObject(b.entry)
	if c == nil {
		return
	}
	list := widget.NewList(func() int { return len(words) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(words[i]) })
	b.menu = widget.NewPopUp(list, c)
	list.OnSelected = func(i widget.ListItemID) {
		b.menu.Hide()
		b.replace(start, pos, words[i]+" ")
		c.Focus(b.entry)
	}
	row := widget.NewLabel("").MinSize().Height + theme.Padding()
	size := fyne.NewSize(max(b.entry.Size().Width/2, 240), min(float32(len(words))*row, maxChoices*row))
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(b.entry)
	below := at.AddXY(0, b.entry.Size().Height)
	if below.Y+size.Height > c.Size().Height {
		below = at.AddXY(0, -size.Height)
	}
	b.menu.Resize(size)
	b.menu.ShowAtPosition(below)
}

// choicesKey takes Escape, which hides the completions, while they are shown.
func (b *filterBar) choicesKey(k fyne.KeyName) bool {
	if k != fyne.KeyEscape || b.menu == nil || !b.menu.Visible() {
		return false
	}
	b.menu.Hide()
	return true
}

// replace puts w in place of text[from:to] and the cursor after it.
func (b *filterBar) replace(from, to int, w string) {
	text := b.entry.Text
	head := text[:from] + w
	b.entry.SetText(head + text[to:])
	b.entry.CursorColumn = utf8.RuneCountInString(head)
	b.entry.Refresh()
}

// byteOffset is the byte offset of rune column col of s.
func byteOffset(s string, col int) int {
	for i := range s {
		if col == 0 {
			return i
		}
		col--
	}
	return len(s)
}

// commonPrefix is the longest prefix all of words share.
func commonPrefix(words []string) string {
	p := words[0]
	for _, w := range words[1:] {
		for !strings.HasPrefix(w, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// filterEntry is the filter's entry: Tab completes rather than moving on.
type filterEntry struct {
	widget.Entry
	onTab func()
	onKey func(fyne.KeyName) bool // a key for the completions; false: not taken
}

func newFilterEntry(onTab func()) *filterEntry {
	e := &filterEntry{onTab: onTab}
	e.ExtendBaseWidget(e)
	return e
}

// AcceptsTab keeps Tab in the entry (fyne.Tabbable).
func (e *filterEntry) AcceptsTab() bool { return true }

// TypedKey completes on Tab; Escape hides the completions shown.
func (e *filterEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyTab:
		e.onTab()
		return
	case fyne.KeyEscape:
		if e.onKey != nil && e.onKey(k.Name) {
			return
		}
	}
	e.Entry.TypedKey(k)
}
