package tls

import (
	"time"

	"github.com/protocollab/protolab/lab"
)

// Bounds on what the analyzer holds.
const (
	// MaxRecordBytes bounds a record's fragment, as RFC 8446 §5.2 bounds a
	// protected one (2^14 + 256); a longer record is malformed and ends the
	// analysis of its direction.
	MaxRecordBytes = 1<<14 + 256
	// MaxHandshakeBytes bounds one handshake message being reassembled.
	MaxHandshakeBytes = 1 << 18
	// MaxPendingBytes bounds the encrypted records of one direction that wait for
	// their keys; past it the lab stops waiting and shows them undecrypted.
	MaxPendingBytes = 1 << 20
	// KeyWait is how long encrypted records wait for their keys, counted by the
	// times of the bytes fed after them; the connection's end stops the wait too.
	KeyWait = 2 * time.Second
)

const recordHeaderLen = 5

// Analyzer frames one TLS connection, decrypts it with the lab's key log and
// passes the application data on to an inner analyzer: the layer the table of
// layers (lab.LayerUser) has for the ALPN the handshake agreed on, or the
// protocol that handed the connection over with STARTTLS (lab.Wrapper). It
// implements lab.ConnAnalyzer (it tells the inner analyzer when the connection
// opens and closes) and lab.KeyUser. Like every lab.Analyzer it is used from one
// goroutine at a time.
type Analyzer struct {
	layers lab.Layers
	keys   *lab.KeyLog
	halves [3]half // by lab.Dir
	state  lab.Machine

	clientRandom []byte
	serverRandom []byte
	version      uint16 // the negotiated version, 0 before the ServerHello
	suite        uint16
	alpn         string
	sawEE        bool   // TLS 1.3: the EncryptedExtensions (and so the ALPN choice) was read
	arrivals     uint64 // protected records seen, in both directions

	wrap      func() lab.Analyzer // Wrap's inner, made once there is application data
	wrapLayer string
	inner     lab.Nested // the layer inside, once made
	innerMade bool
	plainHeld int // bytes of plaintext fed to the inner layer that no message it passed on counts yet (passInner)
	openInfo  *lab.OpenInfo
	fins      [3]bool // by lab.Side

	out []lab.Message
	now time.Time
}

// half is one direction of the connection.
type half struct {
	dir     lab.Dir
	buf     []byte // an unfinished record
	stopped bool   // malformed input: this direction is no longer framed
	hs      []byte // an unfinished handshake message

	protected bool        // records are encrypted from here on
	prot      *protection // the keys in force, nil until known
	label     string      // the key log label they came from
	seq       uint64      // the record sequence number under prot
	epoch     int         // TLS 1.3: 1 handshake keys, 2 application keys
	secret    []byte      // TLS 1.3: the traffic secret in force
	records   int         // protected records handled (decrypted or not)

	pending      []pendingRecord // protected records waiting for keys, oldest first
	pendingBytes int
	since        time.Time // when the oldest pending record began waiting
	nokey        bool      // gave up on decryption; why says why
	why          string

	finished    bool // sent its Finished
	closeNotify bool // sent close_notify
}

// pendingRecord is a protected record waiting for its keys; n orders the
// records of both directions as they arrived.
type pendingRecord struct {
	rec []byte
	n   uint64
}

var (
	_ lab.ConnAnalyzer = (*Analyzer)(nil)
	_ lab.KeyUser      = (*Analyzer)(nil)
	_ lab.LayerUser    = (*Analyzer)(nil)
	_ lab.Wrapper      = (*Analyzer)(nil)
	_ lab.Carrier      = (*Analyzer)(nil)
)

// NewAnalyzer returns an analyzer for one connection. When the first application
// data is decrypted it makes the inner analyzer: Wrap's, or the one its table of
// layers has for lab.ALPN of the negotiated protocol ("h2", "http/1.1", or ""
// when none was agreed). Without either it shows the application data as this
// layer's messages.
func NewAnalyzer() *Analyzer {
	a := &Analyzer{state: machine}
	a.halves[lab.ClientToServer].dir = lab.ClientToServer
	a.halves[lab.ServerToClient].dir = lab.ServerToClient
	return a
}

// UseKeys gives the analyzer the key log to decrypt with. Without one nothing is
// decrypted.
func (a *Analyzer) UseKeys(k *lab.KeyLog) { a.keys = k }

// UseLayers gives the analyzer the table it finds the layer inside by ALPN in.
func (a *Analyzer) UseLayers(t lab.Layers) { a.layers = t }

// Wrap makes the application data the protocol that handed the connection over
// to TLS (lab.Wrapper, after STARTTLS): inner makes its analyzer, whose messages
// are layer's, whatever the ALPN.
func (a *Analyzer) Wrap(layer string, inner func() lab.Analyzer) {
	a.wrapLayer, a.wrap = layer, inner
}

// State is where the connection stands: one of States, "" before the ClientHello.
func (a *Analyzer) State() string { return a.state.State() }

// ALPN is the application protocol the handshake agreed on, "" if none (yet).
func (a *Analyzer) ALPN() string { return a.alpn }

// Version is the negotiated TLS version (0x0303 TLS 1.2, 0x0304 TLS 1.3), 0 before the ServerHello.
func (a *Analyzer) Version() uint16 { return a.version }

// Pending is how many bytes the analyzer holds for dir: an unfinished record, an
// unfinished handshake message and the encrypted records waiting for keys.
func (a *Analyzer) Pending(dir lab.Dir) int {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	h := &a.halves[dir]
	return len(h.buf) + len(h.hs) + h.pendingBytes
}

// Opened tells the inner analyzer, once there is one, that the connection opened.
func (a *Analyzer) Opened(info lab.OpenInfo) []lab.Message {
	a.openInfo = &info
	return nil
}

// Closed ends the connection: records still waiting for keys are shown as they
// are, the inner analyzer hears of the close, and the state moves to closing
// (one side's FIN) or closed (both, or a reset).
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	a.out = nil
	a.drainAll(true)
	if ca, ok := a.inner.Analyzer.(lab.ConnAnalyzer); ok {
		a.passInner(func() []lab.Message { return ca.Closed(info) })
	}
	if info.How == lab.HowFIN && (info.By == lab.SideClient || info.By == lab.SideServer) {
		a.fins[info.By] = true
	}
	if a.fins[lab.SideClient] && a.fins[lab.SideServer] || info.How != lab.HowFIN {
		a.state.Set(StateClosed)
	} else if a.state.State() != StateClosed {
		a.state.Set(StateClosing)
	}
	return a.flush()
}

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if len(b) == 0 || (dir != lab.ClientToServer && dir != lab.ServerToClient) {
		return nil
	}
	a.out = nil
	a.now = at
	a.frame(&a.halves[dir], b)
	a.drainAll(false)
	return a.flush()
}

func (a *Analyzer) flush() []lab.Message {
	out := a.out
	a.out = nil
	return out
}

// emit adds a message, moving the state to next (if not "") with it. Only the
// moves listed in Transitions are made: input out of order (a ClientHello after a
// fatal alert) leaves the state where it is.
func (a *Analyzer) emit(m lab.Message, next string) {
	a.state.Move(&m, next)
	a.out = append(a.out, m)
}

func (a *Analyzer) other(h *half) *half {
	if h.dir == lab.ClientToServer {
		return &a.halves[lab.ServerToClient]
	}
	return &a.halves[lab.ClientToServer]
}

func (a *Analyzer) tls13() bool { return a.version == versionTLS13 }

// side names the sender of h's bytes for messages.
func (h *half) side() string {
	if h.dir == lab.ClientToServer {
		return "client"
	}
	return "server"
}
