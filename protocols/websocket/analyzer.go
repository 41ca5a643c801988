package websocket

import (
	"time"

	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
)

// Analyzer follows one connection that may become a WebSocket: HTTP/1.1 until a
// 101 Switching Protocols answers an upgrade request, then WebSocket frames. It is
// HTTP's analyzer whose table of layers holds WebSocket's (UpgradeLayer), so the
// handshake's two messages and every frame belong to Layer "ws"; other HTTP
// messages keep HTTP's layer. Like every lab.Analyzer it is used from one
// goroutine at a time.
type Analyzer struct {
	http   *httpproto.Analyzer
	asHTTP bool     // State reports HTTP's state (NewHTTPAnalyzer)
	ws     *session // the latest upgrade request's WebSocket
}

var (
	_ lab.ConnAnalyzer = (*Analyzer)(nil)
	_ lab.LayerUser    = (*Analyzer)(nil)
)

// NewAnalyzer returns the analyzer of the "ws" protocol's conversations: its
// State is the WebSocket's (CONNECTING, OPEN, CLOSING, CLOSED), and HTTP messages
// that are not part of a WebSocket handshake (a page fetched from the same port)
// are reported as Layer "http".
func NewAnalyzer() *Analyzer {
	a := &Analyzer{http: httpproto.NewAnalyzer()}
	a.UseLayers(lab.Layers{})
	return a
}

// NewHTTPAnalyzer returns an analyzer for the "http" protocol's conversations
// that reads WebSockets whatever its table of layers holds: it is HTTP's
// analyzer, with HTTP's states, whose upgraded connections go on as WebSocket
// frames in Layer "ws". A registry that holds the "ws" protocol (Protocol) gives
// plain HTTP the same.
func NewHTTPAnalyzer() *Analyzer {
	a := NewAnalyzer()
	a.asHTTP = true
	return a
}

// UseLayers gives HTTP the table, with WebSocket's own layer in front: the
// analyzer follows the state of the WebSockets it makes, and each of them finds
// its subprotocol's layer in t.
func (a *Analyzer) UseLayers(t lab.Layers) {
	l := UpgradeLayer()
	l.New = func() lab.Analyzer {
		a.ws = newSession()
		return a.ws
	}
	a.http.UseLayers(t.With(l))
}

// State is the WebSocket's state ("" before any upgrade request), or HTTP's for
// an analyzer made by NewHTTPAnalyzer.
func (a *Analyzer) State() string {
	if a.asHTTP {
		return a.http.State()
	}
	return a.WebSocketState()
}

// WebSocketState is the WebSocket's state whichever analyzer this is.
func (a *Analyzer) WebSocketState() string {
	if a.ws == nil {
		return ""
	}
	return a.ws.state.State()
}

// Pending is how many bytes the analyzer holds for dir.
func (a *Analyzer) Pending(dir lab.Dir) int { return a.http.Pending(dir) }

// Opened marks the connection open.
func (a *Analyzer) Opened(info lab.OpenInfo) []lab.Message { return a.http.Opened(info) }

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	return a.label(a.http.Feed(dir, b, at))
}

// Closed ends the connection's messages; a WebSocket still open becomes CLOSED.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	return a.label(a.http.Closed(info))
}

// label names HTTP's own messages' layer, "http", on the "ws" protocol's
// conversations, whose own layer is WebSocket's.
func (a *Analyzer) label(msgs []lab.Message) []lab.Message {
	if a.asHTTP {
		return msgs
	}
	for i := range msgs {
		if msgs[i].Layer == "" {
			msgs[i].Layer = "http"
		}
	}
	return msgs
}
