package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Payload modes of a composer.
const (
	modeText = "Text"
	modeHex  = "Hex"
)

// composer is where a person writes bytes to send: text (optionally with a
// newline) or hex digits.
type composer struct {
	mode    *widget.RadioGroup
	newline *widget.Check
	entry   *widget.Entry
	send    *widget.Button
	errText *widget.Label
	options fyne.CanvasObject // text or hex, newline
}

// newComposer calls onSend with the entry's text, whether it is hex, and whether
// to append a newline.
func newComposer(onSend func(text string, hex, newline bool)) *composer {
	c := &composer{}
	c.entry = widget.NewEntry()
	c.entry.SetPlaceHolder("hello")
	c.newline = widget.NewCheck("Append newline", nil)
	c.newline.SetChecked(true)
	c.mode = widget.NewRadioGroup([]string{modeText, modeHex}, func(m string) {
		if m == modeHex {
			c.newline.Disable()
			c.entry.SetPlaceHolder("68 65 6c 6c 6f 0a")
		} else {
			c.newline.Enable()
			c.entry.SetPlaceHolder("hello")
		}
	})
	c.mode.Horizontal = true
	c.mode.Required = true
	c.mode.SetSelected(modeText)
	do := func() { onSend(c.entry.Text, c.mode.Selected == modeHex, c.newline.Checked) }
	c.entry.OnSubmitted = func(string) { do() }
	c.send = widget.NewButton("Send", do)
	c.send.Importance = widget.HighImportance
	c.errText = widget.NewLabel("")
	c.errText.Importance = widget.DangerImportance
	c.errText.Wrapping = fyne.TextWrapWord
	c.errText.Hide()
	c.options = container.NewHBox(c.mode, c.newline)
	return c
}

// titled lays the composer out under a section heading, its options on the
// heading's row to leave the height to what crossed the connection.
func (c *composer) titled(heading string) fyne.CanvasObject {
	return container.NewVBox(
		container.NewBorder(nil, nil, sectionLabel(heading), c.options),
		container.NewBorder(nil, nil, nil, c.send, c.entry),
		c.errText,
	)
}

// fail shows err under the composer; nil hides it.
func (c *composer) fail(err error) {
	if err == nil {
		c.errText.Hide()
		return
	}
	c.errText.SetText(err.Error())
	c.errText.Show()
}

func (c *composer) setEnabled(on bool) {
	if on {
		c.send.Enable()
	} else {
		c.send.Disable()
	}
}
