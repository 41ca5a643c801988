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
