package websocket

import (
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
)

// maxRequests bounds the requests whose responses the analyzer waits for, as
// HTTP's analyzer bounds its pipeline.
const maxRequests = 1024

// Analyzer follows one connection that may become a WebSocket: HTTP/1.1 until a
// 101 Switching Protocols answers an upgrade request, then WebSocket frames. The
// handshake's two messages and every frame belong to Layer "ws"; other HTTP
// messages keep HTTP's layer. Like every lab.Analyzer it is used from one
// goroutine at a time.
type Analyzer struct {
	http   *httpproto.Analyzer
	asHTTP bool      // State reports HTTP's state (NewHTTPAnalyzer)
	state  string    // the WebSocket's state
	reqs   []request // requests waiting for their responses, oldest first
	frames *frames   // after the 101
}

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// NewAnalyzer returns the analyzer of the "ws" protocol's conversations: its
// State is the WebSocket's (CONNECTING, OPEN, CLOSING, CLOSED), and HTTP messages
// that are not part of a WebSocket handshake (a page fetched from the same port)
// are reported as Layer "http".
func NewAnalyzer() *Analyzer {
	a := &Analyzer{}
	a.http = httpproto.NewAnalyzerWith(httpproto.Options{Upgrade: a.upgrade})
	return a
}

// NewHTTPAnalyzer returns an analyzer for the "http" protocol's conversations
// that also reads WebSockets: it is HTTP's analyzer, with HTTP's states, whose
// upgraded connections go on as WebSocket frames in Layer "ws" (the ws layer's
// state moves with them). Register it as the "http" Protocol's NewAnalyzer.
func NewHTTPAnalyzer() *Analyzer {
	a := NewAnalyzer()
	a.asHTTP = true
	return a
}

// State is the WebSocket's state ("" before any upgrade request), or HTTP's for
// an analyzer made by NewHTTPAnalyzer.
func (a *Analyzer) State() string {
	if a.asHTTP {
		return a.http.State()
	}
	return a.state
}

// WebSocketState is the WebSocket's state whichever analyzer this is.
func (a *Analyzer) WebSocketState() string { return a.state }

// Pending is how many bytes the analyzer holds for dir.
func (a *Analyzer) Pending(dir lab.Dir) int { return a.http.Pending(dir) }

// Opened marks the connection open.
func (a *Analyzer) Opened(info lab.OpenInfo) []lab.Message { return a.http.Opened(info) }

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	return a.annotate(a.http.Feed(dir, b, at))
}

// Closed ends the connection's messages; a WebSocket still open becomes CLOSED.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	out := a.annotate(a.http.Closed(info))
	if a.state == StateConnecting && a.frames == nil {
		a.state = StateClosed
		out = append(out, lab.Message{Dir: info.By.Outbound(), Summary: "connection closed during the WebSocket handshake",
			Meaning: "The connection ended before the server answered the upgrade request, so no WebSocket was opened.",
			Ref:     "RFC 6455 §4.1", Fields: []lab.Field{{Name: "closed by", Value: info.By.String() + " (" + info.How + ")"}},
			Teardown: true, Observed: true, Layer: Layer, NextState: StateClosed})
	}
	return out
}

// upgrade is HTTP's hook: it is called as the 101 ends, before the bytes after it
// are fed, and gives the analyzer of the frames.
func (a *Analyzer) upgrade(protocol string) lab.Analyzer {
	if !hasToken(protocol, "websocket") {
		return nil
	}
	deflate := len(a.reqs) > 0 && strings.Contains(strings.ToLower(a.reqs[0].extensions), "permessage-deflate")
	a.frames = newFrames(a, deflate)
	a.state = StateOpen
	return a.frames
}

// annotate turns HTTP's messages of a WebSocket handshake into the handshake's
// steps and tracks the WebSocket's state.
func (a *Analyzer) annotate(msgs []lab.Message) []lab.Message {
	for i := range msgs {
		m := &msgs[i]
		if m.Layer == Layer {
			continue // a frame
		}
		switch {
		case m.Dir == lab.ClientToServer && field(m, "request line") != "":
			r := upgradeRequest(m)
			if len(a.reqs) < maxRequests {
				a.reqs = append(a.reqs, r)
			}
			if r.ws && a.frames == nil {
				a.state = StateConnecting
			}
		case m.Dir == lab.ServerToClient && field(m, "status line") != "":
			status := statusOf(m)
			if status >= 100 && status < 200 && status != 101 {
				break // an interim response: the final one is still to come
			}
			var r request
			if len(a.reqs) > 0 {
				r = a.reqs[0]
				a.reqs = a.reqs[1:]
			}
			up, _ := header(m, "Upgrade")
			if r.ws || (status == 101 && hasToken(up, "websocket")) {
				upgradeResponse(m, r, status)
				if status != 101 && a.frames == nil {
					a.state = StateClosed
				}
			}
		}
		if m.Layer == "" && !a.asHTTP {
			m.Layer = "http"
		}
	}
	return msgs
}
