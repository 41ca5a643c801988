package mailstore

import (
	"bytes"
	"testing"
	"time"
)

func logOf(msgs ...string) []byte {
	var b []byte
	for i, m := range msgs {
		b = appendLogHeader(b, uint32(i+1), len(m), time.Unix(1700000000, int64(i)))
		b = append(b, m...)
		b = append(b, '\n')
	}
	return b
}

// FuzzScanLog: whatever a message log holds, scanLog returns records that
// rebuild exactly the bytes before the damage it reports, in UID order.
func FuzzScanLog(f *testing.F) {
	f.Add([]byte{})
	f.Add(logOf("Subject: a\r\n\r\nA.\r\n"))
	f.Add(logOf("one", "", "three\n"))
	f.Add(logOf("one", "two")[:20])
	f.Add([]byte("PLM 1 3 0\nabc\nPLM 1 0 0\n\n"))
	f.Add([]byte("PLM 1 99999999999 0\nabc\n"))
	f.Add([]byte("PLM 01 3 0\nabc\n"))
	f.Add([]byte("PLM 2 3 -5\nabcX"))
	f.Add(append(logOf("one", "two"), "PLX 1\nPLX 2\n"...))
	f.Add([]byte("PLX 1\nPLM 1 0 0\n\nPLX 01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, damage, err := scanLog(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("scanLog of %d bytes in memory: %v", len(data), err)
		}
		good := int64(len(data))
		if damage != nil {
			good = damage.at
			if damage.at < 0 || damage.at > int64(len(data)) || damage.reason == "" {
				t.Fatalf("damage %+v in %d bytes", damage, len(data))
			}
		}
		var rebuilt []byte
		last := uint32(0)
		for _, r := range recs {
			if r.uid == 0 || r.off < 0 || r.size < 0 || r.end() > good {
				t.Fatalf("record %+v outside the %d good bytes", r, good)
			}
			if r.tomb {
				rebuilt = appendTomb(rebuilt, r.uid)
				continue
			}
			if r.uid <= last {
				t.Fatalf("UID %d after %d", r.uid, last)
			}
			last = r.uid
			rebuilt = appendLogHeader(rebuilt, r.uid, int(r.size), r.date)
			rebuilt = append(rebuilt, data[r.off:r.off+r.size]...)
			rebuilt = append(rebuilt, '\n')
		}
		if !bytes.Equal(rebuilt, data[:good]) {
			t.Fatalf("records rebuild %q, want the good bytes %q", rebuilt, data[:good])
		}
	})
}
