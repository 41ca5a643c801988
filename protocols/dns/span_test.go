package dns

import (
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// nth returns the bytes covered by the n-th (from 0) field named name.
func nth(m lab.Message, name string, n int) string {
	fields, _ := m.Detail()
	for _, f := range fields {
		if f.Name == name {
			if n == 0 {
				return string(f.Bytes(m.Raw))
			}
			n--
		}
	}
	return "<none>"
}

func TestFieldSpans(t *testing.T) {
	q := pack(t, query("www.lab.test.", mdns.TypeA))
	mx := answer(query("alpha.test.", mdns.TypeMX), mdns.RcodeSuccess, "alpha.test. 300 IN MX 10 mail.alpha.test.", "alpha.test. 300 IN MX 20 mx2.alpha.test.")
	mx.Compress = true // the answers' names become pointers to the question's
	r := pack(t, mx)
	qname := "\x03www\x03lab\x04test\x00"
	for _, tt := range []struct {
		a    lab.Analyzer
		raw  func([]byte) []byte
		base int
	}{{NewAnalyzer(), func(b []byte) []byte { return b }, 0}, {NewStreamAnalyzer(), frame, 2}} {
		qm := tt.a.Feed(lab.ClientToServer, tt.raw(q), time.Time{})[0]
		rm := tt.a.Feed(lab.ServerToClient, tt.raw(r), time.Time{})[0]
		analyzertest.CheckSpans(t, []lab.Message{qm, rm})
		analyzertest.ExpectSpans(t, qm, analyzertest.Spans{
			"id": string(q[0:2]), "flags": string(q[2:4]), "counts": string(q[4:12]),
			"question": qname + "\x00\x01\x00\x01", "name": qname, "type": "\x00\x01", "class": "\x00\x01",
		})
		if tt.base == 2 {
			analyzertest.ExpectSpans(t, qm, analyzertest.Spans{"length prefix": string(tt.raw(q)[:2])})
		}
		// Two MX records: each whole, its name (a pointer to the question's), its
		// TTL and its data (preference and exchange).
		a1, a2 := nth(rm, "answer 1", 0), nth(rm, "answer 2", 0)
		if len(a1) < 12 || a1[:2] != "\xc0\x0c" || a1+a2 != string(r[len(r)-len(a1)-len(a2):]) {
			t.Errorf("answers cover %q and %q, want the message's last records", a1, a2)
		}
		if got := nth(rm, "name", 1); got != "\xc0\x0c" {
			t.Errorf("first answer's name covers %q, want the pointer", got)
		}
		if got := nth(rm, "TTL", 0); got != "\x00\x00\x01\x2c" {
			t.Errorf("TTL covers %q, want 300", got)
		}
		if got := nth(rm, "data", 1); len(got) < 3 || got[:2] != "\x00\x14" {
			t.Errorf("second answer's data covers %q, want preference 20 first", got)
		}
	}
}

func TestLayoutRefusesBadNames(t *testing.T) {
	for _, b := range [][]byte{make([]byte, 11), append(make([]byte, 12), 0x40), append(make([]byte, 12), 5, 'a')} {
		if p := layout(b, 1, 0); p != nil {
			t.Errorf("layout(%q) = %v, want nil", b, p)
		}
	}
}
