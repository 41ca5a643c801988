package http

import (
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// recorder is an upgraded analyzer that reports each chunk it is fed.
type recorder struct {
	fed    []string
	closed bool
}

func (r *recorder) Feed(dir lab.Dir, b []byte, _ time.Time) []lab.Message {
	r.fed = append(r.fed, dir.Arrow()+string(b))
	return []lab.Message{{Dir: dir, Summary: "frame " + string(b), Layer: "ws"}}
}
func (r *recorder) State() string                      { return "" }
func (r *recorder) Opened(lab.OpenInfo) []lab.Message  { return nil }
func (r *recorder) Closed(lab.CloseInfo) []lab.Message { r.closed = true; return nil }

// TestUpgrade checks that the bytes after a 101 go to the analyzer of the layer
// the table has for the Upgrade token, in both directions, including those that
// arrived with the 101's head and those the client sent before the 101.
func TestUpgrade(t *testing.T) {
	var asked []string
	r := &recorder{}
	a := NewAnalyzer()
	a.UseLayers(lab.NewLayers(&lab.Layer{Name: "ws", ReachedBy: []lab.NextKey{lab.Upgrade("websocket")}, New: func() lab.Analyzer {
		asked = append(asked, "websocket")
		return r
	}}))
	var out []lab.Message
	out = append(out, a.Feed(c2s, []byte("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\nearly"), time.Time{})...)
	out = append(out, a.Feed(s2c, []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nfirst"), time.Time{})...)
	out = append(out, a.Feed(c2s, []byte("later"), time.Time{})...)
	out = append(out, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowRST})...)
	if got, want := strings.Join(asked, ","), "websocket"; got != want {
		t.Errorf("Upgrade asked for %q, want %q", got, want)
	}
	if got, want := strings.Join(r.fed, "|"), "→early|←first|→later"; got != want {
		t.Errorf("fed %q, want %q", got, want)
	}
	if got, want := strings.Join(summaries(out), "|"), "GET /ws HTTP/1.1|101 Switching Protocols|frame early|frame first|frame later"; got != want {
		t.Errorf("messages %q, want %q", got, want)
	}
	if !r.closed {
		t.Error("the upgraded analyzer was not told of the close")
	}
}

// shaker is an upgraded layer's analyzer that takes part in the handshake: it
// marks the request and the response HTTP shows it, and records the status.
type shaker struct {
	recorder
	name   string
	status []int
}

func (h *shaker) UpgradeRequest(m *lab.Message) { m.Summary += " [" + h.name + " asked]" }
func (h *shaker) UpgradeResponse(m *lab.Message, status int) {
	h.status = append(h.status, status)
	m.Summary += " [" + h.name + " answered]"
}

var handshakeTests = []struct {
	name  string
	steps []step
	want  string // the messages' summaries
	made  string // the layers made, by the order they were
	fed   string // what the last one made was fed
}{
	{"switch", []step{
		{c2s, "GET /a HTTP/1.1\r\nUpgrade: foo, bar/2\r\n\r\n"},
		{s2c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: bar/2\r\n\r\nx"},
	}, "GET /a HTTP/1.1 [bar asked]|100 Continue|101 Switching Protocols [bar answered]|frame x", "bar", "←x"},
	{"refused, then tried again", []step{
		{c2s, "GET /a HTTP/1.1\r\nUpgrade: bar/2\r\n\r\n"},
		{s2c, "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n"},
		{c2s, "GET /b HTTP/1.1\r\nUpgrade: BAR/2\r\n\r\n"},
		{s2c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: bar/2\r\n\r\n"},
		{c2s, "y"},
	}, "GET /a HTTP/1.1 [bar asked]|426 Upgrade Required (0 bytes) [bar answered]|GET /b HTTP/1.1 [bar asked]|101 Switching Protocols [bar answered]|frame y", "bar bar", "→y"},
	{"pipelined: the 101 answers the second request", []step{
		{c2s, "GET /page HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\nUpgrade: bar/2\r\n\r\n"},
		{s2c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: bar/2\r\n\r\n"},
	}, "GET /page HTTP/1.1|GET /a HTTP/1.1 [bar asked]|200 OK (0 bytes)|101 Switching Protocols [bar answered]", "bar", ""},
	{"a 101 nobody asked for", []step{
		{c2s, "GET /a HTTP/1.1\r\n\r\n"},
		{s2c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: bar/2\r\n\r\nz"},
	}, "GET /a HTTP/1.1|101 Switching Protocols [bar answered]|frame z", "bar", "←z"},
	{"a protocol the table lacks", []step{
		{c2s, "GET /a HTTP/1.1\r\nUpgrade: h2c\r\n\r\n"},
		{s2c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nPRI"},
	}, "GET /a HTTP/1.1|101 Switching Protocols", "", ""},
}

// TestUpgradeHandshake checks which layer HTTP makes for an Upgrade header, which
// response it pairs with which request, and that the layer sees both.
func TestUpgradeHandshake(t *testing.T) {
	for _, tt := range handshakeTests {
		var made []*shaker
		a := NewAnalyzer()
		a.UseLayers(lab.NewLayers(&lab.Layer{Name: "bar", ReachedBy: []lab.NextKey{lab.Upgrade("bar/2")}, New: func() lab.Analyzer {
			h := &shaker{name: "bar"}
			made = append(made, h)
			return h
		}}))
		var out []lab.Message
		for _, st := range tt.steps {
			out = append(out, a.Feed(st.dir, []byte(st.data), time.Time{})...)
		}
		if got := strings.Join(summaries(out), "|"); got != tt.want {
			t.Errorf("%s: messages\n%s\nwant\n%s", tt.name, got, tt.want)
		}
		var names []string
		fed := ""
		for _, h := range made {
			names = append(names, h.name)
			fed = strings.Join(h.fed, "|")
		}
		if got := strings.Join(names, " "); got != tt.made || fed != tt.fed {
			t.Errorf("%s: made %q fed %q, want %q fed %q", tt.name, got, fed, tt.made, tt.fed)
		}
	}
}

// TestUpgradeCutShort checks that a layer asked for is told when the connection
// ends before the answer.
func TestUpgradeCutShort(t *testing.T) {
	h := &shaker{name: "bar"}
	a := NewAnalyzer()
	a.UseLayers(lab.NewLayers(&lab.Layer{Name: "bar", ReachedBy: []lab.NextKey{lab.Upgrade("bar/2")}, New: func() lab.Analyzer { return h }}))
	a.Feed(c2s, []byte("GET /a HTTP/1.1\r\nUpgrade: bar/2\r\n\r\n"), time.Time{})
	a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})
	if !h.closed || len(h.status) != 0 {
		t.Errorf("closed %v, answered %v; want told of the close, never answered", h.closed, h.status)
	}
}
