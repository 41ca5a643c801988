package ui

import (
	"fmt"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/protocollab/protolab/lab/labdir"
)

// mailView shows one mail message, shared by the POP3 and IMAP panes: rendered
// (headers, text, attachments, each attachment savable) and raw, and saves it
// as an .eml file. Its methods are called on the UI goroutine.
type mailView struct {
	win      fyne.Window
	raw      []byte
	mail     readMail
	what     *widget.Label
	save     *widget.Button
	from     *widget.Label
	to       *widget.Label
	cc       *widget.Label
	date     *widget.Label
	subject  *widget.Label
	note     *widget.Label
	body     *widget.Label
	atts     *fyne.Container
	rawLines []string
	rawList  *widget.List
	tabs     *container.AppTabs
	empty    fyne.CanvasObject
	content  *fyne.Container
	obj      fyne.CanvasObject
}

func newMailView(win fyne.Window, hint string) *mailView {
	v := &mailView{win: win}
	v.what = sectionLabel("MAIL")
	v.what.Truncation = fyne.TextTruncateEllipsis
	v.save = widget.NewButtonWithIcon("Save as .eml…", theme.DocumentSaveIcon(), v.askSave)
	v.save.Disable()
	field := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		return l
	}
	v.from, v.to, v.cc, v.date, v.subject = field(), field(), field(), field(), field()
	v.subject.TextStyle.Bold = true
	v.note = widget.NewLabel("")
	v.note.Importance = widget.WarningImportance
	v.note.Wrapping = fyne.TextWrapWord
	v.note.Hide()
	v.body = field()
	v.atts = container.NewVBox()
	heads := widget.NewForm(
		widget.NewFormItem("From", v.from),
		widget.NewFormItem("To", v.to),
		widget.NewFormItem("Cc", v.cc),
		widget.NewFormItem("Date", v.date),
		widget.NewFormItem("Subject", v.subject),
	)
	rendered := container.NewVScroll(container.NewVBox(heads, v.atts, v.note, widget.NewSeparator(), v.body))
	// A virtualised list of lines: a long message scrolls without laying out
	// all of it.
	v.rawList = widget.NewList(
		func() int { return len(v.rawLines) },
		func() fyne.CanvasObject { return newLineText() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(v.rawLines) {
				o.(*lineText).SetText(v.rawLines[id])
			}
		},
	)
	v.tabs = container.NewAppTabs(
		container.NewTabItem("Message", rendered),
		container.NewTabItem("Raw", v.rawList),
	)
	v.empty = container.NewPadded(hintText(hint))
	v.content = container.NewStack(v.empty)
	v.obj = container.NewBorder(container.NewBorder(nil, nil, nil, v.save, v.what), nil, nil, nil, v.content)
	return v
}

func (v *mailView) object() fyne.CanvasObject { return v.obj }

// show shows raw, described by what ("INBOX · UID 7").
func (v *mailView) show(raw []byte, what string) {
	v.raw = raw
	v.mail = parseMail(raw)
	m := v.mail
	v.what.SetText("MAIL — " + what + " · " + bytesText(int64(len(raw))))
	v.from.SetText(m.From)
	v.to.SetText(m.To)
	v.cc.SetText(orDash(m.Cc))
	v.date.SetText(m.Date)
	v.subject.SetText(orDash(m.Subject))
	body := m.Text
	if m.HTML {
		body = "(the message has only an HTML part; its source:)\n\n" + body
	}
	if m.Cut {
		body += fmt.Sprintf("\n\n… only the first %s are shown.", bytesText(mailShowMax))
	}
	v.body.SetText(strings.TrimRight(body, "\n"))
	if m.Problem != "" {
		v.note.SetText(m.Problem)
		v.note.Show()
	} else {
		v.note.Hide()
	}
	v.atts.RemoveAll()
	for i, a := range m.Attachments {
		save := widget.NewButtonWithIcon("Save attachment…", theme.DownloadIcon(), func() { v.askSaveAttachment(i) })
		label := widget.NewLabel(fmt.Sprintf("📎 %s · %s · %s", a.Name, a.Type, bytesText(int64(len(a.Data)))))
		label.Truncation = fyne.TextTruncateEllipsis
		v.atts.Add(container.NewBorder(nil, nil, nil, save, label))
	}
	v.rawLines = strings.Split(rawText(raw), "\n")
	v.rawList.Refresh()
	v.rawList.ScrollToTop()
	v.save.Enable()
	v.content.Objects = []fyne.CanvasObject{v.tabs}
	v.content.Refresh()
}

// clear shows nothing, with the hint.
func (v *mailView) clear() {
	v.raw = nil
	v.what.SetText("MAIL")
	v.save.Disable()
	v.content.Objects = []fyne.CanvasObject{v.empty}
	v.content.Refresh()
}

// setStatus shows s in a pane's status label, in red when bad.
func setStatus(l *widget.Label, s string, bad bool) {
	l.SetText(s)
	l.Importance = widget.MediumImportance
	if bad {
		l.Importance = widget.DangerImportance
	}
	l.Refresh()
}

// setEnabled enables or disables w.
func setEnabled(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// rawText is the first mailShowMax bytes of raw as text.
func rawText(raw []byte) string {
	cut := len(raw) > mailShowMax
	if cut {
		raw = raw[:mailShowMax]
	}
	s := strings.ToValidUTF8(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r == '\n' || !unicode.IsControl(r) {
			return r
		}
		return '·'
	}, s)
	if cut {
		s += fmt.Sprintf("\n… only the first %s are shown; Save as .eml… writes it all.", bytesText(mailShowMax))
	}
	return s
}

// emlName is a file name for the message: its subject, made safe.
func emlName(subject string) string {
	name := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, subject)
	name = strings.Trim(name, "-")
	if len(name) > 60 {
		name = name[:60]
	}
	if name == "" {
		name = "message"
	}
	return strings.ToValidUTF8(name, "") + ".eml"
}

func (v *mailView) askSave() {
	if v.raw == nil {
		return
	}
	raw := v.raw
	askSaveFile(v.win, emlName(v.mail.Subject), []string{".eml"}, func(path string) error {
		return writeFileAtomic(path, raw)
	})
}

func (v *mailView) askSaveAttachment(i int) {
	if i >= len(v.mail.Attachments) {
		return
	}
	a := v.mail.Attachments[i]
	askSaveFile(v.win, a.Name, nil, func(path string) error {
		return writeFileAtomic(path, a.Data)
	})
}

// askSaveFile asks where to save name and has write write it there, atomically,
// saying so when it fails.
func askSaveFile(win fyne.Window, name string, exts []string, write func(path string) error) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path, err := chosenPath(w)
		if err != nil {
			dialog.ShowError(err, win)
			return
		}
		if err := write(path); err != nil {
			dialog.ShowError(fmt.Errorf("cannot save %s: %w", path, err), win)
		}
	}, win)
	proposeName(d, name)
	if len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	d.Show()
}

// writeFileAtomic writes b to path so that no reader sees half of it.
func writeFileAtomic(path string, b []byte) error { return labdir.WriteFile(path, b, 0o644) }
