package ssh

import (
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestPacketSpans(t *testing.T) {
	// An IGNORE packet (message 2) with a 3-byte payload and 2 bytes of padding.
	pkt := []byte{0, 0, 0, 6, 2, 2, 'h', 'i', 0xaa, 0xbb}
	msgs := NewAnalyzer().packet(lab.ClientToServer, pkt)
	analyzertest.ExpectSpans(t, msgs[0], analyzertest.Spans{
		"packet_length": "\x00\x00\x00\x06", "padding_length": "\x02", "message number": "\x02", "padding": "\xaa\xbb",
	})
}
