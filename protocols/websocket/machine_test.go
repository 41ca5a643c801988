package websocket

import (
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// TestCloseFrameAfterTheEnd checks that the WebSocket's state moves only along
// Transitions: a close frame that arrives after the connection's end made the
// WebSocket CLOSED (1006) leaves it CLOSED.
func TestCloseFrameAfterTheEnd(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, sessionTests[0].steps[:4], 0)
	a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN, First: true})
	out := a.Feed(lab.ServerToClient, frameBytes(true, 0x8, nil, closePayload(1001, "bye")), time.Time{})
	if got := analyzertest.States(out); len(out) != 1 || len(got) != 0 || a.State() != StateClosed {
		t.Errorf("close frame after the end: %q moved to %q, state %q; want one message and CLOSED kept", analyzertest.Summaries(out), got, a.State())
	}
}
