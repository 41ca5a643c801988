package inspector

import (
	"time"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// arrowFor draws one row (a message, handshake step, fault or error) as an arrow
// between the client lane (0) and the server lane (1), noted with its time since
// the conversation's start.
func arrowFor(e *lab.Event, start time.Time) widgets.Arrow {
	a := widgets.Arrow{From: 0, To: 1, Label: rowSummary(e), Note: fmtOffset(e.At.Sub(start))}
	dir := e.Dir
	if dir == lab.DirNone && e.Side == lab.SideServer {
		dir = lab.ServerToClient
	}
	if dir == lab.ServerToClient {
		a.From, a.To = 1, 0
	}
	m := e.Msg
	switch {
	case e.Kind == lab.KindError || e.Kind == lab.KindFault:
		a.Style = widgets.ArrowError
	case m != nil && m.Handshake:
		a.Style = widgets.ArrowHandshake
	case m != nil && m.Teardown:
		a.Style = widgets.ArrowTeardown
	case e.Layer == "tls":
		a.Style = widgets.ArrowSecure
	}
	if m != nil && !m.Observed {
		a.Inferred = true
	}
	return a
}

// rowSummary is a row's one line: the message's summary, or an error's text.
func rowSummary(e *lab.Event) string {
	if e.Msg != nil {
		return e.Msg.Summary
	}
	if e.Kind == lab.KindFault {
		return "fault: " + e.Text
	}
	return "error: " + e.Text
}

// arrowsFor draws rows [from, to) of c.
func arrowsFor(m *Model, c *ConvData, from, to int, start time.Time) []widgets.Arrow {
	out := make([]widgets.Arrow, 0, to-from)
	for i := from; i < to; i++ {
		e := m.event(c.rows.at(i))
		out = append(out, arrowFor(e, start))
	}
	return out
}
