package tcp

import (
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestDataSpans(t *testing.T) {
	for _, tt := range []struct {
		raw   string
		spans analyzertest.Spans
	}{
		{"hello\r\n", analyzertest.Spans{"text": "hello", "line ending": "\r\n"}},
		{"hi\n", analyzertest.Spans{"text": "hi", "line ending": "\n"}},
		{"no end", analyzertest.Spans{"text": "no end"}},
		{"\x00\x01\x02\xff", analyzertest.Spans{"hex": "\x00\x01\x02\xff"}},
	} {
		m := NewAnalyzer().dataMessage(lab.ClientToServer, []byte(tt.raw), 0)
		analyzertest.ExpectSpans(t, m, tt.spans)
	}
}
