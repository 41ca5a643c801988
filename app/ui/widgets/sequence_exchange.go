package widgets

import (
	"hash/fnv"
	"image/color"
	"slices"
	"sort"
)

// ArrowExchange places an arrow in a small exchange of its own inside the
// conversation, with states of its own (an MQTT QoS 2 delivery: PUBLISH, PUBREC,
// PUBREL, PUBCOMP). The diagram shades the arrows of an exchange in its kind's
// colour and joins them with a bracket right of the lanes, titled with the kind
// at the exchange's first arrow and naming the state each arrow left it in.
type ArrowExchange struct {
	Kind   string // "qos2": exchanges of one kind share a colour
	ID     string // tells apart exchanges of the kind: "client 7"
	Title  string // for people, beside the exchange's first arrow: "QoS 2 delivery"
	State  string // the exchange's state after this arrow: "received"
	Begins bool   // the arrow begins a new exchange even if its ID was seen before (IDs are reused)
	Ends   bool   // the arrow ends its exchange (its state is the last)
}

// exSpan is one exchange drawn: the rows from its first arrow to its last.
type exSpan struct {
	kind, title string
	first, last int
	col         int // its bracket's column, so that overlapping exchanges do not share one
}

// exchanges indexes the diagram's exchanges as arrows are set and appended.
type exchanges struct {
	spans   []exSpan       // in the order of their first rows
	of      map[int]int    // arrow → its exchange in spans
	open    map[string]int // kind and ID → the latest exchange of them
	running []int          // exchanges not ended, the newest last (at most maxRunning)
	longest int            // rows of the longest exchange, to find those in view
}

// maxRunning bounds the exchanges remembered as running: one whose end was not
// seen is forgotten when newer ones push it out.
const maxRunning = 16

// any reports whether the diagram has an exchange.
func (x *exchanges) any() bool { return len(x.spans) > 0 }

func (x *exchanges) reset() {
	x.spans, x.of, x.open, x.running, x.longest = x.spans[:0], nil, nil, x.running[:0], 0
}

// add indexes arrow i, the diagram's last.
func (x *exchanges) add(i int, a *ArrowExchange) {
	if a == nil {
		return
	}
	if x.of == nil {
		x.of, x.open = make(map[int]int), make(map[string]int)
	}
	key := a.Kind + "\x00" + a.ID
	s, ok := x.open[key]
	if !ok || a.Begins {
		s = len(x.spans)
		x.spans = append(x.spans, exSpan{kind: a.Kind, title: a.Title, first: i, last: i, col: x.freeCol()})
		x.open[key] = s
		if len(x.running) == maxRunning {
			x.running = append(x.running[:0], x.running[1:]...)
		}
		x.running = append(x.running, s)
	}
	x.spans[s].last = i
	x.of[i] = s
	x.longest = max(x.longest, i-x.spans[s].first+1)
	if a.Ends {
		x.running = slices.DeleteFunc(x.running, func(r int) bool { return r == s })
	}
}

// maxExCols bounds the bracket columns; more overlapping exchanges share them.
const maxExCols = 3

// freeCol is the first bracket column no running exchange holds.
func (x *exchanges) freeCol() int {
	var used [maxExCols]bool
	for _, r := range x.running {
		used[x.spans[r].col] = true
	}
	for c, u := range used {
		if !u {
			return c
		}
	}
	return len(x.spans) % maxExCols
}

// inView calls visit with each exchange that has a row in [first, end).
func (x *exchanges) inView(first, end int, visit func(s *exSpan)) {
	// Spans are in the order of their first rows, and none is longer than longest.
	j := sort.Search(len(x.spans), func(j int) bool { return x.spans[j].first >= first-x.longest })
	for ; j < len(x.spans) && x.spans[j].first < end; j++ {
		if x.spans[j].last >= first {
			visit(&x.spans[j])
		}
	}
}

// exAccents colour the kinds of exchange, chosen by the kind's name.
var exAccents = []accent{
	{onDark: rgb(0x2d, 0xd4, 0xbf), onLight: rgb(0x0f, 0x76, 0x6e)}, // teal
	{onDark: rgb(0xf4, 0x72, 0xb6), onLight: rgb(0xbe, 0x18, 0x5d)}, // pink
	{onDark: rgb(0x86, 0xef, 0xac), onLight: rgb(0x15, 0x80, 0x3d)}, // green
	{onDark: rgb(0x7d, 0xd3, 0xfc), onLight: rgb(0x03, 0x69, 0xa1)}, // sky
}

// exAccent is the colour of exchanges of kind.
func exAccent(kind string) accent {
	h := fnv.New32a()
	h.Write([]byte(kind))
	return exAccents[h.Sum32()%uint32(len(exAccents))]
}

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{r, g, b, 0xff} }
