package widgets

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestStateDiagramStaysPutWhileStepping steps through a TCP connection's path
// as replay does, each step with a note of its own length: the boxes keep their
// places and size from the first step to the last, at every height.
func TestStateDiagramStaysPutWhileStepping(t *testing.T) {
	path := []string{"CLOSED", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT"}
	notes := []string{"", "SYN", "RFC 9293 §3.5 — ACK · handshake complete: both ends are ESTABLISHED and may send data",
		"FIN", "RFC 9293 §3.6 — ACK of the client's FIN: the client waits for the server's FIN; data may still " +
			"arrive from the server, which has not closed its side yet, and the client must read it", ""}
	for h := float32(120); h <= 420; h += 10 {
		t.Run(fmt.Sprint(h), func(t *testing.T) {
			test.NewTempApp(t)
			d := NewStateDiagram()
			d.SetMachine(tcpStates, tcpTransitions)
			showIn(t, d, 420, h)
			r := test.TempWidgetRenderer(t, d).(*stateRenderer)
			var first []fyne.Position
			for i := range path {
				d.SetPath(path[:i+1])
				d.SetNote(notes[i])
				r.Layout(d.Size())
				for j, b := range r.boxes {
					p := b.box.Position()
					if i == 0 {
						first = append(first, p)
					} else if p != first[j] {
						t.Errorf("step %d (note %d long): %s moved from %v to %v", i+1, len(notes[i]), tcpStates[j], first[j], p)
					}
				}
			}
		})
	}
}
