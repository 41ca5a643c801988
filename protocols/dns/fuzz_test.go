package dns

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
)

func seeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, tt := range messageTests {
		b, err := tt.msg.Pack()
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	q := query("alpha.test.", mdns.TypeANY)
	q.SetEdns0(1232, false)
	b, _ := q.Pack()
	return append(out, b, []byte("hello"), []byte{})
}

// FuzzDatagram checks that any datagram gives exactly one message with exactly its bytes.
func FuzzDatagram(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs := NewAnalyzer().Feed(lab.ClientToServer, data, time.Time{})
		if len(msgs) != 1 || !bytes.Equal(msgs[0].Raw, data) || msgs[0].Summary == "" {
			t.Fatalf("Feed gave %d messages (%+v), want one with the datagram", len(msgs), msgs)
		}
		msgs[0].Detail() // a deferred detail is built from the same bytes
		// The same message with another ID is summed up as unpacking it does,
		// whether its summary is remembered or not.
		if len(data) >= 2 {
			other := append([]byte(nil), data...)
			other[0] ^= 0x5a
			var msg mdns.Msg
			got := NewAnalyzer().Feed(lab.ClientToServer, other, time.Time{})[0].Summary
			if msg.Unpack(other) == nil && got != Summary(&msg) {
				t.Fatalf("summary %q, unpacked %q", got, Summary(&msg))
			}
		}
	})
}

// FuzzStream cuts random bytes into chunks of size%64+1 bytes and checks that the
// messages framed are exactly the length-prefixed pieces of the input, in order.
func FuzzStream(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(frame(s), uint8(3))
	}
	all := frame(seeds(f)[0])
	all = append(all, frame(seeds(f)[1])...)
	f.Add(all, uint8(0))
	f.Add([]byte{0, 5, 1, 2}, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		if len(data) > 8192 {
			return
		}
		a := NewStreamAnalyzer()
		n := int(size%64) + 1
		var got [][]byte
		for i := 0; i < len(data); i += n {
			chunk := append([]byte(nil), data[i:min(i+n, len(data))]...)
			for _, m := range a.Feed(lab.ClientToServer, chunk, time.Time{}) {
				m.Detail()
				got = append(got, m.Raw)
			}
		}
		var want [][]byte
		for rest := data; len(rest) >= 2; {
			l := int(binary.BigEndian.Uint16(rest))
			if len(rest) < 2+l {
				break
			}
			want = append(want, rest[:2+l])
			rest = rest[2+l:]
		}
		if len(got) != len(want) {
			t.Fatalf("%d messages, want %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("message %d = %x, want %x", i, got[i], want[i])
			}
		}
	})
}
