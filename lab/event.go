package lab

import (
	"fmt"
	"time"
	"unsafe"
)

// ConvID identifies a conversation within one Hub. Zero means "none".
type ConvID uint64

// Kind says what an Event records.
type Kind uint8

// The kinds of event.
const (
	KindOpen      Kind = iota + 1 // a connection or flow began
	KindClose                     // one endpoint closed (FIN), reset (RST), or the flow went idle
	KindData                      // raw bytes seen by a tap
	KindMessage                   // an analyzer framed a message
	KindState                     // the session moved from one state to another
	KindHandshake                 // a handshake step (TCP, TLS, WebSocket upgrade, ...)
	KindFault                     // an injected fault
	KindError                     // an I/O error seen by a tap
)

var kindNames = [...]string{"", "open", "close", "data", "message", "state", "handshake", "fault", "error"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Dir is the direction of bytes or a message.
type Dir uint8

// The directions. DirNone is for events that have no direction (a state change).
const (
	DirNone Dir = iota
	ClientToServer
	ServerToClient
)

func (d Dir) String() string {
	switch d {
	case ClientToServer:
		return "c2s"
	case ServerToClient:
		return "s2c"
	}
	return ""
}

// Arrow is the direction as an arrow, client on the left: "→" or "←".
func (d Dir) Arrow() string {
	switch d {
	case ClientToServer:
		return "→"
	case ServerToClient:
		return "←"
	}
	return "·"
}

// Side says which end of a conversation a tap sits on.
type Side uint8

// The sides.
const (
	SideNone Side = iota
	SideClient
	SideServer
)

func (s Side) String() string {
	switch s {
	case SideClient:
		return "client"
	case SideServer:
		return "server"
	}
	return ""
}

// Outbound is the direction of bytes a tap on side s writes.
func (s Side) Outbound() Dir {
	if s == SideServer {
		return ServerToClient
	}
	return ClientToServer
}

// Inbound is the direction of bytes a tap on side s reads.
func (s Side) Inbound() Dir {
	if s == SideServer {
		return ClientToServer
	}
	return ServerToClient
}

// Event is one thing the lab observed. Events are values: a reader may keep them.
// Data and Msg are shared between readers and must not be modified.
type Event struct {
	Seq  uint64    // assigned by the Hub, increasing from 1, in the order published (several conversations: see At)
	At   time.Time // when the tap saw what caused it (monotonic clock reading included); orders several conversations' events
	Conv ConvID
	Kind Kind
	Dir  Dir
	Side Side // the tap that saw it
	// shared: Data is the bytes another tap's event holds (a datagram both
	// taps saw), so they count once against the bound.
	shared bool
	cost   int32 // what the event counts against the hub's bound, set by Publish
	// home: where the allocation Data lies in begins, when the tap knows it
	// (Conversation.keep), so the hub's log holds one pointer for the events
	// whose bytes share a slab, not one each (eventLog.push).
	home  unsafe.Pointer
	Layer string   // "tcp", "udp", "tls", "http", ...
	Data  []byte   // raw bytes (KindData)
	Msg   *Message // analyzer output (KindMessage, KindHandshake)
	From  string   // previous state (KindState)
	To    string   // new state (KindState)
	Text  string   // a human-readable note: close reason, error text, open details
}

// What an event, a message and a field cost the hub's bound beside their
// payloads: their structs as they are held (an event with its place in the
// hub's indexes). The hub's log holds an event in less (64 bytes, eventLog),
// but the inspector and a recording that falls behind hold Events and count
// them by Cost, so an event costs what an Event takes: the log stays within
// its bound with room to spare.
const (
	eventCost   = int64(unsafe.Sizeof(Event{})) + 16
	messageCost = int64(unsafe.Sizeof(Message{}))
	fieldCost   = int64(unsafe.Sizeof(Field{}))
)

// Cost is what the event costs a hub's byte bound: as the hub counted it when
// it was published, or counted now for an event no hub published.
func (e *Event) Cost() int64 {
	if e.cost > 0 {
		return int64(e.cost)
	}
	return e.size()
}

// size is what the event costs the Hub's byte bound: a fixed overhead plus its payloads.
func (e *Event) size() int64 {
	n := eventCost + int64(len(e.Text)+len(e.Layer)+len(e.From)+len(e.To))
	if !e.shared {
		n += int64(len(e.Data))
	}
	if m := e.Msg; m != nil {
		n += messageCost + int64(len(m.Summary)+len(m.Meaning)+len(m.Ref)+len(m.NextState)+len(m.Layer))
		if m.rawOwned {
			n += int64(len(m.Raw))
		}
		for _, f := range m.Fields {
			n += fieldCost + int64(len(f.Name)+len(f.Value))
		}
		if m.Pub != nil { // and its entries in the hub's index of publications
			n += int64(64 + 2*len(m.Pub.Subject) + 24*len(m.Pub.Burst))
		}
		if x := m.Exchange; x != nil {
			n += int64(48 + len(x.Kind) + len(x.ID) + len(x.State))
		}
		n += int64(len(m.Pair))
		if _, ok := m.fill.(fillFunc); ok {
			n += 48 // the closure
		}
		n += int64(m.held)
	}
	return n
}

// Field is one parsed field of a message, shown in the inspector's detail view.
//
// Off and Len place the field's bytes in its message's Raw: Raw[Off:Off+Len]
// ("Host: www.lab.test\r\n" for an HTTP header). Len 0 means the field has no
// span: a value the analyzer worked out rather than read at one place, or one it
// could not place. The detail view highlights a field's span in the bytes, and
// shows a field under the nearest field before it whose span holds its own, so an
// analyzer gives structure (a DNS record and its parts, a TLS extension) by
// listing a whole before its parts.
type Field struct {
	Name  string
	Value string
	Off   int // the first byte of the field in Raw (with Len > 0)
	Len   int // how many bytes of Raw the field covers; 0: none
}

// Spanned reports whether f has a span that lies within raw.
func (f Field) Spanned(raw []byte) bool {
	return f.Len > 0 && f.Off >= 0 && f.Off <= len(raw) && f.Len <= len(raw)-f.Off
}

// Bytes returns the bytes f's span covers in raw, or nil when it has none there.
func (f Field) Bytes(raw []byte) []byte {
	if !f.Spanned(raw) {
		return nil
	}
	return raw[f.Off : f.Off+f.Len]
}

// Holds reports whether f's span holds g's (both spanned, g within f, and not
// the same span).
func (f Field) Holds(g Field) bool {
	return f.Len > 0 && g.Len > 0 && g.Off >= f.Off && g.Off+g.Len <= f.Off+f.Len && (g.Off != f.Off || g.Len != f.Len)
}

// Message is one whole protocol message as an analyzer framed it.
type Message struct {
	Dir       Dir
	Handshake bool // part of a connection-opening handshake
	Teardown  bool // part of a connection-closing exchange
	Observed  bool // false when the step is inferred (e.g. SYN-ACK from a successful connect) rather than seen as bytes
	// Role marks a request or a message of its answer, for the timing view.
	Role      Role
	Summary   string  // one line: "MAIL FROM:<alice@alpha.test>"
	Meaning   string  // plain words for a learner
	Ref       string  // where it is specified: "RFC 5321 §4.1.1.2"
	Fields    []Field // parsed fields
	Raw       []byte  // the message's bytes as they crossed the wire (may be nil for synthesized steps)
	NextState string  // the session state after this message, if it changes it
	// Layer names the layer the message belongs to when it is not the analyzer's
	// own: a TLS analyzer reports the HTTP inside the records as "http", an HTTP
	// analyzer the frames after a WebSocket upgrade as "ws". Empty means the
	// analyzer's own layer. NextState then moves that layer's state.
	Layer string
	// Pub marks a message carrying an application message through a broker; nil otherwise.
	Pub *Publication
	// Exchange places the message in an exchange with states of its own (an
	// MQTT QoS 2 delivery); nil otherwise.
	Exchange *Exchange
	// Pair ties an answer to its request where a connection carries several
	// at once (HTTP/2's stream "5"); empty pairs an answer with the latest
	// request before it.
	Pair string

	// The small fields come first and together, as a message is held for
	// every one the lab shows: 192 bytes, not 216.
	rawOwned bool   // Raw is a private copy counted against the hub's bound
	held     int32  // bytes its analyzer keeps for it beyond what size counts (Holds)
	fill     Filler // builds fields and meaning when asked (Defer, DeferTo)
}
