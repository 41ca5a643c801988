package lab

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// fakeLayer is a layer whose analyzer reports each line it is fed as one
// message, "<name> <line>", and is in state "seen" once it has reported one. A
// line "panic" is a bug in it.
func fakeLayer(name string, keys ...NextKey) *Layer {
	return &Layer{Name: name, ReachedBy: keys, New: func() Analyzer { return &chunkAnalyzer{name: name} }}
}

// datagramLayer is a fakeLayer whose analyzer takes each datagram as a line.
func datagramLayer(name string, keys ...NextKey) *Layer {
	return &Layer{Name: name, ReachedBy: keys, New: func() Analyzer { return &chunkAnalyzer{name: name, datagrams: true} }}
}

type chunkAnalyzer struct {
	name      string
	datagrams bool
	state     string
	buf       [3][]byte
	layers    *Layers // set by UseLayers
	keys      *KeyLog // set by UseKeys
	closed    CloseInfo
}

func (a *chunkAnalyzer) Feed(dir Dir, b []byte, _ time.Time) []Message {
	a.buf[dir] = append(a.buf[dir], b...)
	if a.datagrams {
		a.buf[dir] = append(a.buf[dir], '\n')
	}
	var out []Message
	for {
		line, rest, ok := bytes.Cut(a.buf[dir], []byte("\n"))
		if !ok {
			return out
		}
		a.buf[dir] = rest
		if string(line) == "panic" {
			panic("a bug in " + a.name)
		}
		a.state = "seen"
		out = append(out, Message{Dir: dir, Summary: a.name + " " + string(line)})
	}
}
func (a *chunkAnalyzer) State() string             { return a.state }
func (a *chunkAnalyzer) UseLayers(t Layers)        { a.layers = &t }
func (a *chunkAnalyzer) UseKeys(k *KeyLog)         { a.keys = k }
func (a *chunkAnalyzer) Opened(OpenInfo) []Message { return nil }
func (a *chunkAnalyzer) Closed(info CloseInfo) []Message {
	a.closed, a.state = info, "closed"
	return []Message{{Dir: info.By.Outbound(), Summary: a.name + " closed"}}
}

var webLayers = []*Layer{
	fakeLayer("h2", ALPN("h2")),
	fakeLayer("http", ALPN("http/1.1"), ALPN("")),
	fakeLayer("ws", Upgrade("websocket")),
	fakeLayer("mqtt", Subprotocol("mqtt")),
	fakeLayer("tls", StartTLS()),
	fakeLayer("dtls", FirstByte(20, 63)),
}

var lookupTests = []struct {
	key  NextKey
	want string // "" for none
}{
	{ALPN("h2"), "h2"},
	{ALPN("http/1.1"), "http"},
	{ALPN(""), "http"},
	{ALPN("H2"), ""}, // ALPN ids are compared exactly (RFC 7301 §3.1)
	{ALPN("acme-tls/1"), ""},
	{Upgrade("websocket"), "ws"},
	{Upgrade("WebSocket"), "ws"}, // tokens without regard to case (RFC 9110 §7.8)
	{Upgrade("h2c"), ""},
	{Subprotocol("mqtt"), "mqtt"},
	{Subprotocol("chat"), ""},
	{StartTLS(), "tls"},
	{FirstByte(19, 19), ""},
	{FirstByte(20, 20), "dtls"},
	{FirstByte(63, 63), "dtls"},
	{FirstByte(64, 64), ""},
	{FirstByte(10, 30), ""}, // a range asks for one layer for all of it
	{NextKey{}, ""},
}

func TestLayersLookup(t *testing.T) {
	table := NewLayers(webLayers...)
	for _, tt := range lookupTests {
		got := ""
		if l := table.Lookup(tt.key); l != nil {
			got = l.Name
		}
		if got != tt.want {
			t.Errorf("Lookup(%s) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if l := (Layers{}).Lookup(ALPN("h2")); l != nil {
		t.Errorf("the empty table found %q", l.Name)
	}
}

func TestNextKeyString(t *testing.T) {
	for key, want := range map[NextKey]string{
		ALPN("h2"): `ALPN "h2"`, ALPN(""): "no ALPN", Upgrade("websocket"): `Upgrade "websocket"`,
		Subprotocol("mqtt"): `subprotocol "mqtt"`, StartTLS(): "STARTTLS",
		FirstByte(20, 63): "first byte 20–63", FirstByte(0, 0): "first byte 0",
	} {
		if got := key.String(); got != want {
			t.Errorf("String = %q, want %q", got, want)
		}
	}
}

// mustPanic runs f and returns the panic's text, failing if there was none.
func mustPanic(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Error("no panic")
		}
		msg, _ = r.(string)
	}()
	f()
	return ""
}

func TestLayersClash(t *testing.T) {
	for _, tt := range []struct {
		name string
		ls   []*Layer
		want string
	}{
		{"one key, two layers", []*Layer{fakeLayer("a", ALPN("x")), fakeLayer("b", ALPN("x"))}, `ALPN "x" reaches both layer "a" and layer "b"`},
		{"token case", []*Layer{fakeLayer("a", Upgrade("ws")), fakeLayer("b", Upgrade("WS"))}, "reaches both"},
		{"ranges overlap", []*Layer{fakeLayer("stun", FirstByte(0, 3)), fakeLayer("odd", FirstByte(3, 19))}, "first byte 3–19 reaches both"},
		{"one name, two key sets", []*Layer{fakeLayer("a", ALPN("x")), fakeLayer("a", ALPN("y"))}, `layer "a" declared twice with different keys`},
		{"no name", []*Layer{fakeLayer("", ALPN("x"))}, "needs a name"},
	} {
		if got := mustPanic(t, func() { NewLayers(tt.ls...) }); !strings.Contains(got, tt.want) {
			t.Errorf("%s: panic %q, want one with %q", tt.name, got, tt.want)
		}
	}
	// A layer declared alike twice (HTTP's, by HTTP and by HTTPS) is kept once.
	table := NewLayers(fakeLayer("http", ALPN("")), fakeLayer("http", ALPN("")), fakeLayer("dtls", FirstByte(20, 63)), fakeLayer("rtp", FirstByte(128, 191)))
	if n := len(table.All()); n != 3 {
		t.Errorf("%d layers, want 3", n)
	}
}

func TestLayersWith(t *testing.T) {
	base := NewLayers(webLayers...)
	own := fakeLayer("my-ws", Upgrade("websocket"))
	with := base.With(own)
	if l := with.Lookup(Upgrade("websocket")); l != own {
		t.Errorf("With: websocket reaches %v, want the layer put in front", l)
	}
	if l := with.Lookup(ALPN("h2")); l == nil || l.Name != "h2" {
		t.Errorf("With lost the table's other layers: h2 reaches %v", l)
	}
	if l := base.Lookup(Upgrade("websocket")); l == nil || l.Name != "ws" {
		t.Errorf("With changed the table it was called on: websocket reaches %v", l)
	}
}

func TestLayersNewEquips(t *testing.T) {
	keys := &KeyLog{}
	table := NewLayers(webLayers...).WithKeys(keys)
	name, a := table.New(Subprotocol("mqtt"))
	ca, ok := a.(*chunkAnalyzer)
	if name != "mqtt" || !ok {
		t.Fatalf("New = %q, %T", name, a)
	}
	if ca.keys != keys {
		t.Error("the new analyzer did not get the key log")
	}
	if ca.layers == nil || ca.layers.Lookup(ALPN("h2")) == nil {
		t.Error("the new analyzer did not get the table")
	}
	if name, a := table.New(Subprotocol("chat")); name != "" || a != nil {
		t.Errorf("New of a key no layer has = %q, %v", name, a)
	}
}

func TestRegistryCollectsLayers(t *testing.T) {
	reg := &Registry{}
	if n := len(reg.Layers().All()); n != 0 {
		t.Fatalf("an empty registry has %d layers", n)
	}
	http := fakeLayer("http", ALPN("http/1.1"), ALPN(""))
	reg.Register(&Protocol{Name: "http", Layers: []*Layer{http}})
	reg.Register(&Protocol{Name: "https", Layers: []*Layer{fakeLayer("http", ALPN("http/1.1"), ALPN("")), fakeLayer("h2", ALPN("h2"))}})
	before := reg.Layers()
	mustPanic(t, func() {
		reg.Register(&Protocol{Name: "bad", Layers: []*Layer{fakeLayer("other", ALPN("h2"))}})
	})
	if reg.Lookup("bad") != nil {
		t.Error("a protocol whose layers clash was registered")
	}
	reg.Register(&Protocol{Name: "ws", Layers: []*Layer{fakeLayer("ws", Upgrade("websocket"))}})
	var names []string
	for _, l := range reg.Layers().All() {
		names = append(names, l.Name)
	}
	if got := strings.Join(names, " "); got != "http h2 ws" {
		t.Errorf("layers %q, want http h2 ws", got)
	}
	if reg.Layers().Lookup(ALPN("")) != http {
		t.Error("no ALPN does not reach the layer declared first")
	}
	if before.Lookup(Upgrade("websocket")) != nil || len(before.All()) != 2 {
		t.Error("registering changed a table handed out before")
	}
	var nilReg *Registry
	if len(nilReg.Layers().All()) != 0 {
		t.Error("a nil registry has layers")
	}
}

// upgrader is a line protocol that asks for the next layer: after the line
// "UPGRADE <token>" it hands every later byte to the layer Upgrade(token)
// reaches, as HTTP does after a 101.
type upgrader struct {
	layers Layers
	keys   *KeyLog
	lines  lineAnalyzer
	inner  Nested
}

func (u *upgrader) UseLayers(t Layers) { u.layers = t }
func (u *upgrader) UseKeys(k *KeyLog)  { u.keys = k }
func (u *upgrader) State() string      { return u.lines.State() }
func (u *upgrader) Feed(dir Dir, b []byte, at time.Time) []Message {
	if u.inner.Analyzer != nil {
		return u.inner.Lift(u.inner.Analyzer.Feed(dir, b, at))
	}
	msgs := u.lines.Feed(dir, b, at)
	for _, m := range msgs {
		if token, ok := strings.CutPrefix(m.Summary, "UPGRADE "); ok {
			u.inner.Layer, u.inner.Analyzer = u.layers.New(Upgrade(token))
		}
	}
	return msgs
}

// TestHubHandsLayers runs a line protocol over a real connection through a hub:
// the analyzer the hub makes gets the registry's table and the hub's key log,
// and the layer it asks for gets them too.
func TestHubHandsLayers(t *testing.T) {
	var made *upgrader
	reg := &Registry{}
	p := &Protocol{Name: "line", Transport: "tcp", NewAnalyzer: func() Analyzer { made = &upgrader{}; return made }}
	reg.Register(p)
	reg.Register(&Protocol{Name: "echo", Layers: []*Layer{fakeLayer("echo", Upgrade("echo"))}})
	h := NewHub(HubOptions{Registry: reg})
	tap := h.Tap(p)
	c, err := tap.Dial(t.Context(), "tcp", echoServer(t, tap).String())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"hello\nUPGRADE ECHO\n", "bytes\n"} {
		c.Write([]byte(s))
		if _, err := io.ReadFull(c, make([]byte, len(s))); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	h.Settle()

	if made.keys != h.Keys() || made.layers.Lookup(Upgrade("echo")) == nil {
		t.Fatal("the hub's analyzer did not get the key log and the registry's table")
	}
	inner, _ := made.inner.Analyzer.(*chunkAnalyzer)
	if inner == nil || inner.keys != h.Keys() || inner.layers == nil {
		t.Fatalf("the echo layer was not made, or not equipped: %+v", made.inner)
	}
	var got, states []string
	for _, e := range h.Events(0) {
		switch {
		case e.Kind == KindMessage:
			got = append(got, e.Dir.Arrow()+" "+e.Layer+": "+e.Msg.Summary)
		case e.Kind == KindState && e.Layer == "echo":
			states = append(states, e.To)
		}
	}
	// The echo of the upgrade line is the echo layer's: the switch is made
	// as the client's line is read, before the server's answer.
	want := "→ line: hello|→ line: UPGRADE ECHO|← echo: echo hello|← echo: echo UPGRADE ECHO|→ echo: echo bytes|← echo: echo bytes"
	if strings.Join(got, "|") != want {
		t.Errorf("messages\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if strings.Join(states, " ") != "seen" {
		t.Errorf("echo layer states %q, want seen", states)
	}
}

func TestNestedCall(t *testing.T) {
	n := &Nested{Layer: "inner", Analyzer: &chunkAnalyzer{name: "inner", datagrams: true}}
	msgs := n.Lift(n.Call("why", func() []Message { return n.Analyzer.Feed(ClientToServer, []byte("x"), time.Time{}) }))
	if len(msgs) != 1 || msgs[0].Layer != "inner" || msgs[0].NextState != "seen" {
		t.Errorf("first messages %+v, want one of layer inner moving it to seen", msgs)
	}
	msgs = n.Lift(n.Call("why", func() []Message { return n.Analyzer.Feed(ClientToServer, []byte("y"), time.Time{}) }))
	if len(msgs) != 1 || msgs[0].NextState != "" {
		t.Errorf("second messages %+v, want no state change", msgs)
	}
	msgs = n.Lift(n.Call("a bug inside", func() []Message { return n.Analyzer.Feed(ClientToServer, []byte("panic"), time.Time{}) }))
	if len(msgs) != 1 || msgs[0].Summary != "the inner analyzer failed: a bug in inner" || msgs[0].Meaning != "a bug inside" || n.Analyzer != nil {
		t.Errorf("after a panic: %+v, analyzer %v", msgs, n.Analyzer)
	}
}

// TestAnalyzerPanicTurnsItOff: an analyzer that panics is off for the rest of
// its conversation, says so once, in its place after the data that caused it,
// and the conversation's bytes are still recorded.
func TestAnalyzerPanicTurnsItOff(t *testing.T) {
	reg := &Registry{}
	p := &Protocol{Name: "line", Transport: "tcp", NewAnalyzer: func() Analyzer { return &chunkAnalyzer{name: "line"} }}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg})
	tap := h.Tap(p)
	c, err := tap.Dial(t.Context(), "tcp", echoServer(t, tap).String())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"one\n", "panic\n", "two\n"} {
		c.Write([]byte(s))
		if _, err := io.ReadFull(c, make([]byte, len(s))); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	h.Settle()
	var got []string
	for _, e := range h.Events(0) {
		switch {
		case e.Kind == KindError:
			got = append(got, e.Text)
		case e.Dir != ClientToServer:
		case e.Kind == KindMessage:
			got = append(got, e.Msg.Summary)
		case e.Kind == KindData && e.Side == SideClient:
			got = append(got, "data "+strings.TrimSpace(string(e.Data)))
		}
	}
	want := "data one|line one|data panic|the line analyzer failed and is off for this conversation: a bug in line|data two"
	if strings.Join(got, "|") != want {
		t.Errorf("events\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}
