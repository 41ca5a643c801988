package lab

import "hash/fnv"

// Publication marks a message that carries an application message through a
// broker: from a publisher to the broker (Dir ClientToServer) or from the broker
// to a subscriber (ServerToClient). The hub pairs a publication with the
// deliveries that follow it by subject and payload, across conversations and
// protocols, so a person can follow one message through the broker (one
// PUBLISH in, N deliveries out; an MQTT publish delivered to a NATS subscriber).
type Publication struct {
	// Subject is the broker-neutral subject, in NATS form: "lab.sensors.t1".
	// An analyzer of a protocol with another form maps it (MQTT's topic
	// "lab/sensors/t1" is the subject "lab.sensors.t1"). Subjects are the lab
	// broker's (nats-server's, which MQTT and NATS share): a protocol whose
	// messages go through another broker names its subjects after it, its
	// name and a colon first ("redis:news"), so that no publication is
	// followed to a broker it never reached.
	Subject string
	// Digest is PayloadDigest of the payload, Size its length in bytes.
	Digest uint64
	Size   int
	// Burst, when the message stands for several publications of one
	// subject that crossed side by side in one read or write (a broker's write of
	// hundreds of deliveries to a busy subscriber: a burst, which the lab
	// shows as one message, as Wireshark shows the PDUs of one segment under
	// one frame), holds the digests of the publications after the first, in
	// order; Digest is the first's, and Size counts the payloads of them all.
	// Nil for one publication.
	Burst []uint64
}

// Count is how many publications p stands for: 1, or a burst's.
func (p *Publication) Count() int { return 1 + len(p.Burst) }

// digest returns the digest of the i-th publication of p (0 ≤ i < Count).
func (p *Publication) digest(i int) uint64 {
	if i == 0 {
		return p.Digest
	}
	return p.Burst[i-1]
}

// PayloadDigest returns the digest a Publication carries of payload (FNV-1a, 64 bits).
func PayloadDigest(payload []byte) uint64 {
	h := fnv.New64a()
	h.Write(payload)
	return h.Sum64()
}

// Exchange places a message in a small exchange of its own inside its
// conversation, with its own states: an MQTT QoS 2 delivery goes published →
// received → released → complete over PUBLISH, PUBREC, PUBREL and PUBCOMP while
// the session stays connected. Protocol.Exchanges describes each kind.
type Exchange struct {
	Kind  string // a key of Protocol.Exchanges: "qos2"
	ID    string // tells apart exchanges of that kind in one conversation: "client 7" (sender and packet id)
	State string // the exchange's state after this message
}

// ExchangeKind describes one kind of exchange: its title for people and its
// state machine, drawn in the order of States.
type ExchangeKind struct {
	Title       string // "QoS 2 delivery"
	States      []string
	Transitions [][2]string
}

// Role says what a message is in a request/answer exchange, for the timing
// waterfall: the analyzer marks the message that asks and the messages of its
// answer (Message.Pair says which request they answer when several are open
// at once); the rest are neither.
type Role uint8

// The roles of a message.
const (
	RoleNone    Role = iota
	RoleRequest      // the message asks: an HTTP request, a WebSocket upgrade request
	RoleAnswer       // the message is (part of) the answer to a request: an HTTP response, an HTTP/2 response's frames
)
