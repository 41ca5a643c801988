package lab

import (
	"fmt"
	"slices"
	"sort"
	"sync"
)

// Protocol is what the registry holds about one protocol; the GUI and `serve` read only this.
type Protocol struct {
	Name        string // short, lower-case: "tcp", "udp", "http"
	Title       string // for people: "TCP echo/chat"
	DefaultPort int
	Transport   string   // "tcp" or "udp": what the protocol usually runs on (a conversation's own is its socket's)
	States      []string // the state machine's states, in the order a diagram draws them
	Transitions [][2]string
	// Connectionless is true for datagram protocols: there is no handshake or connection state.
	Connectionless bool
	// Layer names the layer this protocol's analyzer reports, when it is not Name:
	// the "https" protocol's analyzer is the TLS layer, "tls". Empty means Name.
	Layer string
	// CaptureLimit bounds the bytes the lab keeps of each direction of one of this
	// protocol's conversations (an FTP data connection): past it, bytes are
	// counted and hashed (XXH128) but neither kept nor analyzed, so a 1 GiB
	// transfer never fills memory; the conversation ends with a summary of each
	// direction's size and hash. Zero keeps everything (within the hub's bound).
	CaptureLimit int64
	// CaptureCountOnly has the bytes past CaptureLimit only counted, not
	// hashed: a raw TCP stream has no file at either end to compare a hash
	// with, and hashing every byte costs about as much as echoing it.
	CaptureCountOnly bool
	// About explains the protocol in a sentence or two for the workbench.
	About string
	// Dissector is how Wireshark reads this protocol's conversations, for the
	// pcapng export's Decode As rules. Every protocol declares one, or says why
	// it needs none (Dissector.None).
	Dissector Dissector
	// Links lists the kinds of link this protocol's conversations create to
	// others (an FTP session's data connections): what its diagrams draw on
	// lanes of their own.
	Links []LinkKind
	// Mail says how mail messages cross this protocol's conversations, for the
	// .eml export; MailNone for a protocol that carries none.
	Mail MailKind
	// Layers are the layers this protocol's package adds to the registry's table
	// of next layers, each with the keys another layer reaches it by: HTTP's own
	// by ALPN "http/1.1" or none, WebSocket's by Upgrade "websocket", the TLS
	// SMTP's STARTTLS hands over to. A layer several protocols declare alike is
	// in the table once.
	Layers []*Layer

	// NewAnalyzer returns an analyzer for one conversation of this protocol.
	NewAnalyzer func() Analyzer
	// NewStreamAnalyzer, if set, is the analyzer of this protocol's TCP conversations
	// when they frame differently from its datagrams (DNS's two-byte length prefix);
	// nil means NewAnalyzer serves every transport.
	NewStreamAnalyzer func() Analyzer
	// NewServer builds this protocol's embedded server; filled in by the app's wiring,
	// so that lab imports no server. Nil means the protocol has no server.
	NewServer func(ServerOptions) (Server, error)
	// Settings lists the server's options a person may change, with their defaults.
	Settings []Setting
	// Needs names the protocols whose servers this one's server needs to be of
	// use (the SMTP servers relay through the lab DNS to each other): starting
	// only this one (`serve --only`) starts them too.
	Needs []string
	// Parts names the protocols whose servers are part of this one's (the
	// broker's NATS and MQTT-over-TLS listeners beside its MQTT one): the server
	// rail shows them in this one's row, whose one switch starts and stops them
	// all, and `serve --only` starts them with it, as it does Needs.
	Parts []string
	// Actions are one-off tasks the server offers in its server pane, as
	// buttons (the broker's "Clear retained messages and sessions").
	Actions []Action
	// Exchanges describes the kinds of Message.Exchange this protocol's
	// analyzer marks (MQTT's "qos2"), by kind; nil when it marks none.
	Exchanges map[string]ExchangeKind
}

// Dissector is Wireshark's view of a protocol: which dissector reads it and
// where Wireshark finds it without being told.
type Dissector struct {
	// Name is the dissector's name as tshark's -d and Wireshark's Decode As
	// take it ("smtp", "pop", "tls", "ssh").
	Name string
	// Ports are the ports Wireshark tries Name on by itself: no rule is needed there.
	Ports []uint16
	// ByParent, when not SideNone, says Wireshark finds those of these
	// conversations that that end of their parent dialled from the parent's
	// messages, so they need no rule: FTP data connections the client opens after
	// PASV or EPSV (Wireshark expects the ones the server opens after PORT to come
	// from port 20, which the lab's server does not use, so those get a rule).
	ByParent Side
	// None, when Name is empty, says why the protocol needs no dissector.
	None string
	// Inner, for a protocol whose Name is "tls", names the dissector of what
	// TLS carries when Wireshark finds it inside TLS only on Ports (MQTT on
	// 8883): elsewhere the rules also say tls.port==PORT,Inner. Empty: TLS's
	// own rules find it (HTTP by ALPN).
	Inner string
}

// Declared reports whether d names a dissector or says why none is needed.
func (d Dissector) Declared() bool { return d.Name != "" || d.None != "" }

// MailKind says how mail messages cross a protocol's conversations.
type MailKind uint8

// The ways mail crosses a protocol.
const (
	MailNone MailKind = iota
	MailSMTP          // sent: SMTP's DATA or BDAT (RFC 5321 §4.1.1.4, RFC 3030)
	MailPOP3          // retrieved: POP3's RETR (RFC 1939 §5)
	MailIMAP          // fetched whole: IMAP's FETCH BODY[] or RFC822 (RFC 9051 §6.4.5)
)

// String names how mail crossed, as the .eml export's file names do: "smtp",
// "pop3", "imap"; "" for MailNone.
func (k MailKind) String() string {
	switch k {
	case MailSMTP:
		return "smtp"
	case MailPOP3:
		return "pop3"
	case MailIMAP:
		return "imap"
	}
	return ""
}

// ServerModule is what a servers/<p>server package exports: the server's
// constructor, the settings a person may change and what else it needs. The
// app's wiring pairs it with its protocol (Module).
type ServerModule struct {
	New      func(ServerOptions) (Server, error)
	Settings []Setting
	Needs    []string
	Parts    []string // see Protocol.Parts
	Actions  []Action // see Protocol.Actions
}

// Module is one protocol of the lab: its description (protocols/<p>) and its
// server, if it has one (servers/<p>server). The app's wiring is a list of them.
type Module struct {
	Protocol *Protocol
	Server   *ServerModule // nil: the protocol has no server of its own (FTP's data connections)
}

// RegisterModules adds every module's protocol, its server wired in, in order.
func (r *Registry) RegisterModules(mods ...Module) {
	for _, m := range mods {
		p := m.Protocol
		if s := m.Server; s != nil {
			p.NewServer, p.Needs, p.Parts, p.Actions = s.New, s.Needs, s.Parts, s.Actions
			if s.Settings != nil { // a protocol may describe its server's settings itself (TCP's mode)
				p.Settings = s.Settings
			}
		}
		r.Register(p)
	}
}

// LayerName is the name of the layer p's analyzer reports: Layer, or Name.
func (p *Protocol) LayerName() string {
	if p.Layer != "" {
		return p.Layer
	}
	return p.Name
}

// Setting is one option of a protocol's server, shown in its server pane.
type Setting struct {
	Key     string
	Label   string
	Default string
	Choices []string // non-empty: one of these
	Help    string
	Kind    string // SettingFolder for a folder path; empty for plain text or a choice
}

// SettingFolder marks a Setting whose value is a folder on this computer ("" for
// the default): the server pane offers a folder picker beside the path.
const SettingFolder = "folder"

// Registry holds the protocols the lab knows, in registration order.
// It is safe for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	list   []*Protocol
	byName map[string]*Protocol
	layers Layers // what the protocols' Layers declare
}

// Register adds p. It panics if p's name is empty or already taken, or one of its
// Layers clashes with a layer registered before (see NewLayers): wiring mistakes.
func (r *Registry) Register(p *Protocol) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p.Name == "" {
		panic("lab: Register of a protocol without a name")
	}
	if r.byName == nil {
		r.byName = make(map[string]*Protocol)
	}
	if _, dup := r.byName[p.Name]; dup {
		panic(fmt.Sprintf("lab: protocol %q registered twice", p.Name))
	}
	layers := r.layers.list
	for _, l := range p.Layers {
		layers = addLayer(slices.Clip(layers), l)
	}
	r.layers.list = layers
	r.byName[p.Name] = p
	r.list = append(r.list, p)
}

// Layers returns the table of the layers the registered protocols declare.
func (r *Registry) Layers() Layers {
	if r == nil {
		return Layers{}
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.layers
}

// Lookup returns the protocol called name, or nil.
func (r *Registry) Lookup(name string) *Protocol {
	if r == nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byName[name]
}

// All returns the registered protocols in registration order.
func (r *Registry) All() []*Protocol {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Protocol(nil), r.list...)
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.list))
	for _, p := range r.list {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return names
}
