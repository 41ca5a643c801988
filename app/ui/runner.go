package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// runner runs a client pane's slow work (a dial, a request, a transfer) off the
// UI goroutine, one piece at a time, and reports on it there. A pane embeds it:
// busy says that work is under way; run and runThen start some.
//
// While work runs, the pane's controls are off (controls reads busy) and its
// status says what is under way. When the work ends, on the UI goroutine, busy
// is false again, the status shows what went wrong if anything did, the pane's
// report runs, and controls sets the controls for what the report left. A
// report may start the next piece of work (list the folder after an upload):
// that work leaves only once the report and the controls are done, so its own
// report never meets this one. Its fields and methods are the UI goroutine's.
type runner struct {
	// async runs work off the UI goroutine, then done on it. newRunner's
	// uses the pane context's Go and fyne.Do; the IMAP pane's queues its two
	// devices' work one after the other.
	async func(work, done func())
	// statusLine shows "doing …" and, in red, what went wrong; a hidden one
	// (a line for errors only) is shown with its error.
	statusLine *widget.Label
	// problem says what an error means for a person; nil shows its text.
	problem func(error) string
	// controls turns the pane's controls on or off for busy and the pane's
	// state; nil when the pane has none to turn.
	controls func()
	busy     bool

	reporting bool   // a report is running
	next      func() // the work a report started, sent off when it is done
}

// newRunner returns a runner over ctx.Go that reports in status and sets the
// pane's controls with controls (nil: none).
func newRunner(ctx PaneContext, status *widget.Label, controls func()) runner {
	return runner{
		async:      func(work, done func()) { ctx.Go(func() { work(); fyne.Do(done) }) },
		statusLine: status,
		controls:   controls,
	}
}

// run starts work unless other work is under way; after, if not nil, runs
// when work succeeded. doing says what is under way ("" leaves the status as
// it is).
func (r *runner) run(doing string, work func() error, after func()) {
	r.runThen(doing, work, func(err error) {
		if err == nil && after != nil {
			after()
		}
	})
}

// runThen is run with a report that runs whether work succeeded (err nil) or
// not, after the status shows the error.
func (r *runner) runThen(doing string, work func() error, then func(err error)) {
	if r.busy {
		return
	}
	r.busy = true
	if doing != "" {
		setStatus(r.statusLine, doing+" …", false)
	}
	r.setControls()
	var err error
	start := func() {
		r.async(func() { err = work() }, func() {
			r.busy = false
			if err != nil {
				r.fail(err)
			}
			r.reporting = true
			if then != nil {
				then(err)
			}
			r.reporting = false
			r.setControls()
			if next := r.next; next != nil {
				r.next = nil
				next()
			}
		})
	}
	if r.reporting {
		r.next = start
		return
	}
	start()
}

// fail shows err in the status, in red.
func (r *runner) fail(err error) {
	text := err.Error()
	if r.problem != nil {
		text = r.problem(err)
	}
	setStatus(r.statusLine, text, true)
	r.statusLine.Show()
}

func (r *runner) setControls() {
	if r.controls != nil {
		r.controls()
	}
}
