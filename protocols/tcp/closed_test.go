package tcp

import (
	"time"

	"testing"

	"github.com/protocollab/protolab/lab"
)

// A socket that closed without the lab knowing what it sent is told as that: no
// segment, no state moved, the partial line it sent shown first.
func TestClosedNotKnown(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{Side: lab.SideServer})
	a.Feed(lab.ServerToClient, []byte("partial"), time.Time{})
	msgs := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowClosed, Seen: lab.SideServer, Err: "why"})
	if len(msgs) != 2 {
		t.Fatalf("Closed = %d messages, want the partial line and one note", len(msgs))
	}
	m := msgs[1]
	if want := "the server's socket closed; what it sent is not known"; m.Summary != want {
		t.Errorf("summary %q, want %q", m.Summary, want)
	}
	if m.NextState != "" || m.Observed || !m.Teardown || field(m, "flags") != "" || field(m, "note") != "why" {
		t.Errorf("note %+v, want a teardown note with no flags or state, and the evidence", m)
	}
	if a.State() != StateEstablished {
		t.Errorf("state %q after an unknown close, want ESTABLISHED still", a.State())
	}
}
