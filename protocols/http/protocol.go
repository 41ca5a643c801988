package http

import "github.com/protocollab/protolab/lab"

// Name is the protocol's name in the registry.
const Name = "http"

// HTTPSName is the registry's name of HTTP over TLS, the lab's HTTPS server.
const HTTPSName = "https"

// DefaultPort is where the lab's HTTP server listens unless told otherwise.
const DefaultPort = 8080

// The states of one connection as HTTP/1.x uses it: one exchange at a time.
const (
	StateIdle     = "idle"     // open, no request under way: the next one may start
	StateRequest  = "request"  // a request is being sent or waits for its response
	StateResponse = "response" // a response is arriving
	StateSwitched = "switched" // 101 Switching Protocols or a CONNECT tunnel: no longer HTTP
	StateClosed   = "closed"   // the connection is over
)

var states = []string{StateIdle, StateRequest, StateResponse, StateSwitched, StateClosed}

var transitions = [][2]string{
	{StateIdle, StateRequest},
	{StateRequest, StateResponse},
	{StateRequest, StateIdle}, // the whole response arrived at once
	{StateResponse, StateIdle},
	{StateResponse, StateRequest}, // the next request was sent before this response ended
	{StateResponse, StateSwitched},
	{StateRequest, StateSwitched}, // a 101 response arrived at once
	{StateIdle, StateClosed},
	{StateRequest, StateClosed},
	{StateResponse, StateClosed},
	{StateSwitched, StateClosed},
}

// Protocol describes HTTP for the registry. It returns a new value on each call.
// NewServer is left nil: the app wires the server in. Its Transport is TCP, so the
// lab shows TCP's handshake and teardown beneath each HTTP conversation.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "HTTP",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About: "HTTP/1.x is text over one TCP connection: a request (method, target, headers, " +
			"maybe a body), then its response (status, headers, body). Watch how each message's " +
			"end is found, and how HTTP/1.0 opens a new connection per request while HTTP/1.1 " +
			"keeps one open for the next.",
		States:      append([]string(nil), states...),
		Transitions: append([][2]string(nil), transitions...),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "http", Ports: []uint16{80, 8080}},
		Layers:      []*lab.Layer{Layer()},
	}
}
