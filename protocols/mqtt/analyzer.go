package mqtt

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// Bounds on what the analyzer holds.
const (
	// MaxPacket bounds the bytes of one control packet the analyzer holds
	// (MQTT allows 256 MiB; nats-server refuses a PUBLISH over its 1 MiB
	// max_payload): a longer packet is shown by its header and counted.
	MaxPacket = 4 << 20
	// maxTracked bounds the in-flight deliveries and subscriptions remembered
	// to explain their acknowledgements.
	maxTracked = 1024
	// keptBig is how many bytes of a packet over MaxPacket its message keeps.
	keptBig = 64
)

// Analyzer frames one MQTT connection into control packets and follows its
// session (States, Transitions). It is a lab.ConnAnalyzer: the end of the
// connection ends the session, and one without DISCONNECT is when the broker
// publishes the will. Like every lab.Analyzer it is used from one goroutine at
// a time.
type Analyzer struct {
	state    lab.Machine
	dirs     [3]direction // by lab.Dir
	connects int          // CONNECT packets the client sent
	will     string       // the will's topic, "" for none
	flights  map[flight]inFlight
	subs     map[int][]string // SUBSCRIBE's filters by packet id, until the SUBACK
	topics   [3]topicCache    // the last topic published, by lab.Dir
	block    framing.Block    // where Feed's messages are kept
	scratch  []byte           // where a summary is built before it becomes a string
	out      []lab.Message    // what the Feed being run has framed
	// The like PUBLISH packets gathered from the read being framed
	// (burst.go); burstAt is the fewest that make a burst (framing.BurstMin; tests
	// make it smaller), and single frames each packet on its own, in no
	// burst: what tests compare the rest with.
	run     run
	burstAt int
	single  bool
}

// maxScratch is the largest summary buffer an analyzer keeps between packets.
const maxScratch = 1 << 10

// direction is the input of one direction.
type direction struct {
	buf     framing.Length
	big     int   // the length of the packet over MaxPacket size just met
	skip    int   // bytes of a packet over MaxPacket still to count
	stopped bool  // a remaining length no packet can have: nothing more is framed
	ignored int64 // bytes counted after stopping
}

// inFlight is what the analyzer keeps of a delivery in progress: its topic and
// its exchange's ID, which each acknowledgement carries again.
type inFlight struct{ topic, id string }

// flight is one QoS 1 or 2 delivery in progress: who published it, with which packet id.
type flight struct {
	publisher lab.Dir
	id        int
}

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for one MQTT connection.
func NewAnalyzer() *Analyzer {
	return &Analyzer{state: machine, flights: map[flight]inFlight{}, subs: map[int][]string{}, burstAt: framing.BurstMin}
}

// State is the session's state: one of States, "" before the CONNECT.
func (a *Analyzer) State() string { return a.state.State() }

// Pending is how many bytes the analyzer holds for dir: the start of a packet.
func (a *Analyzer) Pending(dir lab.Dir) int {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	return a.dirs[dir].buf.Held()
}

// Opened does nothing: the session begins with the client's CONNECT.
func (a *Analyzer) Opened(lab.OpenInfo) []lab.Message { return nil }

var errTooBig = errors.New("mqtt: a packet longer than the lab holds")

// remaining is the length of a packet from its fixed header (§2.2.3), whatever it is.
var remaining = framing.VariableLength(1, math.MaxInt)

// size is the framing.Size of d's packets: any whose remaining length is
// well-formed, those over MaxPacket reported as errTooBig.
func (d *direction) size(data []byte) (int, error) {
	n, err := remaining(data)
	if err == nil && n > MaxPacket {
		d.big = n
		return 0, errTooBig
	}
	return n, err
}

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return nil
	}
	d := &a.dirs[dir]
	a.out = a.block.Start()
	for len(b) > 0 {
		if d.skip > 0 {
			k := min(d.skip, len(b))
			d.skip -= k
			b = b[k:]
			continue
		}
		if d.stopped {
			d.ignored += int64(len(b))
			break
		}
		rest, err := d.buf.Feed(b, d.size, func(p []byte) bool {
			a.frame(dir, p)
			return false
		})
		b = nil
		switch {
		case errors.Is(err, errTooBig):
			a.flush()
			a.out = append(a.out, a.tooBig(dir, rest, d.big))
			d.skip, b = d.big, rest
		case err != nil:
			a.flush()
			a.out = append(a.out, badLength(dir, rest))
			d.stopped = true
			d.ignored += int64(len(rest))
		}
	}
	a.flush()
	out := a.block.Done(a.out)
	a.out = nil
	return out
}

// tooBig reports a packet of n bytes, more than MaxPacket, whose start is data.
func (a *Analyzer) tooBig(dir lab.Dir, data []byte, n int) lab.Message {
	typ := data[0] >> 4
	return lab.Message{
		Dir:     dir,
		Summary: fmt.Sprintf("%s of %d bytes, not held", kinds[typ].name, n),
		Meaning: fmt.Sprintf("A packet longer than the %d bytes the lab holds of one packet: it shows its start and counts the rest. "+
			"nats-server refuses a PUBLISH bigger than its max_payload (1 MiB unless configured) and closes the connection.", MaxPacket),
		Ref:      kinds[typ].ref,
		Raw:      data[:min(len(data), keptBig)],
		Fields:   []lab.Field{{Name: "packet type", Value: fmt.Sprintf("%d %s", typ, kinds[typ].name), Off: 0, Len: 1}},
		Observed: true,
	}
}

// badLength reports a remaining length of more than four bytes, data the bytes from it on.
func badLength(dir lab.Dir, data []byte) lab.Message {
	raw := data[:min(len(data), 5)]
	return lab.Message{
		Dir:     dir,
		Summary: fmt.Sprintf("malformed: a remaining length of more than 4 bytes (% x)", raw[1:]),
		Meaning: "After the packet type byte comes the remaining length, seven bits a byte with the high bit set " +
			"while another follows, in at most four bytes (up to 268,435,455). These bytes go on past four, so " +
			"no packet can start here and nothing after can be framed: a broker closes the connection (§4.8). " +
			"The lab only counts the rest of this direction.",
		Ref:      "MQTT 3.1.1 §2.2.3, §4.8",
		Raw:      raw,
		Fields:   []lab.Field{{Name: "remaining length", Value: "more than 4 bytes", Off: 1, Len: len(raw) - 1}},
		Observed: true,
	}
}

// roles marks the packets that ask and those that answer them, for the
// timing view (§3.2, §3.9, §3.11, §3.13): each request has one answer, which
// Pair ties to it by its kind and packet identifier ("SUBSCRIBE 3"), as a
// client may send a PINGREQ before the SUBACK to its SUBSCRIBE comes.
var roles = map[byte]struct {
	role lab.Role
	pair string
}{
	CONNECT: {lab.RoleRequest, "CONNECT"}, CONNACK: {lab.RoleAnswer, "CONNECT"},
	SUBSCRIBE: {lab.RoleRequest, "SUBSCRIBE"}, SUBACK: {lab.RoleAnswer, "SUBSCRIBE"},
	UNSUBSCRIBE: {lab.RoleRequest, "UNSUBSCRIBE"}, UNSUBACK: {lab.RoleAnswer, "UNSUBSCRIBE"},
	PINGREQ: {lab.RoleRequest, "PINGREQ"}, PINGRESP: {lab.RoleAnswer, "PINGREQ"},
}

// packet decodes one whole control packet, raw, sent in direction dir.
func (a *Analyzer) packet(dir lab.Dir, raw []byte) lab.Message {
	m := a.decode(dir, raw)
	r, ok := roles[raw[0]>>4]
	if !ok || strings.HasPrefix(m.Summary, "malformed") {
		return m
	}
	m.Role, m.Pair = r.role, r.pair
	for _, f := range m.Fields {
		if f.Name == "packet identifier" {
			m.Pair += " " + f.Value
		}
	}
	return m
}

// decode decodes one whole control packet, raw, sent in direction dir. The
// busy traffic of a session, PUBLISH and its acknowledgements, is framed and
// checked now and its fields built when someone looks (lab.Message.Defer).
func (a *Analyzer) decode(dir lab.Dir, raw []byte) lab.Message {
	typ := raw[0] >> 4
	if typ >= PUBLISH && typ <= PUBCOMP && (dir == lab.ServerToClient || a.connects > 0) {
		var p packet // on the stack: the busy path allocates little
		if typ == PUBLISH {
			return a.publish(header1(&p, dir, raw, true))
		}
		return a.ack(header1(&p, dir, raw, true))
	}
	p := header(dir, raw, false)
	if dir == lab.ClientToServer {
		switch {
		case p.typ == CONNECT && a.connects > 0:
			p.fault("a second CONNECT on one connection", "[MQTT-3.1.0-2]")
		case p.typ != CONNECT && a.connects == 0:
			p.fault("sent before CONNECT, which must be a client's first packet", "[MQTT-3.1.0-1]")
		}
	}
	switch p.typ {
	case CONNECT:
		a.connects++
		return a.connect(p)
	case CONNACK:
		return a.connack(p)
	case PUBLISH:
		return a.publish(p)
	case PUBACK, PUBREC, PUBREL, PUBCOMP:
		return a.ack(p)
	case SUBSCRIBE:
		return a.subscribe(p)
	case SUBACK:
		return a.suback(p)
	case UNSUBSCRIBE:
		return a.unsubscribe(p)
	case UNSUBACK:
		return a.unsuback(p)
	case PINGREQ, PINGRESP:
		p.extra()
		return p.finish(p.kind.name, p.kind.meaning)
	case DISCONNECT:
		p.extra()
		m := p.finish(p.kind.name, p.kind.meaning)
		m.Teardown = true
		if len(p.bad) == 0 {
			a.will = ""
			a.state.Move(&m, StateDisconnected)
		}
		return m
	}
	p.extra()
	return p.finish("", "")
}

// Closed ends the session with the connection: bytes of an unfinished packet
// are shown, and a session that did not end with DISCONNECT ends here, the
// broker publishing the will if there is one.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	var out []lab.Message
	for d := lab.ClientToServer; d <= lab.ServerToClient; d++ {
		if raw := a.dirs[d].buf.Take(); len(raw) > 0 {
			out = append(out, lab.Message{
				Dir:      d,
				Summary:  fmt.Sprintf("%d bytes of an unfinished packet", len(raw)),
				Meaning:  "The connection ended before the whole packet its fixed header announced had come.",
				Ref:      "MQTT 3.1.1 §2.2.3",
				Raw:      raw,
				Observed: true,
			})
		}
	}
	closing := lab.Message{
		Dir:      info.By.Outbound(),
		Summary:  "connection closed without DISCONNECT",
		Meaning:  "The network connection ended without the client's DISCONNECT: for the broker the client is gone.",
		Ref:      "MQTT 3.1.1 §3.1.2.5",
		Teardown: true,
	}
	switch a.state.State() {
	case "":
		closing.Summary, closing.Meaning = "connection closed", "The connection ended before an MQTT session began: no CONNECT was sent."
		closing.Ref = "MQTT 3.1.1 §3.1"
	case StateRefused:
		closing.Summary, closing.Meaning = "connection closed after the refusal", "After a CONNACK that refuses the session the broker closes the network connection."
		closing.Ref = "MQTT 3.1.1 §3.2.2.3"
	case StateConnected:
		if a.will != "" {
			closing.Meaning += fmt.Sprintf(" That is when the broker publishes the client's will, to the topic %q, to every subscriber of a matching filter.", a.will)
			closing.Fields = []lab.Field{{Name: "will topic", Value: a.will}}
		}
	}
	a.will = ""
	return a.state.End(out, StateDisconnected, closing)
}
