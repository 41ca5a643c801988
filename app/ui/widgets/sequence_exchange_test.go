package widgets

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// qosArrows are two QoS 2 deliveries interleaved (ids 7 and 8), a ping, a QoS 1
// delivery, and a QoS 2 delivery that reuses id 7.
func qosArrows() []Arrow {
	x := func(kind, id, state string, begins, ends bool) *ArrowExchange {
		title := map[string]string{"qos1": "QoS 1 delivery", "qos2": "QoS 2 delivery"}[kind]
		return &ArrowExchange{Kind: kind, ID: id, Title: title, State: state, Begins: begins, Ends: ends}
	}
	return []Arrow{
		{From: 0, To: 1, Label: "CONNECT"},
		{From: 0, To: 1, Label: "PUBLISH 7", Exchange: x("qos2", "7", "published", true, false)},
		{From: 0, To: 1, Label: "PUBLISH 8", Exchange: x("qos2", "8", "published", true, false)},
		{From: 1, To: 0, Label: "PUBREC 7", Exchange: x("qos2", "7", "received", false, false)},
		{From: 1, To: 0, Label: "PUBREC 8", Exchange: x("qos2", "8", "received", false, false)},
		{From: 0, To: 1, Label: "PUBREL 7", Exchange: x("qos2", "7", "released", false, false)},
		{From: 1, To: 0, Label: "PUBCOMP 7", Exchange: x("qos2", "7", "complete", false, true)},
		{From: 0, To: 1, Label: "PUBREL 8", Exchange: x("qos2", "8", "released", false, false)},
		{From: 1, To: 0, Label: "PUBCOMP 8", Exchange: x("qos2", "8", "complete", false, true)},
		{From: 0, To: 1, Label: "PINGREQ"},
		{From: 0, To: 1, Label: "PUBLISH 9", Exchange: x("qos1", "9", "published", true, false)},
		{From: 1, To: 0, Label: "PUBACK 9", Exchange: x("qos1", "9", "acknowledged", false, true)},
		{From: 0, To: 1, Label: "PUBLISH 7", Exchange: x("qos2", "7", "published", true, false)},
	}
}

func TestSequenceDiagramBracketsExchanges(t *testing.T) {
	test.NewTempApp(t)
	d := NewSequenceDiagram()
	d.SetArrows(qosArrows())
	showIn(t, d, 700, 600)

	type span struct{ first, last, col int }
	var got []span
	for _, s := range d.ex.spans {
		got = append(got, span{s.first, s.last, s.col})
	}
	// 7 and 8 overlap, so their brackets stand apart; 9 and the second 7 begin
	// after both ended, in the first column again.
	want := []span{{1, 6, 0}, {2, 8, 1}, {10, 11, 0}, {12, 12, 0}}
	if !slices.Equal(got, want) {
		t.Errorf("exchanges (first, last, column) = %v, want %v", got, want)
	}

	texts := visibleTexts(d)
	for _, w := range []string{"QoS 2 delivery", "QoS 1 delivery", "received", "released", "complete", "acknowledged"} {
		if !slices.Contains(texts, w) {
			t.Errorf("no %q drawn beside the exchanges (texts %q)", w, texts)
		}
	}
	if n := count(texts, "QoS 2 delivery"); n != 3 {
		t.Errorf("QoS 2's title drawn %d times, want once per exchange (3)", n)
	}

	// Each kind has its colour: a band of each behind its arrows, and QoS 1's
	// is not QoS 2's.
	r := test.TempWidgetRenderer(t, d.body).(*sequenceBodyRenderer)
	q1, q2 := exAccent("qos1").tone(d), exAccent("qos2").tone(d)
	if sameColor(q1, q2) {
		t.Fatal("QoS 1 and QoS 2 exchanges share a colour")
	}
	bands := map[bool]int{}
	for _, b := range r.highlights.items {
		if b.Visible() {
			bands[sameColor(b.FillColor, withAlpha(q1, 0x30))]++
		}
	}
	if bands[true] != 2 || bands[false] != 9 {
		t.Errorf("bands: %d of QoS 1, %d others; want 2 and 9 (QoS 2's)", bands[true], bands[false])
	}
	brackets := 0
	for _, l := range r.shafts.items {
		if l.Visible() && l.Position1.X == l.Position2.X && (sameColor(l.StrokeColor, q1) || sameColor(l.StrokeColor, q2)) {
			brackets++
		}
	}
	if brackets != 4 {
		t.Errorf("%d brackets drawn, want 4", brackets)
	}

	// In a narrow diagram the lanes make room right of them for the brackets
	// and titles, and take it back when no exchange is left.
	d.Resize(fyne.NewSize(360, 600))
	r.Refresh()
	withEx := r.xs[len(r.xs)-1]
	if room := r.size.Width - withEx; room < exRoom-0.5 {
		t.Errorf("%v right of the last lane, want %v", room, float32(exRoom))
	}
	d.SetArrows(tcpArrows)
	r.Refresh()
	if without := r.xs[len(r.xs)-1]; without <= withEx {
		t.Errorf("last lane at %v without exchanges, %v with: want it further right without", without, withEx)
	}
	if len(d.ex.spans) != 0 || d.ex.of != nil {
		t.Error("exchanges kept after SetArrows without any")
	}
}

func TestSequenceDiagramAppendsToExchanges(t *testing.T) {
	test.NewTempApp(t)
	d := NewSequenceDiagram()
	showIn(t, d, 700, 600)
	all := qosArrows()
	for _, a := range all {
		d.Append(a)
	}
	whole := NewSequenceDiagram()
	whole.SetArrows(all)
	if !slices.Equal(d.ex.spans, whole.ex.spans) {
		t.Errorf("appended one by one: %v; set at once: %v", d.ex.spans, whole.ex.spans)
	}
}

func count(texts []string, s string) int {
	n := 0
	for _, t := range texts {
		if t == s {
			n++
		}
	}
	return n
}
