package pgsql

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
)

// TestBriefFieldsAreTheWholeOnes: a message framed briefly shows, when asked,
// the very fields its whole decoding gives, malformed ones included, and the
// same summary and meaning.
func TestBriefFieldsAreTheWholeOnes(t *testing.T) {
	cases := []struct {
		dir lab.Dir
		raw string
	}{
		{c2s, enc(t, &pgproto3.Query{String: "SELECT 1"})},
		{c2s, enc(t, &pgproto3.Sync{})},
		{c2s, enc(t, &pgproto3.Flush{})},
		{s2c, enc(t, &pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")})},
		{s2c, enc(t, &pgproto3.ReadyForQuery{TxStatus: 'T'})},
		{s2c, enc(t, &pgproto3.ParseComplete{})},
		{s2c, enc(t, &pgproto3.BindComplete{})},
		{s2c, enc(t, &pgproto3.CloseComplete{})},
		{s2c, enc(t, &pgproto3.EmptyQueryResponse{})},
		{s2c, enc(t, &pgproto3.NoData{})},
		{s2c, enc(t, &pgproto3.PortalSuspended{})},
		{s2c, "Z\x00\x00\x00\x05X"},              // a transaction status that is none
		{s2c, "Z\x00\x00\x00\x06IX"},             // a byte after its last field
		{s2c, "C\x00\x00\x00\x08SEL"},            // a tag without its end
		{c2s, "Q\x00\x00\x00\x0dSELECT 1\x00!!"}, // bytes after the query
		{s2c, "1\x00\x00\x00\x06\x01"},           // ParseComplete with a body
	}
	for _, c := range cases {
		raw := []byte(c.raw)
		if !briefly(c.dir, raw[0]) {
			t.Fatalf("%q is not framed briefly", c.raw)
		}
		var brief, whole lab.Message
		a, b := NewAnalyzer(), NewAnalyzer()
		a.started, b.started = true, true
		if c.dir == c2s {
			brief, whole = a.frontend(raw), b.decodeFrontend(raw, true)
		} else {
			brief, whole = a.backend(raw), b.decodeBackend(raw, true)
		}
		if !brief.Deferred() || whole.Deferred() {
			t.Errorf("%q: deferred %v and %v, want the brief one only", c.raw, brief.Deferred(), whole.Deferred())
		}
		fields, meaning := brief.Detail()
		if len(whole.Fields) < 2 || !reflect.DeepEqual(fields, whole.Fields) {
			t.Errorf("%q: fields when asked\n%v\nwant\n%v", c.raw, fields, whole.Fields)
		}
		if meaning != whole.Meaning || brief.Summary != whole.Summary || brief.NextState != whole.NextState {
			t.Errorf("%q: brief %q / %q / %q, whole %q / %q / %q", c.raw,
				brief.Summary, meaning, brief.NextState, whole.Summary, whole.Meaning, whole.NextState)
		}
	}
}
