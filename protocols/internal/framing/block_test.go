package framing

import (
	"fmt"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// TestBlockKeepsEarlierMessages hands out slices Feed after Feed, some
// outgrowing the room left, and checks that no later slice overwrites an
// earlier one and that appending to a handed-out slice cannot either.
func TestBlockKeepsEarlierMessages(t *testing.T) {
	var k Block
	var kept [][]lab.Message
	n := 0
	for feed := range 200 {
		out := k.Start()
		drop := feed%5 == 0 // an analyzer that drops the first message it made
		if drop {
			out = append(out, lab.Message{Summary: "dropped"})
		}
		for range feed % 23 { // 0 to 22 messages, more than blockMin at times
			out = append(out, lab.Message{Summary: fmt.Sprint(n)})
			n++
		}
		if drop {
			out = out[1:]
		}
		out = k.Done(out)
		if len(out) == 0 && out != nil {
			t.Fatalf("feed %d: an empty non-nil slice", feed)
		}
		if len(out) > 0 {
			_ = append(out, lab.Message{Summary: "appended by a reader"})
		}
		kept = append(kept, out)
	}
	want := 0
	for feed, out := range kept {
		for _, m := range out {
			if m.Summary != fmt.Sprint(want) {
				t.Fatalf("feed %d: message %q, want %d", feed, m.Summary, want)
			}
			want++
		}
	}
	if want != n {
		t.Fatalf("%d messages kept, want %d", want, n)
	}
}
