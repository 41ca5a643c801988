package h2

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestFrameHeaderSpans(t *testing.T) {
	_, msgs := run(t, newWire().start().get(1, "/echo").respond(1, "200", "x").steps, 0)
	analyzertest.CheckSpans(t, msgs)
	frames := 0
	for _, m := range msgs {
		if strings.HasPrefix(m.Summary, "connection preface") {
			analyzertest.ExpectSpans(t, m, analyzertest.Spans{"preface": "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"})
			continue
		}
		if _, ok := analyzertest.Span(m, "type"); !ok {
			continue
		}
		frames++
		length, _ := analyzertest.Span(m, "length")
		stream, _ := analyzertest.Span(m, "stream")
		if n := int(length[0])<<16 | int(length[1])<<8 | int(length[2]); n != len(m.Raw)-9 {
			t.Errorf("%q: length field covers %x, want %d", m.Summary, length, len(m.Raw)-9)
		}
		if id := binary.BigEndian.Uint32([]byte(stream)) &^ (1 << 31); strings.Contains(m.Summary, "stream 1") && id != 1 {
			t.Errorf("%q: stream field covers %x", m.Summary, stream)
		}
	}
	if frames < 5 {
		t.Errorf("%d frames with header spans, want every frame's", frames)
	}
}
