package udp

import (
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestDatagramSpans(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.ExpectSpans(t, a.Feed(lab.ClientToServer, []byte("ping\n"), time.Time{})[0], analyzertest.Spans{"text": "ping\n"})
	analyzertest.ExpectSpans(t, a.Feed(lab.ServerToClient, []byte{0, 1, 0xff}, time.Time{})[0], analyzertest.Spans{"hex": "\x00\x01\xff"})
}
