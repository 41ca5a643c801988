package tls_test

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
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
					checkExtensions(t, m)
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

// checkExtensions checks that a ClientHello's extensions end its message and
// that each extension lies within them, one after another, its type first.
func checkExtensions(t *testing.T, m lab.Message) {
	t.Helper()
	var all lab.Field
	next := -1
	for _, f := range m.Fields {
		switch {
		case f.Name == "extensions":
			all = f
			if f.Off+f.Len != len(m.Raw) {
				t.Errorf("extensions span %d+%d, the message has %d bytes", f.Off, f.Len, len(m.Raw))
			}
			next = f.Off + 2
		case strings.HasPrefix(f.Name, "extension "):
			if !all.Holds(f) || f.Off != next {
				t.Errorf("%s spans %d+%d, want it at %d within the extensions (%d+%d)", f.Name, f.Off, f.Len, next, all.Off, all.Len)
			}
			if n := int(binary.BigEndian.Uint16(m.Raw[f.Off+2:])); n != f.Len-4 {
				t.Errorf("%s spans %d bytes, its length says %d", f.Name, f.Len, n+4)
			}
			if f.Name == "extension server_name" && (!strings.Contains(string(f.Bytes(m.Raw)), f.Value) || m.Raw[f.Off] != 0 || m.Raw[f.Off+1] != 0) {
				t.Errorf("server_name covers %q, want type 0 and %q", f.Bytes(m.Raw), f.Value)
			}
			next = f.Off + f.Len
		}
	}
	if next != len(m.Raw) {
		t.Errorf("the extensions end at %d, the message at %d", next, len(m.Raw))
	}
}
