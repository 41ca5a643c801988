package websocket

import (
	"strings"
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestFrameFieldSpans(t *testing.T) {
	hello := frameBytes(true, opText, key, []byte("hello"))
	long := frameBytes(true, opText, nil, []byte(strings.Repeat("x", 200)))
	bye := frameBytes(true, opClose, key, append([]byte{0x03, 0xe8}, "bye"...))
	msgs := analyzertest.Feed(NewAnalyzer(), []analyzertest.Step{
		{Dir: c2s, Data: upgradeGET}, {Dir: s2c, Data: switching},
		{Dir: c2s, Data: string(hello)}, {Dir: s2c, Data: string(long)}, {Dir: c2s, Data: string(bye)},
	}, 0)
	if len(msgs) != 5 {
		t.Fatalf("messages %q", analyzertest.Summaries(msgs))
	}
	analyzertest.CheckSpans(t, msgs)
	analyzertest.ExpectSpans(t, msgs[2], analyzertest.Spans{
		"FIN": string(hello[:1]), "opcode": string(hello[:1]), "MASK": string(hello[1:2]), "payload length": string(hello[1:2]),
		"masking key": string(key), "payload": string(hello[6:]),
	})
	analyzertest.ExpectSpans(t, msgs[3], analyzertest.Spans{"payload length": string(long[1:4]), "payload": strings.Repeat("x", 200)})
	if _, ok := analyzertest.Span(msgs[3], "masking key"); ok {
		t.Error("an unmasked frame has a masking key's span")
	}
	analyzertest.ExpectSpans(t, msgs[4], analyzertest.Spans{"status code": string(bye[6:8]), "reason": string(bye[8:])})
}
