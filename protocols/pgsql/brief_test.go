package pgsql

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
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
		{s2c, "Z\x00\x00\x00\x05X"},                                                                   // a transaction status that is none
		{s2c, "Z\x00\x00\x00\x06IX"},                                                                  // a byte after its last field
		{s2c, "C\x00\x00\x00\x08SEL"},                                                                 // a tag without its end
		{c2s, "Q\x00\x00\x00\x0dSELECT 1\x00!!"},                                                      // bytes after the query
		{s2c, "1\x00\x00\x00\x06\x01"},                                                                // ParseComplete with a body
		{c2s, enc(t, &pgproto3.Query{String: "  SELECT\t1,\n 'a'  "})},                                // spaces to collapse
		{c2s, enc(t, &pgproto3.Query{String: `SELECT "x", 'é' FROM t WHERE a = '\'`})},                // quotes, a backslash, UTF-8
		{c2s, enc(t, &pgproto3.Query{String: "SELECT " + strings.Repeat("a, ", 40) + "b FROM long"})}, // past 80 bytes
		{c2s, enc(t, &pgproto3.Query{String: `SELECT 'a\b'`})},                                        // a backslash in ASCII
		{c2s, enc(t, &pgproto3.Query{String: ""})},
		{s2c, enc(t, &pgproto3.CommandComplete{CommandTag: []byte("odd \"tag\"\x01")})},
		{s2c, enc(t, &pgproto3.ReadyForQuery{TxStatus: 'I'})},
		{s2c, enc(t, &pgproto3.ReadyForQuery{TxStatus: 'E'})},
		{c2s, enc(t, &pgproto3.Execute{Portal: "p1", MaxRows: 10})},
		{c2s, enc(t, &pgproto3.Execute{})},
		{c2s, "E\x00\x00\x00\x07p\x00\x00"}, // cut short in its row limit
		{c2s, enc(t, &pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{0}, Parameters: [][]byte{[]byte("1"), nil}, ResultFormatCodes: []int16{1}})},
		{c2s, "B\x00\x00\x00\x12\x00s\x00\x00\x00\x00\x02\x00\x00\x00\x01x\x00\x00"}, // its second value cut short
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
			brief, whole = a.briefOf(c2s, raw), b.wholeOf(c2s, raw)
		} else {
			brief, whole = a.briefOf(s2c, raw), b.wholeOf(s2c, raw)
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

// TestBriefRowsAreTheWholeOnes: DataRows and RowDescriptions framed briefly
// (their summaries built in the analyzer's own buffer, a RowDescription seen
// again reused) have the summaries and fields their whole decoding gives.
func TestBriefRowsAreTheWholeOnes(t *testing.T) {
	desc := &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{
		{Name: []byte("id"), DataTypeOID: 23}, {Name: []byte("name"), DataTypeOID: 25},
		{Name: []byte("blob"), DataTypeOID: 17}, {Name: []byte("t"), DataTypeOID: 1114},
	}}
	rows := [][][]byte{
		{[]byte("1"), []byte("alice"), []byte("\\x00ff"), []byte("2026-01-02 03:04:05")},
		{[]byte("-7"), nil, []byte{0, 1, 2}, []byte("say \"hi\"\n")},
		{[]byte("5"), []byte(`back\slash`), nil, nil},
		{[]byte("3"), []byte(strings.Repeat("é", 70)), nil, []byte("x")},
		{[]byte(strings.Repeat("9", 150)), []byte("\x7f"), []byte(""), []byte("tab\there")},
	}
	a, b := NewAnalyzer(), NewAnalyzer()
	a.started, b.started = true, true
	for round := 0; round < 2; round++ { // the second RowDescription is the same bytes again
		raw := []byte(enc(t, desc))
		brief, whole := a.briefOf(s2c, raw), b.wholeOf(s2c, raw)
		fields, _ := brief.Detail()
		if brief.Summary != whole.Summary || !reflect.DeepEqual(fields, whole.Fields) {
			t.Errorf("RowDescription, round %d: brief %q %v, whole %q %v", round, brief.Summary, fields, whole.Summary, whole.Fields)
		}
		for _, values := range rows {
			raw := []byte(enc(t, &pgproto3.DataRow{Values: values}))
			brief, whole := a.briefOf(s2c, raw), b.wholeOf(s2c, raw)
			fields, _ := brief.Detail()
			if !brief.Deferred() || brief.Summary != whole.Summary || !reflect.DeepEqual(fields, whole.Fields) {
				t.Errorf("DataRow %q: brief %q %v, whole %q %v", values, brief.Summary, fields, whole.Summary, whole.Fields)
			}
		}
	}
}

// TestBriefBindIsTheWholeOne: a Bind framed briefly shows, when asked, its
// values decoded by the types its statement's Parse gave, as its whole
// decoding does, even after the statement was prepared again with others.
func TestBriefBindIsTheWholeOne(t *testing.T) {
	a, b := NewAnalyzer(), NewAnalyzer()
	a.started, b.started = true, true
	parse := func(oids ...uint32) []byte {
		return []byte(enc(t, &pgproto3.Parse{Name: "s", Query: "SELECT $1, $2", ParameterOIDs: oids}))
	}
	bind := []byte(enc(t, &pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1, 0},
		Parameters: [][]byte{{0, 0, 0, 42}, []byte("t")}}))
	var briefs, wholes []lab.Message
	for _, oids := range [][]uint32{{23, 16}, {25, 25}} {
		a.briefOf(c2s, parse(oids...))
		b.wholeOf(c2s, parse(oids...))
		briefs = append(briefs, a.briefOf(c2s, bind))
		wholes = append(wholes, b.wholeOf(c2s, bind))
	}
	for i := range briefs {
		fields, meaning := briefs[i].Detail()
		if !briefs[i].Deferred() || !reflect.DeepEqual(fields, wholes[i].Fields) || meaning != wholes[i].Meaning || briefs[i].Summary != wholes[i].Summary {
			t.Errorf("Bind %d: brief %q %v, whole %q %v", i, briefs[i].Summary, fields, wholes[i].Summary, wholes[i].Fields)
		}
	}
	if f, _ := briefs[0].Detail(); analyzertest.Field(lab.Message{Fields: f}, "$1") == analyzertest.Field(lab.Message{Fields: wholes[1].Fields}, "$1") {
		t.Errorf("the two Binds show $1 alike (%q): the types were not their statement's", analyzertest.Field(lab.Message{Fields: f}, "$1"))
	}
}
