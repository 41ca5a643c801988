package analyzertest

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// Bursts plays script to bursts, an analyzer that makes bursts of like
// publications (framing.BurstMin), and to single, one of the same protocol
// that frames each publication on its own, and fails t unless they agree:
// each message of bursts that count says stands for n > 1 is the n messages
// single framed in its place — their bytes, their publications' digests in
// order and their payloads' size, one subject — and its detail lists each,
// up to listed, under its summary's first word and its number ("MSG 1"),
// over that one's bytes, every field within the burst's; every other
// message is the same as single's.
func Bursts(t testing.TB, bursts, single lab.Analyzer, script []byte, count func(lab.Message) int, listed int) {
	t.Helper()
	var got, want []lab.Message
	Play(bursts, script, func(m []lab.Message) { got = append(got, m...) })
	Play(single, script, func(m []lab.Message) { want = append(want, m...) })
	j := 0
	for _, m := range got {
		n := count(m)
		if j+n > len(want) {
			t.Fatalf("%q stands for %d messages; %d are left of %q", m.Summary, n, len(want)-j, Summaries(want))
		}
		if n == 1 {
			if w := want[j]; m.Summary != w.Summary || !bytes.Equal(m.Raw, w.Raw) || !reflect.DeepEqual(m.Pub, w.Pub) {
				t.Fatalf("%q (%q) where single framing made %q (%q)", m.Summary, m.Raw, w.Summary, w.Raw)
			}
			j++
			continue
		}
		var raw []byte
		size := 0
		for i, w := range want[j : j+n] {
			raw = append(raw, w.Raw...)
			if (w.Pub == nil) != (m.Pub == nil) || w.Dir != m.Dir {
				t.Fatalf("burst %q stands for %q", m.Summary, w.Summary)
			}
			if m.Pub == nil {
				continue
			}
			d := m.Pub.Digest
			if i > 0 {
				d = m.Pub.Burst[i-1]
			}
			if d != w.Pub.Digest || w.Pub.Subject != m.Pub.Subject {
				t.Fatalf("burst %q: publication %d is not %q's", m.Summary, i, w.Summary)
			}
			size += w.Pub.Size
		}
		if !bytes.Equal(raw, m.Raw) || m.Pub != nil && (size != m.Pub.Size || m.Pub.Count() != n) {
			t.Fatalf("burst %q: bytes %q, publication %+v; the messages in its place: %q, %d bytes of payload", m.Summary, m.Raw, m.Pub, raw, size)
		}
		fields, _ := m.Detail()
		verb, k := m.Summary[:max(strings.IndexByte(m.Summary, ' '), 0)], 0
		for _, f := range fields {
			if f.Off < 0 || f.Len < 0 || f.Off+f.Len > len(m.Raw) {
				t.Fatalf("burst %q: field %q spans %d+%d of %d bytes", m.Summary, f.Name, f.Off, f.Len, len(m.Raw))
			}
			if f.Name == fmt.Sprint(verb, " ", k+1) {
				if w := want[j+k]; !bytes.Equal(m.Raw[f.Off:f.Off+f.Len], w.Raw) {
					t.Fatalf("burst %q: field %q spans %q, its message is %q", m.Summary, f.Name, m.Raw[f.Off:f.Off+f.Len], w.Raw)
				}
				k++
			}
		}
		if k != min(n, listed) {
			t.Fatalf("burst %q lists %d of its %d messages", m.Summary, k, n)
		}
		j += n
	}
	if j != len(want) {
		t.Fatalf("%d messages stand for %d; single framing made %d", len(got), j, len(want))
	}
}
