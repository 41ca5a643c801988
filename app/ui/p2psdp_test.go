package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// sdpViewOffer is a short offer: what the view shows of each kind of line.
const sdpViewOffer = "v=0\r\n" +
	"a=fingerprint:sha-256 0F:74:31:25\r\n" +
	"a=candidate:1 1 udp 2130706431 127.0.0.1 40001 typ host\r\n" +
	"a=candidate:2 1 udp 1694498815 127.0.0.1 40001 typ srflx raddr 127.0.0.1 rport 40001\r\n" +
	"a=x-something-new\r\n"

// sdpRow is the code and the meaning a row of a column shows.
func sdpRow(t *testing.T, c *p2pSDPColumn, i int) (code, meaning *widget.Label) {
	t.Helper()
	row := c.lines.Objects[i].(*fyne.Container).Objects
	return row[0].(*widget.Label), row[1].(*widget.Label)
}

// TestP2PSDPView: the view shows each line of a description under the
// candidates in short, coloured by its topic, with its meaning and its
// reference; a new description replaces the old one, none says so.
func TestP2PSDPView(t *testing.T) {
	test.NewTempApp(t)
	v := newP2PSDPView()
	v.show(sdpViewOffer, "")

	if got, want := v.offer.cands.Text, "Candidates: host 127.0.0.1:40001, srflx 127.0.0.1:40001"; got != want {
		t.Errorf("the offer's candidates say %q, want %q", got, want)
	}
	if got := v.answer.cands.Text; !strings.Contains(got, "No description yet") {
		t.Errorf("the answer's candidates say %q, want no description yet", got)
	}
	lines := strings.Split(strings.TrimSuffix(sdpViewOffer, "\r\n"), "\r\n")
	if got := len(v.offer.lines.Objects); got != len(lines) {
		t.Fatalf("%d rows, want %d", got, len(lines))
	}
	for i, want := range []struct {
		importance widget.Importance
		meaning    string // the meaning's label says it
		ref        string // and ends with this reference ("": none)
	}{
		{widget.MediumImportance, "version 0", "RFC 8866 §5.1"},
		{widget.WarningImportance, "DTLS fingerprint", "RFC 8122 §5"},
		{widget.SuccessImportance, "the peer's own address", "RFC 8839 §5.1"},
		{widget.SuccessImportance, "server-reflexive", "RFC 8839 §5.1"},
		{widget.MediumImportance, "does not explain", ""},
	} {
		code, meaning := sdpRow(t, v.offer, i)
		if code.Text != lines[i] || code.Importance != want.importance || !code.TextStyle.Monospace {
			t.Errorf("row %d shows %q (importance %v), want %q in monospace (importance %v)", i, code.Text, code.Importance, lines[i], want.importance)
		}
		hasRef := strings.HasSuffix(meaning.Text, " ("+want.ref+")")
		if want.ref == "" {
			hasRef = !strings.Contains(meaning.Text, "(RFC")
		}
		if !strings.Contains(meaning.Text, want.meaning) || !hasRef {
			t.Errorf("row %d's meaning %q, want it to say %q with the reference %q", i, meaning.Text, want.meaning, want.ref)
		}
	}

	// The same description again keeps its rows; another replaces them.
	first := v.offer.lines.Objects[0]
	v.show(sdpViewOffer, "")
	if v.offer.lines.Objects[0] != first {
		t.Error("showing the same offer again built its rows anew")
	}
	v.show("garbage", sdpViewOffer)
	if got := len(v.offer.lines.Objects); got != 1 || v.offer.cands.Text != "Candidates: —" {
		t.Errorf("a description the lab cannot read: %d rows, candidates %q; want 1 row and none", got, v.offer.cands.Text)
	}
	if got := len(v.answer.lines.Objects); got != len(lines) {
		t.Errorf("the answer has %d rows, want %d", got, len(lines))
	}
	v.show("", "")
	if len(v.offer.lines.Objects) != 0 || len(v.answer.lines.Objects) != 0 || !strings.Contains(v.offer.cands.Text, "No description yet") {
		t.Errorf("after a reset: %d and %d rows, candidates %q; want none", len(v.offer.lines.Objects), len(v.answer.lines.Objects), v.offer.cands.Text)
	}
}
