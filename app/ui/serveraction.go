package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// actionTimeout bounds one server action, its restart included.
const actionTimeout = time.Minute

// serverAction is the button of one of a server's actions (lab.Action), with
// what it last did under it.
type serverAction struct {
	s      *serverPane
	a      lab.Action
	button *widget.Button
	result *widget.Label
	obj    fyne.CanvasObject
}

func newServerAction(s *serverPane, a lab.Action) *serverAction {
	sa := &serverAction{s: s, a: a}
	sa.button = widget.NewButtonWithIcon(a.Label, theme.DeleteIcon(), sa.ask)
	sa.result = widget.NewLabel("")
	sa.result.Wrapping = fyne.TextWrapWord
	sa.result.Importance = widget.LowImportance
	sa.result.Hide()
	rows := []fyne.CanvasObject{container.NewHBox(sa.button)}
	if a.Help != "" {
		rows = append(rows, hintText(a.Help))
	}
	sa.obj = container.New(&tightVBox{}, append(rows, sa.result)...)
	return sa
}

// ask runs the action, once the person confirms it when it loses data.
func (sa *serverAction) ask() {
	if sa.a.Confirm == "" {
		sa.run()
		return
	}
	msg := widget.NewLabel(sa.a.Confirm)
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(sa.a.Label+"?", sa.a.Label, "Cancel", msg, func(ok bool) {
		if ok {
			sa.run()
		}
	}, sa.s.w.win)
	d.Resize(fyne.NewSize(440, 0))
	d.Show()
}

// run does the action off the UI goroutine, the button disabled meanwhile,
// and says under the button what it did or why it failed.
func (sa *serverAction) run() {
	sa.button.Disable()
	sa.show(widget.LowImportance, "working…")
	name := sa.s.p.Name
	sa.s.w.goAsync(func() {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		done, err := sa.s.w.bench.RunAction(ctx, name, sa.a)
		at := time.Now().Format("15:04:05")
		fyne.Do(func() {
			sa.button.Enable()
			if err != nil {
				sa.show(widget.DangerImportance, at+" · failed: "+err.Error())
				dialog.ShowError(err, sa.s.w.win)
			} else {
				sa.show(widget.SuccessImportance, at+" · "+done)
			}
			sa.s.w.refresh()
		})
	})
}

func (sa *serverAction) show(imp widget.Importance, text string) {
	sa.result.Importance = imp
	sa.result.SetText(text)
	sa.result.Show()
}
