package export_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/protocollab/protolab/labfile/export"
)

// TestJSONL: each line is what `protolab serve --json` prints for the event.
func TestJSONL(t *testing.T) {
	tb, convs, events, _ := capture(t)
	var out bytes.Buffer
	if err := export.JSONL(&out, convs, events); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<26)
	i := 0
	for ; sc.Scan(); i++ {
		if i >= len(events) {
			t.Fatalf("more lines than the %d events", len(events))
		}
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("line %d is not JSON: %s", i+1, sc.Bytes())
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.Encode(tb.hub.Record(events[i]))
		if got := sc.Text() + "\n"; got != want.String() {
			t.Errorf("line %d = %s, want %s", i+1, got, want.String())
		}
	}
	if i != len(events) {
		t.Errorf("%d lines, want %d", i, len(events))
	}
}
