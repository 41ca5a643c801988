package mqtt

import (
	"slices"
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// FuzzMQTT feeds scripts of chunks (analyzertest.Script) to an analyzer, then
// closes the connection, and checks that it never panics, holds no more than a
// packet, gives every message a summary and spans within its bytes, and moves
// only along Transitions.
func FuzzMQTT(f *testing.F) {
	for _, tt := range captureTests {
		steps := capture(f, tt.file)
		f.Add(analyzertest.Script(steps...))
		f.Add(analyzertest.Script(steps[:len(steps)/2]...))
	}
	for _, tt := range malformedTests {
		f.Add(analyzertest.Script(append(slices.Clone(connected), tt.bad, ping)...))
	}
	f.Add(analyzertest.Script(step{c2s, pkt(0x10, str("MQTT")+"\x05\x02\x00\x3c\x00")}))
	f.Fuzz(func(t *testing.T, script []byte) {
		analyzertest.Fuzz(t, NewAnalyzer(), script, Transitions, MaxPacket)
	})
}
