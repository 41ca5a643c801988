package tls_test

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// TestFieldSpans replays the recorded connections with and without their keys:
// every span lies in its message, a hello's header, version, random and session
// ID and an encrypted record's header are where they say.
func TestFieldSpans(t *testing.T) {
	scripts, keys := seeds(t)
	for name, script := range scripts {
		for _, withKeys := range []bool{true, false} {
			a := newAnalyzer(lineInner)
			if withKeys {
				a.UseKeys(keys)
			}
			msgs := runScript(t, a, script)
			analyzertest.CheckSpans(t, msgs)
			hellos, records := 0, 0
			for _, m := range msgs {
				switch {
				case strings.HasPrefix(m.Summary, "ClientHello"):
					hellos++
					sid := string(m.Raw[38 : 39+int(m.Raw[38])])
					analyzertest.ExpectSpans(t, m, analyzertest.Spans{
						"handshake type": "\x01", "handshake length": string(m.Raw[1:4]),
						"legacy version": "\x03\x03", "client random": string(m.Raw[6:38]), "session id": sid,
					})
				case strings.HasPrefix(m.Summary, "encrypted ") && len(m.Raw) >= 5:
					records++
					n := int(binary.BigEndian.Uint16(m.Raw[3:5]))
					analyzertest.ExpectSpans(t, m, analyzertest.Spans{"record type": string(m.Raw[:1]), "length": string(m.Raw[3:5])})
					if got, _ := analyzertest.Span(m, "encrypted content"); len(got) != n {
						t.Errorf("%s: encrypted content covers %d bytes, the header says %d", name, len(got), n)
					}
				}
			}
			if hellos == 0 || (!withKeys && records == 0) {
				t.Errorf("%s (keys %v): %d ClientHellos, %d encrypted records", name, withKeys, hellos, records)
			}
		}
	}
}
