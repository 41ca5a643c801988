package websocket

import (
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
)

// UpgradeLayer is WebSocket as the layer (named Layer) HTTP/1.1 upgrades to:
// reached by the Upgrade token "websocket" (RFC 6455 §4), it reads the opening
// handshake HTTP shows it and then the frames; with a subprotocol the table of
// layers has a layer for (lab.Subprotocol), it feeds that layer the data
// frames' payloads.
func UpgradeLayer() *lab.Layer {
	return &lab.Layer{Name: Layer, ReachedBy: []lab.NextKey{lab.Upgrade("websocket")}, New: func() lab.Analyzer { return newSession() }}
}

// session is one WebSocket, from the request that asks for it: HTTP shows it the
// handshake (httpproto.Handshaker) and, after the 101, feeds it the frames.
type session struct {
	state  lab.Machine
	req    request // the request that asked for this WebSocket
	frames *frames // after the 101
	layers lab.Layers
	sub    lab.Nested // the subprotocol's layer, if the table has one
}

var (
	_ lab.ConnAnalyzer     = (*session)(nil)
	_ lab.LayerUser        = (*session)(nil)
	_ httpproto.Handshaker = (*session)(nil)
)

func newSession() *session { return &session{state: machine} }

func (s *session) UseLayers(t lab.Layers) { s.layers = t }

// State is the WebSocket's: CONNECTING once asked for, then OPEN, CLOSING, CLOSED.
func (s *session) State() string { return s.state.State() }

// UpgradeRequest makes the request that asks for this WebSocket the handshake's first step.
func (s *session) UpgradeRequest(m *lab.Message) {
	s.req = upgradeRequest(m)
	if s.req.ws {
		s.state.Start()
	}
}

// UpgradeResponse makes the response to it the second: the switch, with the
// frames to follow, or a refusal.
func (s *session) UpgradeResponse(m *lab.Message, status int) {
	upgradeResponse(m, s.req, status)
	// The response's message says where the WebSocket went (NextState); a
	// response to a request that was not an upgrade request, which left the
	// WebSocket in no state, takes it there all the same.
	if status != 101 {
		s.state.Set(StateClosed)
		return
	}
	s.frames = newFrames(s, strings.Contains(strings.ToLower(s.req.extensions), "permessage-deflate"))
	s.state.Set(StateOpen)
	if proto, _ := header(m, "Sec-WebSocket-Protocol"); proto != "" {
		s.sub.Layer, s.sub.Analyzer = s.layers.New(lab.Subprotocol(proto))
	}
}

// Feed reads the frames after the 101.
func (s *session) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if s.frames == nil {
		return nil
	}
	return s.frames.Feed(dir, b, at)
}

func (s *session) Opened(lab.OpenInfo) []lab.Message { return nil }

// Closed ends the WebSocket with the connection: its frames, or the handshake
// under way.
func (s *session) Closed(info lab.CloseInfo) []lab.Message {
	if s.frames != nil {
		out := s.frames.takeCarried(s.frames.Closed(info)) // a cut-short frame's
		return append(out, s.closeCarried(info)...)
	}
	if s.state.State() != StateConnecting {
		return nil
	}
	m := lab.Message{Dir: info.By.Outbound(), Summary: "connection closed during the WebSocket handshake",
		Meaning: "The connection ended before the server answered the upgrade request, so no WebSocket was opened.",
		Ref:     "RFC 6455 §4.1", Fields: []lab.Field{{Name: "closed by", Value: info.By.String() + " (" + info.How + ")"}},
		Teardown: true, Observed: true, Layer: Layer}
	s.state.Move(&m, StateClosed)
	return []lab.Message{m}
}

// Pending is how many bytes the frames hold for dir.
func (s *session) Pending(dir lab.Dir) int {
	if s.frames == nil {
		return 0
	}
	return s.frames.Pending(dir)
}
