package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// BenchmarkScrollFrame100k measures one frame of scrolling a sequence diagram
// of 100,000 arrows: the offset moves and the rows now in view are drawn (aim:
// well under a 16 ms frame).
func BenchmarkScrollFrame100k(b *testing.B) {
	test.NewTempApp(b)
	d := NewSequenceDiagram()
	d.SetLanes([]string{"client", "server"})
	d.SetArrows(manyArrows(100_000))
	showIn(b, d, 700, 600)
	r := test.WidgetRenderer(d.body).(*sequenceBodyRenderer) //nolint:staticcheck // a benchmark has no *testing.T
	total := d.body.MinSize().Height - d.scroll.Size().Height
	i := 0
	for b.Loop() {
		i = (i + 7919) % 1000
		d.scroll.Offset = fyne.NewPos(0, total*float32(i)/1000)
		r.draw()
	}
	if first, _ := d.body.visibleRows(); first == 0 && i != 0 {
		b.Fatal("the frames drew the top of the diagram only")
	}
}
