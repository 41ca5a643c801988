package labfile

import (
	"bytes"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// spanSession is one message whose fields have spans: one within its bytes, one
// without a span, one past its end.
func spanSession() *Session {
	raw := []byte("GET / HTTP/1.1\r\nHost: www.lab.test\r\n\r\n")
	m := &lab.Message{Dir: lab.ClientToServer, Summary: "GET /", Raw: raw, Observed: true, Fields: []lab.Field{
		{Name: "Host", Value: "www.lab.test", Off: 16, Len: 20},
		{Name: "version", Value: "HTTP/1.1"},
		{Name: "bad", Value: "x", Off: 30, Len: 100},
	}}
	return &Session{Format: FormatVersion, Events: []lab.Event{{Seq: 1, Conv: 1, Kind: lab.KindMessage, Layer: "http", Msg: m}}}
}

// decodeAs encodes s as format version writes it and decodes it as that version reads it.
func decodeAs(t *testing.T, version int, s *Session) *Session {
	t.Helper()
	var raw bytes.Buffer
	if _, err := encodeAs(&raw, s, version); err != nil {
		t.Fatal(err)
	}
	got := &Session{Format: version}
	if err := decodeRaw(raw.Bytes(), got); err != nil {
		t.Fatalf("format %d: %v", version, err)
	}
	return got
}

func TestFieldSpansSaved(t *testing.T) {
	got := decodeAs(t, FormatVersion, spanSession()).Events[0].Msg
	want := []lab.Field{{Name: "Host", Value: "www.lab.test", Off: 16, Len: 20}, {Name: "version", Value: "HTTP/1.1"}, {Name: "bad", Value: "x"}}
	if len(got.Fields) != len(want) {
		t.Fatalf("fields = %+v, want %+v", got.Fields, want)
	}
	for i := range want {
		if got.Fields[i] != want[i] {
			t.Errorf("field %d = %+v, want %+v", i, got.Fields[i], want[i])
		}
	}
	if b := got.Fields[0].Bytes(got.Raw); string(b) != "Host: www.lab.test\r\n" {
		t.Errorf("Host's bytes = %q", b)
	}
}

// A format 2 file has no spans: its fields read back without them.
func TestFormat2HasNoSpans(t *testing.T) {
	got := decodeAs(t, 2, spanSession()).Events[0].Msg
	for _, f := range got.Fields {
		if f.Len != 0 || f.Off != 0 {
			t.Errorf("format 2 field %q has span %d+%d", f.Name, f.Off, f.Len)
		}
	}
	if got.Fields[0].Value != "www.lab.test" || !bytes.Equal(got.Raw, spanSession().Events[0].Msg.Raw) {
		t.Errorf("format 2 message = %+v", got)
	}
}

// A span past its message's bytes is damage, not a field to highlight.
func TestSpanOutsideRawRefused(t *testing.T) {
	s := spanSession()
	var raw bytes.Buffer
	if _, err := encodeAs(&raw, s, FormatVersion); err != nil {
		t.Fatal(err)
	}
	b := raw.Bytes()
	// The last field's span is written as none (0); the first as 20 then 16.
	i := bytes.LastIndex(b, []byte{20, 16, 0})
	if i < 0 {
		t.Fatalf("spans not found in %x", b)
	}
	b[i] = 100
	if err := decodeRaw(b, &Session{Format: FormatVersion}); err == nil {
		t.Error("a span past the message's end decoded")
	}
}
