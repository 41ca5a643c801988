package dtls

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tls"
)

// RecordHeaderLen is the length of a DTLS record header (RFC 6347 §4.1).
const RecordHeaderLen = 13

// Record content types (RFC 6347 §4.1, RFC 5246 §6.2.1).
const (
	typeChangeCipherSpec = 20
	typeAlert            = 21
	typeHandshake        = 22
	typeApplicationData  = 23
)

var contentNames = map[uint8]string{typeChangeCipherSpec: "change_cipher_spec", typeAlert: "alert",
	typeHandshake: "handshake", typeApplicationData: "application_data", 24: "heartbeat"}

// Analyzer frames one flow's DTLS datagrams into records and handshake messages
// and follows the association's state. Like every Analyzer it is used from one
// goroutine at a time.
type Analyzer struct {
	state lab.Machine
	keys  *lab.KeyLog

	clientDir    lab.Dir // who sent the ClientHello
	clientRandom []byte
	serverRandom []byte
	suite        uint16
	ccs          [2]bool // ChangeCipherSpec seen, by direction
	open         [2]*tls.Opener
	nokey        string // why the records cannot be decrypted, once known

	pieces map[pieceKey]*pieces // handshake messages being put together
	seen   map[[3]int]bool      // handshake pieces seen: direction, message sequence, fragment offset

	inner     lab.Nested
	innerNew  func() lab.Analyzer
	innerMade bool
	out       []lab.Message
}

var (
	_ lab.KeyUser = (*Analyzer)(nil)
	_ lab.Wrapper = (*Analyzer)(nil)
	_ lab.Carrier = (*Analyzer)(nil)
)

// NewAnalyzer returns an analyzer for one flow's DTLS.
func NewAnalyzer() *Analyzer { return &Analyzer{state: machine} }

// UseKeys gives the analyzer the lab's key log.
func (a *Analyzer) UseKeys(k *lab.KeyLog) { a.keys = k }

// Wrap sets the analyzer of what the application data carries (lab.Wrapper).
func (a *Analyzer) Wrap(layer string, inner func() lab.Analyzer) {
	a.inner.Layer, a.innerNew = layer, inner
}

// State is the association's state.
func (a *Analyzer) State() string { return a.state.State() }

// InnerStates reports the inner layer's state (lab.Carrier).
func (a *Analyzer) InnerStates(report func(layer, state string)) {
	if a.inner.Analyzer != nil {
		report(a.inner.Layer, a.inner.Analyzer.State())
	}
}

// Feed frames one datagram: one or more records.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	a.state.Start()
	a.out = nil
	for len(b) > 0 {
		if len(b) < RecordHeaderLen {
			a.malformed(dir, b, fmt.Sprintf("%d bytes are left, too few for a record header (13)", len(b)))
			break
		}
		n := int(binary.BigEndian.Uint16(b[11:]))
		if RecordHeaderLen+n > len(b) {
			a.malformed(dir, b, fmt.Sprintf("the record says %d bytes, the datagram holds %d more", n, len(b)-RecordHeaderLen))
			break
		}
		a.record(dir, b[:RecordHeaderLen+n], at)
		b = b[RecordHeaderLen+n:]
	}
	for _, m := range a.out {
		for i := range m.Fields {
			if m.Fields[i].Len <= 0 { // a field spans bytes or none
				m.Fields[i].Off, m.Fields[i].Len = 0, 0
			}
		}
	}
	return a.out
}

func (a *Analyzer) malformed(dir lab.Dir, raw []byte, why string) {
	a.out = append(a.out, lab.Message{Dir: dir, Raw: raw, Observed: true, Ref: "RFC 6347 §4.1",
		Summary: "malformed DTLS record: " + why,
		Meaning: "These bytes do not frame as a DTLS record: " + why + ". A DTLS endpoint silently drops such a record (RFC 6347 §4.1.2.7)."})
}

// recordHeader reads record rec's header.
func recordHeader(rec []byte) (typ uint8, ver uint16, epoch uint16, seq uint64) {
	typ, ver = rec[0], binary.BigEndian.Uint16(rec[1:])
	epoch = binary.BigEndian.Uint16(rec[3:])
	seq = uint64(binary.BigEndian.Uint16(rec[5:]))<<32 | uint64(binary.BigEndian.Uint32(rec[7:]))
	return
}

// recordFields are the fields of record rec's header.
func recordFields(rec []byte) []lab.Field {
	typ, ver, epoch, seq := recordHeader(rec)
	name := contentNames[typ]
	if name == "" {
		name = fmt.Sprintf("content type %d", typ)
	}
	return []lab.Field{
		{Name: "record", Value: fmt.Sprintf("%s, epoch %d, sequence %d", name, epoch, seq), Off: 0, Len: len(rec)},
		{Name: "content type", Value: fmt.Sprintf("%d (%s)", typ, name), Off: 0, Len: 1},
		{Name: "version", Value: versionName(ver), Off: 1, Len: 2},
		{Name: "epoch", Value: fmt.Sprintf("%d: %s", epoch, map[bool]string{true: "before the keys changed, in clear", false: "under the negotiated keys"}[epoch == 0]), Off: 3, Len: 2},
		{Name: "sequence number", Value: fmt.Sprint(seq), Off: 5, Len: 6},
		{Name: "length", Value: fmt.Sprintf("%d bytes", len(rec)-RecordHeaderLen), Off: 11, Len: 2},
	}
}

// decryptedFields are a decrypted record's fields.
func (a *Analyzer) decryptedFields(rec []byte, n int) []lab.Field {
	return append(recordFields(rec), lab.Field{Name: "decrypted", Value: fmt.Sprintf("%d bytes of plaintext with the logged master secret (%s)", n, tls.SuiteName(a.suite))})
}

func versionName(v uint16) string {
	switch v {
	case 0xfeff:
		return "DTLS 1.0 (0xfeff)"
	case 0xfefd:
		return "DTLS 1.2 (0xfefd)"
	case 0xfefc:
		return "DTLS 1.3 (0xfefc)"
	}
	return fmt.Sprintf("0x%04x", v)
}

// record frames one record.
func (a *Analyzer) record(dir lab.Dir, rec []byte, at time.Time) {
	typ, ver, epoch, seq := recordHeader(rec)
	body := rec[RecordHeaderLen:]
	base := lab.Message{Dir: dir, Raw: rec, Observed: true, Ref: "RFC 6347 §4.1"}
	if epoch == 0 {
		base.Fields = recordFields(rec)
	} else {
		pt, why := a.decrypt(dir, typ, ver, uint64(epoch)<<48|seq, body)
		if pt == nil {
			base.Fields = recordFields(rec)
			a.encrypted(base, typ, why)
			return
		}
		if typ == typeApplicationData { // the bulk of a flow: fields only for a message shown
			a.applicationData(dir, base, pt, at)
			return
		}
		base.Fields = a.decryptedFields(rec, len(pt))
		body = pt
	}
	switch typ {
	case typeHandshake:
		a.handshakes(base, body, epoch > 0)
	case typeChangeCipherSpec:
		a.changeCipherSpec(base)
	case typeAlert:
		a.alert(base, body)
	default:
		base.Summary = fmt.Sprintf("%s record (%d bytes)", contentNames[typ], len(body))
		if contentNames[typ] == "" {
			base.Summary = fmt.Sprintf("record of unknown content type %d (%d bytes)", typ, len(body))
		}
		base.Meaning = "A record the lab shows as bytes."
		a.out = append(a.out, base)
	}
}

func (a *Analyzer) changeCipherSpec(m lab.Message) {
	m.Summary = "ChangeCipherSpec"
	m.Handshake = true
	m.Ref = "RFC 5246 §7.1"
	m.Meaning = "From the next record on, this side protects its records with the keys just agreed, in epoch 1: what follows is encrypted."
	m.Fields = append(m.Fields, lab.Field{Name: "change cipher spec", Value: "1", Off: RecordHeaderLen, Len: len(m.Raw) - RecordHeaderLen})
	d := 0
	if m.Dir != a.clientDir {
		d = 1
	}
	a.ccs[d] = true
	if a.ccs[0] && a.ccs[1] {
		a.state.Move(&m, StateFinishing)
		a.state.Move(&m, StateEstablished)
	} else {
		a.state.Move(&m, StateFinishing)
	}
	a.out = append(a.out, m)
}

func (a *Analyzer) alert(m lab.Message, body []byte) {
	m.Ref = "RFC 5246 §7.2"
	if len(body) != 2 {
		m.Summary = "malformed alert"
		m.Meaning = "An alert is two bytes, level and description; this one is not."
		a.out = append(a.out, m)
		return
	}
	name, meaning := tls.AlertText(body[1])
	level := map[uint8]string{1: "warning", 2: "fatal"}[body[0]]
	m.Summary = fmt.Sprintf("Alert (%s): %s", level, name)
	m.Meaning = meaning
	m.Teardown = body[1] == 0 || body[0] == 2
	if m.Teardown {
		a.state.Move(&m, StateClosed)
	}
	if len(m.Raw) == RecordHeaderLen+2 {
		m.Fields = append(m.Fields, lab.Field{Name: "level", Value: level, Off: RecordHeaderLen, Len: 1},
			lab.Field{Name: "description", Value: name, Off: RecordHeaderLen + 1, Len: 1})
	}
	a.out = append(a.out, m)
}

// encrypted shows a record the lab cannot decrypt.
func (a *Analyzer) encrypted(m lab.Message, typ uint8, why string) {
	switch typ {
	case typeHandshake:
		m.Summary = "encrypted handshake (Finished)"
		m.Meaning = "The first record under the new keys: the Finished message, which proves both sides derived the same keys from the whole handshake. "
		m.Handshake = true
	case typeApplicationData:
		m.Summary = fmt.Sprintf("encrypted application data (%d bytes)", len(m.Raw)-RecordHeaderLen)
		m.Meaning = "Application data under the negotiated keys: in WebRTC, SCTP packets carrying the data channels. "
		if a.state.State() == StateFinishing {
			a.state.Move(&m, StateEstablished)
		}
	case typeAlert:
		m.Summary = "encrypted alert"
		m.Meaning = "An alert under the negotiated keys; at the end of an association, close_notify. "
	default:
		m.Summary = fmt.Sprintf("encrypted record of type %d", typ)
	}
	m.Meaning += "The lab cannot show what is inside: " + why + "."
	if strings.HasPrefix(why, "the record does not decrypt") {
		m.Summary += " — does not decrypt"
	}
	m.Fields = append(m.Fields, lab.Field{Name: "encrypted", Value: why, Off: RecordHeaderLen, Len: len(m.Raw) - RecordHeaderLen})
	a.out = append(a.out, m)
}

// decrypt opens a record's body, the keys found in the key log on first need;
// nil and why not when it cannot.
func (a *Analyzer) decrypt(dir lab.Dir, typ uint8, ver uint16, seq uint64, body []byte) ([]byte, string) {
	if a.open[0] == nil {
		if a.nokey != "" {
			return nil, a.nokey
		}
		const none = "the lab has no key for this association (the key log holds no master secret for its ClientHello's random)"
		if a.keys == nil || a.clientRandom == nil || a.serverRandom == nil {
			return nil, none
		}
		master := a.keys.Lookup("CLIENT_RANDOM", a.clientRandom)
		if master == nil {
			return nil, none // it may come later
		}
		c, s, err := tls.Keys12(a.suite, master, a.clientRandom, a.serverRandom)
		if err != nil {
			a.nokey = "the logged master secret does not give keys for " + tls.SuiteName(a.suite) + ": " + err.Error()
			return nil, a.nokey
		}
		a.open = [2]*tls.Opener{c, s}
	}
	o := a.open[0]
	if dir != a.clientDir {
		o = a.open[1]
	}
	pt, err := o.Open(seq, typ, ver, body)
	if err != nil {
		return nil, "the record does not decrypt with the logged master secret: " + err.Error()
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, ""
}

// applicationData hands decrypted application data to the inner layer.
func (a *Analyzer) applicationData(dir lab.Dir, m lab.Message, pt []byte, at time.Time) {
	if a.state.State() == StateFinishing {
		a.state.Move(&m, StateEstablished)
	}
	if a.innerNew == nil || m.NextState != "" {
		m.Fields = a.decryptedFields(m.Raw, len(pt))
	}
	if a.innerNew == nil {
		m.Summary = fmt.Sprintf("application data (%d bytes)", len(pt))
		m.Meaning = "Application data, decrypted with the logged master secret."
		a.out = append(a.out, m)
		return
	}
	if !a.innerMade {
		a.innerMade = true
		a.inner.Call(innerFailed, func() []lab.Message { a.inner.Analyzer = a.innerNew(); return nil })
	}
	if m.NextState != "" {
		m.Summary = fmt.Sprintf("application data (%d bytes)", len(pt))
		m.Meaning = "The first application data, decrypted: the association is up."
		a.out = append(a.out, m)
	}
	if a.inner.Analyzer == nil {
		return
	}
	inner := a.inner.Analyzer
	msgs := a.inner.Lift(a.inner.Call(innerFailed, func() []lab.Message { return inner.Feed(dir, pt, at) }))
	if len(msgs) > 0 {
		// The plaintext is kept as long as the messages that point into it:
		// it counts against the hub's bound, as the captured record does.
		msgs[0].Holds(len(pt))
	}
	if len(a.out) == 0 {
		a.out = msgs // as the inner layer made them: no copy (what is added later goes to a new array)
		return
	}
	a.out = append(a.out, msgs...)
}

const innerFailed = "The analyzer of what DTLS carries hit a bug; the lab shows DTLS's records, not what is inside them."

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// Opened adds nothing: the flow's opening is not DTLS's.
func (a *Analyzer) Opened(lab.OpenInfo) []lab.Message { return nil }

// Closed ends the association with the flow, if no alert ended it before, and
// tells the inner layer.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	var out []lab.Message
	if ca, ok := a.inner.Analyzer.(lab.ConnAnalyzer); ok {
		out = a.inner.Lift(a.inner.Call(innerFailed, func() []lab.Message { return ca.Closed(info) }))
	}
	if s := a.state.State(); s == "" || s == StateClosed {
		return out
	}
	m := lab.Message{Summary: "DTLS association ended with the flow", Teardown: true, Ref: "RFC 6347 §4.2.8",
		Meaning: "The flow ended without a close_notify alert: the association is gone all the same."}
	a.state.Set(StateClosed)
	m.NextState = StateClosed
	return append(out, m)
}
