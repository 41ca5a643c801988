package lab

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// encoded is r as the json.Encoder the contract names writes it.
func encoded(t testing.TB, r *Record) ([]byte, error) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(r)
	return b.Bytes(), err
}

// sameAsEncoder fails unless AppendJSON writes what encoding/json writes for
// r, after what dst held already.
func sameAsEncoder(t testing.TB, r *Record) {
	t.Helper()
	want, wantErr := encoded(t, r)
	got, err := r.AppendJSON([]byte("before"))
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("AppendJSON error %v, encoding/json %v", err, wantErr)
	}
	if err != nil {
		if string(got) != "before" {
			t.Fatalf("AppendJSON wrote %q with its error", got)
		}
		return
	}
	if !bytes.Equal(got, append([]byte("before"), want...)) {
		t.Fatalf("AppendJSON:\n got %s\nwant %s", got[len("before"):], want)
	}
}

func TestRecordJSONAsEncoder(t *testing.T) {
	at := time.Date(2026, 12, 6, 7, 8, 9, 123456000, time.FixedZone("", 5*3600+30*60))
	full := Record{
		Event: "message", Protocol: "http", Addr: "127.0.0.1:8080", NeededBy: "p2p",
		Seq: 42, Time: at, Conv: 7, Client: "127.0.0.1:5000", Server: "127.0.0.1:8080",
		Side: "server", Dir: "c2s", Layer: "http", Len: 5, Data: []byte{0, 1, 2, 0xff, '<'},
		Summary: "GET / HTTP/1.1", Meaning: "asks for <the> page & \"more\"", Ref: "RFC 9112 §3",
		Fields:    []Field{{Name: "Host", Value: "a\tb\n", Off: 3, Len: 9}, {Name: "é", Value: "\u2028\u2029\x7f"}},
		Handshake: true, Teardown: true, From: "∅", To: "OPEN", Text: "bad \xff\xfe utf-8 \x00\x1f\b\f\r",
		Error: `C:\path`, Missed: math.MaxUint64,
	}
	// Every field set: a field added to Record that AppendJSON does not
	// write fails here.
	for i, v := 0, reflect.ValueOf(full); i < v.NumField(); i++ {
		if v.Field(i).IsZero() {
			t.Fatalf("the full record leaves %s unset", v.Type().Field(i).Name)
		}
	}
	for _, r := range []Record{
		{},
		{Event: "listening", Protocol: "http", Addr: "127.0.0.1:8080"},
		{Event: "dropped", Missed: 3},
		{Event: "data", Time: time.Unix(0, 1).UTC(), Len: -1},
		{Event: "data", Time: time.Unix(1e9, 0).In(time.FixedZone("odd", 17))}, // an offset with seconds, which RFC 3339 drops
		{Event: "data", Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},    // a year past 9999: refused
		{Event: "data", Time: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},       // before year 0: refused
		{Event: "data", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", -23*3600-59*60))},
		{Event: "data", Fields: []Field{}, Data: []byte{}},
		full,
	} {
		sameAsEncoder(t, &r)
	}
}

func FuzzRecordJSON(f *testing.F) {
	f.Add("message", "GET / HTTP/1.1\r\n", "h\u2028\xff", []byte("hello"), int64(1e18), 3600, 12, false)
	f.Add("", "", "", []byte(nil), int64(0), 0, 0, true)
	f.Add("\"\\", "\x00\x7f", "日本", []byte{0xff}, int64(-1), -7200, -1, true)
	f.Fuzz(func(t *testing.T, a, b, c string, data []byte, nanos int64, offset, n int, flag bool) {
		var at time.Time
		if nanos != 0 {
			at = time.Unix(0, nanos).In(time.FixedZone("", offset%(30*3600)))
		}
		r := Record{
			Event: a, Protocol: b, Addr: c, Seq: uint64(nanos), Time: at, Conv: ConvID(n),
			Side: a + b, Dir: c, Layer: b, Len: n, Data: data, Summary: a, Meaning: c, Ref: b,
			Handshake: flag, Teardown: !flag, From: c, To: a, Text: strings.Repeat(b, 2), Error: c, Missed: uint64(n),
		}
		if flag {
			r.Fields = []Field{{Name: a, Value: c, Off: n, Len: -n}, {Name: b}}
		}
		sameAsEncoder(t, &r)
	})
}

// BenchmarkRecordJSON compares the two ways of writing a message's line.
func BenchmarkRecordJSON(b *testing.B) {
	r := Record{
		Event: "message", Protocol: "http", Seq: 123456, Time: time.Now(), Conv: 99, Side: "server", Dir: "c2s",
		Layer: "http", Summary: "GET /status/200 HTTP/1.1", Meaning: "The client asks for a resource.", Ref: "RFC 9112 §3",
		Fields: []Field{{Name: "Method", Value: "GET", Off: 0, Len: 3}, {Name: "Host", Value: "127.0.0.1:8080", Off: 24, Len: 20}},
	}
	b.Run("AppendJSON", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf, _ = r.AppendJSON(buf[:0])
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		for b.Loop() {
			buf.Reset()
			enc.Encode(&r)
		}
	})
}
