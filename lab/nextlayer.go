package lab

import (
	"fmt"
	"slices"
	"strings"
)

// One protocol nests in another by key, as gopacket's layers name their next
// LayerType: TLS asks for the layer its ALPN agreed on, HTTP for the one a 101
// switched to, WebSocket for the subprotocol the server chose, SMTP for what
// follows its STARTTLS go-ahead, a flow of datagrams for the layer each
// datagram's first byte names. Each protocol's package declares by which keys
// its layer is reached (Layer, Protocol.Layers), the Registry collects them into
// one table (Layers), and the hub hands the table to every analyzer that carries
// other layers (LayerUser), as it hands the key log to a KeyUser.

// NextKind is what a layer keys its next layer by.
type NextKind uint8

// The kinds of key.
const (
	// NextALPN: the application protocol TLS agreed on (RFC 7301), "" when none was.
	NextALPN NextKind = iota + 1
	// NextUpgrade: the protocol a 101 Switching Protocols switched an HTTP/1.1
	// connection to (RFC 9110 §7.8), compared without regard to case.
	NextUpgrade
	// NextSubprotocol: the WebSocket subprotocol the server chose (RFC 6455 §1.9).
	NextSubprotocol
	// NextStartTLS: the server's go-ahead to STARTTLS (SMTP, IMAP), STLS (POP3)
	// or AUTH TLS (FTP): TLS goes on on the same connection, and inside it the
	// same protocol (Wrapper).
	NextStartTLS
	// NextFirstByte: a datagram's first byte, in a range (RFC 7983 §7: 0–3 STUN,
	// 20–63 DTLS, 128–191 RTP and RTCP on one flow).
	NextFirstByte
)

// NextKey is what a layer asks the table by, and what a Layer is reached by.
// Build one with ALPN, Upgrade, Subprotocol, StartTLS or FirstByte.
type NextKey struct {
	Kind   NextKind
	Value  string // the ALPN protocol, Upgrade token or subprotocol
	Lo, Hi byte   // NextFirstByte: the first bytes from Lo to Hi, both included
}

// ALPN is the key of the layer TLS carries when the handshake agreed on the
// application protocol id ("h2", "http/1.1"; "" when none was agreed).
func ALPN(id string) NextKey { return NextKey{Kind: NextALPN, Value: id} }

// Upgrade is the key of the layer an HTTP/1.1 connection goes on as after a 101
// Switching Protocols to token ("websocket"). A token's version ("/2.0") is part of it.
func Upgrade(token string) NextKey { return NextKey{Kind: NextUpgrade, Value: token} }

// Subprotocol is the key of the layer a WebSocket carries when the server chose
// the subprotocol name ("mqtt", "chat") in its handshake.
func Subprotocol(name string) NextKey { return NextKey{Kind: NextSubprotocol, Value: name} }

// StartTLS is the key of the layer a protocol hands its connection to after the
// server's go-ahead to STARTTLS: TLS, carrying the same protocol on.
func StartTLS() NextKey { return NextKey{Kind: NextStartTLS} }

// FirstByte is the key of the layer of datagrams whose first byte is from lo to
// hi. Ask for one datagram's with FirstByte(b[0], b[0]).
func FirstByte(lo, hi byte) NextKey { return NextKey{Kind: NextFirstByte, Lo: lo, Hi: hi} }

// String is the key as a person reads it: `ALPN "h2"`, "first byte 20–63".
func (k NextKey) String() string {
	switch k.Kind {
	case NextALPN:
		if k.Value == "" {
			return "no ALPN"
		}
		return fmt.Sprintf("ALPN %q", k.Value)
	case NextUpgrade:
		return fmt.Sprintf("Upgrade %q", k.Value)
	case NextSubprotocol:
		return fmt.Sprintf("subprotocol %q", k.Value)
	case NextStartTLS:
		return "STARTTLS"
	case NextFirstByte:
		if k.Lo == k.Hi {
			return fmt.Sprintf("first byte %d", k.Lo)
		}
		return fmt.Sprintf("first byte %d–%d", k.Lo, k.Hi)
	}
	return "no key"
}

// reaches reports whether a layer reached by k answers the question q. First
// bytes match by range: q's range must lie within k's.
func (k NextKey) reaches(q NextKey) bool {
	switch {
	case k.Kind != q.Kind:
		return false
	case k.Kind == NextUpgrade:
		return strings.EqualFold(k.Value, q.Value)
	case k.Kind == NextFirstByte:
		return k.Lo <= q.Lo && q.Hi <= k.Hi
	}
	return k.Value == q.Value
}

// overlaps reports whether one question could reach layers by both k and o.
func (k NextKey) overlaps(o NextKey) bool {
	if k.Kind == NextFirstByte && o.Kind == NextFirstByte {
		return k.Lo <= o.Hi && o.Lo <= k.Hi
	}
	return k.reaches(o)
}

// Layer is one layer another may carry, as its protocol's package declares it:
// HTTP/2 is reached by ALPN "h2", WebSocket by Upgrade "websocket". It reports
// its messages under Name.
type Layer struct {
	Name      string    // the layer's name in messages and events: "h2", "ws", "tls"
	ReachedBy []NextKey // the keys a layer below asks for this one by
	New       func() Analyzer
	// States and Transitions are the layer's state machine, as a Protocol's,
	// for a diagram of a layer that no protocol of its name describes (DTLS and
	// SCTP inside a WebRTC flow); nil when a protocol does or it has none.
	States      []string
	Transitions [][2]string
}

// LayerUser is implemented by analyzers that carry other layers (TLS, HTTP,
// WebSocket, the protocols with STARTTLS, a Demux): the hub hands each new one
// the table of layers to ask for the next one in.
type LayerUser interface {
	UseLayers(Layers)
}

// Wrapper is implemented by the analyzer of a layer that carries on the protocol
// of the layer that asked for it, rather than one it finds by key: TLS after a
// STARTTLS go-ahead. Wrap is called before any byte is fed; inner makes that
// protocol's analyzer, whose messages are layer's, and is called at most once,
// when the first bytes for it arrive.
type Wrapper interface {
	Wrap(layer string, inner func() Analyzer)
}

// Layers is a table of layers looked up by key. The zero value is an empty
// table. A Layers is a value, never changed once made, and safe for concurrent use.
type Layers struct {
	list []*Layer // in lookup order: the first that a key reaches wins
	keys *KeyLog  // given to the analyzers New makes (KeyUser)
}

// NewLayers returns a table of ls. It panics if two layers of different names
// are reached by one key, or one name is declared with different keys: wiring
// mistakes. A layer declared twice alike is kept once.
func NewLayers(ls ...*Layer) Layers {
	var t Layers
	for _, l := range ls {
		t.list = addLayer(t.list, l)
	}
	return t
}

// addLayer appends l to list unless a layer of its name is there; see NewLayers.
func addLayer(list []*Layer, l *Layer) []*Layer {
	if l == nil || l.Name == "" || l.New == nil {
		panic("lab: a layer needs a name and a New")
	}
	for _, o := range list {
		if o.Name == l.Name {
			if !slices.Equal(o.ReachedBy, l.ReachedBy) {
				panic(fmt.Sprintf("lab: layer %q declared twice with different keys", l.Name))
			}
			return list
		}
		for _, k := range l.ReachedBy {
			for _, ok := range o.ReachedBy {
				if k.overlaps(ok) {
					panic(fmt.Sprintf("lab: %s reaches both layer %q and layer %q", k, o.Name, l.Name))
				}
			}
		}
	}
	return append(list, l)
}

// With returns t with ls in front: a key that reaches one of ls reaches it
// rather than a layer of t. An analyzer that must have a layer of its own
// (WebSocket's, to follow its state) puts it in the table it was given.
func (t Layers) With(ls ...*Layer) Layers {
	list := make([]*Layer, 0, len(ls)+len(t.list))
	list = append(append(list, ls...), t.list...)
	return Layers{list: list, keys: t.keys}
}

// WithKeys returns t whose New gives the analyzers it makes the key log k.
func (t Layers) WithKeys(k *KeyLog) Layers {
	t.keys = k
	return t
}

// Lookup returns the layer key reaches, or nil.
func (t Layers) Lookup(key NextKey) *Layer {
	for _, l := range t.list {
		for _, k := range l.ReachedBy {
			if k.reaches(key) {
				return l
			}
		}
	}
	return nil
}

// New returns a new analyzer of the layer key reaches and the layer's name, or
// nil and "" if no layer is. The analyzer gets the table (LayerUser) and the key
// log (KeyUser), as the hub's own analyzers do.
func (t Layers) New(key NextKey) (string, Analyzer) {
	l := t.Lookup(key)
	if l == nil {
		return "", nil
	}
	a := l.New()
	t.equip(a)
	return l.Name, a
}

// All returns the table's layers in lookup order.
func (t Layers) All() []*Layer { return slices.Clone(t.list) }

// equip gives a new analyzer what it may use: the key log and the table.
func (t Layers) equip(a Analyzer) {
	if ku, ok := a.(KeyUser); ok && t.keys != nil {
		ku.UseKeys(t.keys)
	}
	if lu, ok := a.(LayerUser); ok {
		lu.UseLayers(t)
	}
}

// Nested is a layer one analyzer carries inside its own (HTTP inside TLS, MQTT
// inside WebSocket, each protocol of a demultiplexed flow): the carrier feeds
// Analyzer and passes its messages on through Lift.
type Nested struct {
	Layer    string
	Analyzer Analyzer
	shown    string // the state last passed on
}

// Lift passes on messages of the nested analyzer: those that name no layer are
// Layer's, and a change of its state rides on the last of them, so the hub moves
// that layer's state with it.
func (n *Nested) Lift(msgs []Message) []Message {
	for i := range msgs {
		if msgs[i].Layer == "" {
			msgs[i].Layer = n.Layer
		}
	}
	if n.Analyzer == nil || n.Layer == "" || len(msgs) == 0 {
		return msgs
	}
	if s := n.Analyzer.State(); s != n.shown {
		n.shown = s
		if last := &msgs[len(msgs)-1]; last.NextState == "" && last.Layer == n.Layer {
			last.NextState = s
		}
	}
	return msgs
}

// Call runs a step of the nested analyzer, which f names. One that panics is
// switched off (Analyzer becomes nil) and Call returns a message that says so,
// with meaning: a bug in the inner layer's parser costs only that layer.
func (n *Nested) Call(meaning string, f func() []Message) (msgs []Message) {
	defer func() {
		if r := recover(); r != nil {
			name := n.Layer
			if name == "" {
				name = "inner"
			}
			n.Analyzer = nil
			msgs = []Message{{Summary: fmt.Sprintf("the %s analyzer failed: %v", name, r), Meaning: meaning}}
		}
	}()
	return f()
}
