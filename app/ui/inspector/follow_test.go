package inspector

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// brokerProtocols are two made-up protocols of one broker: "toymq" marks QoS 2
// exchanges, "toynats" none.
func brokerProtocols() *lab.Registry {
	reg := &lab.Registry{}
	session := []string{"connecting", "connected", "disconnected"}
	moves := [][2]string{{"", "connecting"}, {"connecting", "connected"}, {"connected", "disconnected"}}
	reg.Register(&lab.Protocol{Name: "toymq", Transport: "tcp", States: session, Transitions: moves,
		Exchanges: map[string]lab.ExchangeKind{
			"qos2": {Title: "QoS 2 delivery", States: []string{"published", "received", "released", "complete"},
				Transitions: [][2]string{{"", "published"}, {"published", "received"}, {"received", "released"}, {"released", "complete"}}},
			"qos1": {Title: "QoS 1 delivery", States: []string{"published", "acknowledged"},
				Transitions: [][2]string{{"", "published"}, {"published", "acknowledged"}}},
		}})
	reg.Register(&lab.Protocol{Name: "toynats", Transport: "tcp", States: session, Transitions: moves})
	return reg
}

// brokerSession is a publisher (#1, toymq) whose QoS 2 PUBLISH is delivered to a
// toymq subscriber (#2) and a toynats one (#3), then a QoS 1 PUBLISH of the same
// payload delivered to #2 only; the same payload published again starts anew.
func brokerSession(t testing.TB) (*lab.Hub, *lab.Registry) {
	reg := brokerProtocols()
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	t0 := time.Now()
	at := func(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }
	pub := &lab.Publication{Subject: "lab.sensors.t1", Digest: lab.PayloadDigest([]byte("21.5")), Size: 4}
	msg := func(conv lab.ConvID, ms float64, layer string, dir lab.Dir, summary string, p *lab.Publication, x *lab.Exchange) lab.Event {
		return lab.Event{Conv: conv, At: at(ms), Kind: lab.KindMessage, Dir: dir, Layer: layer,
			Msg: &lab.Message{Dir: dir, Summary: summary, Observed: true, Pub: p, Exchange: x}}
	}
	state := func(conv lab.ConvID, ms float64, layer, to string) lab.Event {
		return lab.Event{Conv: conv, At: at(ms), Kind: lab.KindState, Layer: layer, To: to}
	}
	qos2 := func(s string) *lab.Exchange { return &lab.Exchange{Kind: "qos2", ID: "client 7", State: s} }
	qos1 := func(s string) *lab.Exchange { return &lab.Exchange{Kind: "qos1", ID: "client 8", State: s} }
	c2s, s2c := lab.ClientToServer, lab.ServerToClient
	convs := []lab.ConvInfo{
		{ID: 1, Protocol: "toymq", Transport: "tcp", Client: "127.0.0.1:50001", Server: "127.0.0.1:1883", Start: t0, End: at(20), Last: at(20)},
		{ID: 2, Protocol: "toymq", Transport: "tcp", Client: "127.0.0.1:50002", Server: "127.0.0.1:1883", Start: t0, End: at(20), Last: at(20)},
		{ID: 3, Protocol: "toynats", Transport: "tcp", Client: "127.0.0.1:50003", Server: "127.0.0.1:4222", Start: t0, End: at(20), Last: at(20)},
	}
	events := []lab.Event{
		msg(1, 0.5, "toymq", c2s, "CONNECT", nil, nil), state(1, 0.5, "toymq", "connecting"),
		msg(1, 0.6, "toymq", s2c, "CONNACK", nil, nil), state(1, 0.6, "toymq", "connected"),
		msg(1, 1, "toymq", c2s, "PUBLISH lab/sensors/t1 qos 2 id 7", pub, qos2("published")),
		msg(1, 2, "toymq", s2c, "PUBREC 7", nil, qos2("received")),
		msg(2, 2.5, "toymq", s2c, "PUBLISH lab/sensors/t1 qos 0", pub, nil),
		msg(1, 3, "toymq", c2s, "PUBREL 7", nil, qos2("released")),
		msg(3, 3.2, "toynats", s2c, "MSG lab.sensors.t1 1 4", pub, nil),
		msg(1, 4, "toymq", s2c, "PUBCOMP 7", nil, qos2("complete")),
		msg(1, 10, "toymq", c2s, "PUBLISH lab/sensors/t1 qos 1 id 8", pub, qos1("published")),
		msg(1, 11, "toymq", s2c, "PUBACK 8", nil, qos1("acknowledged")),
		msg(2, 11.5, "toymq", s2c, "PUBLISH lab/sensors/t1 qos 0", pub, nil),
		msg(1, 12, "toymq", c2s, "PINGREQ", nil, nil),
	}
	if err := h.Import(convs, events); err != nil {
		t.Fatal(err)
	}
	return h, reg
}

// rowOf returns the row of the shown conversation whose summary is summary.
func rowOf(t *testing.T, in *Inspector, summary string) int {
	t.Helper()
	for i := range in.rows() {
		if e := in.row(i); e.Msg != nil && e.Msg.Summary == summary {
			return i
		}
	}
	t.Fatalf("conversation #%d has no row %q", in.shown, summary)
	return -1
}

// brokerLinks returns the broker view's lines: links and notes.
func brokerLinks(in *Inspector) (links []*widget.Hyperlink, lines []string) {
	for _, o := range in.detail.broker.links.Objects {
		switch x := o.(type) {
		case *widget.Hyperlink:
			links = append(links, x)
			lines = append(lines, x.Text)
		case *widget.Label:
			lines = append(lines, x.Text)
		}
	}
	return links, lines
}

// tapLink taps the middle of a link's text, as a person does.
func tapLink(t *testing.T, l *widget.Hyperlink) {
	t.Helper()
	sz := l.Size()
	if sz.Width < 20 || sz.Height < 10 {
		t.Fatalf("link %q is %v: not laid out to be tapped", l.Text, sz)
	}
	test.TapAt(l, fyne.NewPos(sz.Width/4, sz.Height/2))
}

func TestInspectorFollowsAPublicationThroughTheBroker(t *testing.T) {
	h, reg := brokerSession(t)
	in := newTestInspector(t, h, reg)
	in.Update()
	in.Select(1)
	b := in.detail.broker
	if b.obj.Visible() {
		t.Error("the broker view shows with no message selected")
	}
	in.SelectRow(rowOf(t, in, "PUBLISH lab/sensors/t1 qos 2 id 7"))
	if !b.obj.Visible() || !strings.Contains(b.text.Text, "delivered 2 times") {
		t.Fatalf("broker view (shown %v) says %q, want 2 deliveries", b.obj.Visible(), b.text.Text)
	}
	links, lines := brokerLinks(in)
	if len(links) != 2 {
		t.Fatalf("broker view lines %q, want 2 links", lines)
	}
	if !strings.HasPrefix(lines[0], "#2 TOYMQ · client 127.0.0.1:50002 · ") || strings.Contains(lines[0], "crossed") {
		t.Errorf("first delivery = %q, want #2 over TOYMQ, not crossed", lines[0])
	}
	if !strings.HasPrefix(lines[1], "#3 TOYNATS · client 127.0.0.1:50003 · ") || !strings.HasSuffix(lines[1], "(+2.200 ms) · crossed from TOYMQ to TOYNATS") {
		t.Errorf("second delivery = %q, want #3 over TOYNATS, 2.2 ms later, crossed from TOYMQ", lines[1])
	}

	// Tapping the NATS delivery selects its conversation and message.
	tapLink(t, links[1])
	if in.Selected() != 3 {
		t.Fatalf("after the tap conversation #%d is shown, want #3", in.Selected())
	}
	if e, ok := in.SelectedRow(); !ok || e.Msg.Summary != "MSG lab.sensors.t1 1 4" {
		t.Fatalf("after the tap the row selected is %+v (%v), want the MSG", e.Msg, ok)
	}
	if in.msgs.sel != in.selMsg || in.seq.Selected() != in.selMsg {
		t.Errorf("list selects %d, diagram %d, want both %d", in.msgs.sel, in.seq.Selected(), in.selMsg)
	}
	links, lines = brokerLinks(in)
	if !strings.HasPrefix(b.text.Text, "Delivered from lab.sensors.t1 (4 bytes)") || len(links) != 2 {
		t.Fatalf("the delivery's broker view says %q, %q; want its source and its sibling", b.text.Text, lines)
	}
	want := []string{"#1 TOYMQ · client 127.0.0.1:50001", "Crossed from TOYMQ to TOYNATS.", "One of the 2 deliveries of that publication; the others:", "#2 TOYMQ · client 127.0.0.1:50002"}
	if len(lines) != len(want) {
		t.Fatalf("lines %q, want %q", lines, want)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want it to begin %q", i, lines[i], w)
		}
	}
	// And back to the publication: the QoS 2 one, not the QoS 1 one of the same payload.
	tapLink(t, links[0])
	if e, ok := in.SelectedRow(); !ok || in.Selected() != 1 || e.Msg.Summary != "PUBLISH lab/sensors/t1 qos 2 id 7" {
		t.Fatalf("after the tap #%d row %+v is selected, want #1's QoS 2 PUBLISH", in.Selected(), e.Msg)
	}

	// The second publication of the same payload has its own delivery.
	in.SelectRow(rowOf(t, in, "PUBLISH lab/sensors/t1 qos 1 id 8"))
	if _, lines := brokerLinks(in); len(lines) != 1 || !strings.HasPrefix(lines[0], "#2 TOYMQ") || !strings.Contains(b.text.Text, "delivered 1 time:") {
		t.Errorf("the second publication's view says %q %q, want one delivery to #2", b.text.Text, lines)
	}
	in.SelectRow(rowOf(t, in, "PINGREQ"))
	if b.obj.Visible() {
		t.Error("the broker view shows for a message that carries no publication")
	}
}

func TestInspectorShowsAnExchangesOwnStates(t *testing.T) {
	h, reg := brokerSession(t)
	in := newTestInspector(t, h, reg)
	in.Update()
	in.Select(1)
	session := []string{"connecting", "connected", "disconnected"}
	if got := in.state.States(); !slices.Equal(got, session) || !strings.Contains(in.stateTitle.Text, "the session's") {
		t.Fatalf("state diagram %q titled %q, want the session's", got, in.stateTitle.Text)
	}
	for _, c := range []struct {
		row   string
		title string
		path  []string
	}{
		{"PUBLISH lab/sensors/t1 qos 2 id 7", "QoS 2 delivery, client 7", []string{"published"}},
		{"PUBREL 7", "QoS 2 delivery, client 7", []string{"published", "received", "released"}},
		{"PUBCOMP 7", "QoS 2 delivery, client 7", []string{"published", "received", "released", "complete"}},
		{"PUBACK 8", "QoS 1 delivery, client 8", []string{"published", "acknowledged"}},
		{"PINGREQ", "TOYMQ state", []string{"connecting", "connected"}},
		{"PUBREC 7", "QoS 2 delivery, client 7", []string{"published", "received"}},
		{"CONNACK", "TOYMQ state", []string{"connecting", "connected"}},
	} {
		in.SelectRow(rowOf(t, in, c.row))
		if !strings.Contains(in.stateTitle.Text, c.title) {
			t.Errorf("%s: state title %q, want it to name %q", c.row, in.stateTitle.Text, c.title)
		}
		if got := in.state.Path(); !slices.Equal(got, c.path) {
			t.Errorf("%s: path %q, want %q", c.row, got, c.path)
		}
		if got := in.state.States(); c.title == "TOYMQ state" && !slices.Equal(got, session) {
			t.Errorf("%s: states %q, want the session's %q", c.row, got, session)
		}
	}
	in.SelectRow(-1)
	if got := in.state.States(); !slices.Equal(got, session) {
		t.Errorf("with no message selected the states are %q, want the session's", got)
	}

	// The sequence diagram places each message of an exchange in it.
	var marks []string
	for i := range in.seq.ArrowCount() {
		if x := in.seq.ArrowAt(i).Exchange; x != nil {
			marks = append(marks, x.Title+" "+x.State)
			if x.Begins != (x.State == "published") || x.Ends != (x.State == "complete" || x.State == "acknowledged") {
				t.Errorf("arrow %d: %+v begins or ends wrongly", i, x)
			}
		}
	}
	want := []string{"QoS 2 delivery published", "QoS 2 delivery received", "QoS 2 delivery released", "QoS 2 delivery complete",
		"QoS 1 delivery published", "QoS 1 delivery acknowledged"}
	if !slices.Equal(marks, want) {
		t.Errorf("the diagram's exchanges %q, want %q", marks, want)
	}
}

func TestInspectorFollowsDeliveriesAnalyzedLater(t *testing.T) {
	h, reg := brokerSession(t)
	in := newTestInspector(t, h, reg)
	in.Update()
	in.Select(1)
	row := rowOf(t, in, "PUBLISH lab/sensors/t1 qos 1 id 8")
	in.SelectRow(row)
	if _, lines := brokerLinks(in); len(lines) != 1 {
		t.Fatalf("deliveries %q, want 1", lines)
	}
	// Another subscriber's delivery is analyzed after the publication was selected.
	pub := in.row(row)
	h.Publish(lab.Event{Conv: 3, At: pub.At.Add(2 * time.Millisecond), Kind: lab.KindMessage, Dir: lab.ServerToClient, Layer: "toynats",
		Msg: &lab.Message{Dir: lab.ServerToClient, Summary: "MSG lab.sensors.t1 1 4", Pub: pub.Msg.Pub}})
	in.detail.broker.asked = time.Time{} // as if the tick had come
	in.Update()
	_, lines := brokerLinks(in)
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "#3 TOYNATS") {
		t.Errorf("after a late delivery: %q, want #2's and then #3's", lines)
	}
	if e, ok := in.SelectedRow(); !ok || e.Seq != pub.Seq {
		t.Errorf("the selection moved to %+v", e)
	}
}

// TestInspectorFollowsABurst: a burst (several publications in one message)
// is followed for each of its publications, to every message that delivered
// one of them, and from a burst of deliveries back to every publication.
func TestInspectorFollowsABurst(t *testing.T) {
	reg := brokerProtocols()
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	t0 := time.Now()
	at := func(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }
	pub := func(payloads ...string) *lab.Publication {
		p := &lab.Publication{Subject: "lab.t1", Digest: lab.PayloadDigest([]byte(payloads[0]))}
		for i, s := range payloads {
			if i > 0 {
				p.Burst = append(p.Burst, lab.PayloadDigest([]byte(s)))
			}
			p.Size += len(s)
		}
		return p
	}
	msg := func(conv lab.ConvID, ms float64, dir lab.Dir, summary string, p *lab.Publication) lab.Event {
		return lab.Event{Conv: conv, At: at(ms), Kind: lab.KindMessage, Dir: dir, Layer: "toynats",
			Msg: &lab.Message{Dir: dir, Summary: summary, Observed: true, Pub: p}}
	}
	conv := func(id lab.ConvID, port string) lab.ConvInfo {
		return lab.ConvInfo{ID: id, Protocol: "toynats", Transport: "tcp", Client: "127.0.0.1:" + port, Server: "127.0.0.1:4222", Start: t0, End: at(20), Last: at(20)}
	}
	c2s, s2c := lab.ClientToServer, lab.ServerToClient
	err := h.Import([]lab.ConvInfo{conv(1, "50001"), conv(2, "50002"), conv(3, "50003")}, []lab.Event{
		msg(1, 1, c2s, "PUB lab.t1: a", pub("a")),
		msg(1, 2, c2s, "PUB ×3 lab.t1", pub("b", "c", "d")),
		msg(2, 3, s2c, "MSG ×4 lab.t1 sid 1", pub("a", "b", "c", "d")),
		msg(3, 3, s2c, "MSG ×2 lab.t1 sid 1", pub("b", "c")),
		msg(3, 4, s2c, "MSG lab.t1 sid 1: d", pub("d")),
	})
	if err != nil {
		t.Fatal(err)
	}
	in := newTestInspector(t, h, reg)
	in.Update()
	b := in.detail.broker
	check := func(conv lab.ConvID, row, text string, want ...string) {
		t.Helper()
		in.Select(conv)
		in.SelectRow(rowOf(t, in, row))
		_, lines := brokerLinks(in)
		ok := b.obj.Visible() && b.text.Text == text && len(lines) == len(want)
		for i := 0; ok && i < len(want); i++ {
			ok = strings.HasPrefix(lines[i], want[i])
		}
		if !ok {
			t.Errorf("%s: the broker view says %q %q; want %q %q", row, b.text.Text, lines, text, want)
		}
	}
	check(1, "PUB ×3 lab.t1", "Published to lab.t1 (3 messages, 3 bytes in all), a burst; its messages were delivered in 3 messages:",
		"#2 TOYNATS", "#3 TOYNATS", "#3 TOYNATS")
	check(2, "MSG ×4 lab.t1 sid 1", "Delivered from lab.t1 (4 messages, 4 bytes in all), a burst. They came from:",
		"#1 TOYNATS", "#1 TOYNATS", "The same publications were delivered in these too:", "#3 TOYNATS", "#3 TOYNATS")
	check(3, "MSG lab.t1 sid 1: d", "Delivered from lab.t1 (1 byte). It came from:",
		"#1 TOYNATS", "One of the 2 deliveries of that publication; the others:", "#2 TOYNATS")
	check(1, "PUB lab.t1: a", "Published to lab.t1 (1 byte) and delivered 1 time:", "#2 TOYNATS")
}
