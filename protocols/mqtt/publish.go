package mqtt

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/payload"
)

// publish decodes a PUBLISH (§3.3): DUP, QoS and RETAIN in the fixed header's
// flags, the topic name, the packet identifier of QoS 1 and 2, and the
// application message. It marks the publication and, for QoS 1 and 2, the
// delivery's exchange. A brief packet's fields and meaning are built when
// someone looks (publishDetail); a malformed one is shown whole at once.
func (a *Analyzer) publish(p *packet) lab.Message {
	pub := readPublish(p, &a.topics[p.dir])
	if p.brief && (len(p.bad) > 0 || p.short != "") {
		return a.publish(header(p.dir, p.p, false))
	}
	meaning := ""
	if !p.brief {
		meaning = pub.meaning(p.dir)
	}
	m := p.finish(pub.summary(&a.scratch), meaning)
	if len(p.bad) > 0 {
		return m
	}
	if p.brief {
		m.Defer(publishDetail)
	}
	if pub.mapped() {
		m.Pub = a.block.Pub(lab.Publication{Subject: pub.subject, Digest: lab.PayloadDigest(pub.data), Size: len(pub.data)})
	}
	if pub.qos > 0 {
		kind := ExchangeQoS1
		if pub.qos == 2 {
			kind = ExchangeQoS2
		}
		key, id := flight{p.dir, pub.id}, ""
		if f, ok := a.flights[key]; ok && f.topic == pub.topic {
			id = f.id // a resend with DUP
		} else {
			id = exchangeID(p.dir, pub.id)
		}
		m.Exchange = a.block.Exchange(lab.Exchange{Kind: kind, ID: id, State: ExPublished})
		if len(a.flights) < maxTracked {
			a.flights[key] = inFlight{pub.topic, id}
		}
	}
	return m
}

// publishDetail builds the fields and meaning of a PUBLISH framed briefly.
func publishDetail(m *lab.Message) ([]lab.Field, string) {
	p := header(m.Dir, m.Raw, false)
	pub := readPublish(p, nil)
	return p.fields, pub.meaning(m.Dir)
}

// publication is what a PUBLISH carries.
type publication struct {
	dup, retain bool
	qos, id     int
	topic       string
	subject     string // the NATS subject of topic
	subjectErr  error  // why topic has no NATS subject
	data        []byte
}

// mapped reports whether the topic has a NATS subject.
func (pub *publication) mapped() bool { return pub.subjectErr == nil }

// readPublish reads a PUBLISH's flags and variable header, recording faults
// (and, unless p is brief, fields). The topic and its subject come from last
// when it holds them (nil: none is kept).
func readPublish(p *packet, last *topicCache) publication {
	var pub publication
	flags := p.p[0] & 0x0f
	pub.dup, pub.qos, pub.retain = flags&8 != 0, int(flags>>1&3), flags&1 != 0
	if !p.brief {
		p.add("DUP", yesNo(pub.dup), 0, 1)
		p.add("QoS", strconv.Itoa(pub.qos), 0, 1)
		p.add("RETAIN", yesNo(pub.retain), 0, 1)
	}
	switch {
	case pub.qos == 3:
		p.fault("QoS 3", "[MQTT-3.3.1-4]")
	case pub.dup && pub.qos == 0:
		p.fault("DUP set on a QoS 0 message", "[MQTT-3.3.1-2]")
	}
	b, ok := p.lengthPrefixed("topic name", quoteText)
	pub.topic, pub.subject, pub.subjectErr = last.get(b)
	topic := pub.topic
	if pub.qos > 0 {
		pub.id, _ = p.u16("packet identifier")
		if pub.id == 0 && p.short == "" {
			p.fault("packet identifier 0", "[MQTT-2.3.1-1]")
		}
	}
	if p.short == "" {
		var off int
		pub.data, off = p.rest()
		if !p.brief {
			p.add("payload", payload.Show(pub.data), off, len(pub.data))
			p.note("payload size", strconv.Itoa(len(pub.data))+" bytes")
		}
	}
	switch {
	case !ok:
	case topic == "":
		p.fault("an empty topic name", "[MQTT-4.7.3-1]")
	case strings.ContainsAny(topic, "+#"):
		p.fault(fmt.Sprintf("a wildcard in the topic name %q", topic), "[MQTT-3.3.2-2]")
	case pub.subjectErr != nil:
		p.note("NATS subject", "none: nats-server refuses a topic with whitespace or DEL")
	default:
		p.note("NATS subject", pub.subject)
	}
	return pub
}

// summary is the PUBLISH's one line, built in *scratch (kept for the next)
// so that the string is the only allocation.
func (pub *publication) summary(scratch *[]byte) string {
	s := append((*scratch)[:0], "PUBLISH "...)
	s = append(s, pub.topic...)
	if pub.qos > 0 {
		s = strconv.AppendInt(append(s, " QoS "...), int64(pub.qos), 10)
		s = strconv.AppendInt(append(s, " id "...), int64(pub.id), 10)
	}
	if pub.retain {
		s = append(s, " retain"...)
	}
	if pub.dup {
		s = append(s, " DUP"...)
	}
	s = payload.AppendBrief(append(s, ": "...), pub.data)
	if cap(s) <= maxScratch {
		*scratch = s
	}
	return string(s)
}

// topicCache holds the topic a direction last published to and its NATS
// subject: a connection publishes to few topics, so most PUBLISH packets
// reuse both strings rather than make them anew.
type topicCache struct {
	topic, subject string
	err            error
}

// get returns the topic b, its subject and why it has none, from c when c
// holds them (c may be nil), keeping them in c otherwise.
func (c *topicCache) get(b []byte) (topic, subject string, err error) {
	if c != nil && c.topic != "" && c.topic == string(b) {
		return c.topic, c.subject, c.err
	}
	topic = string(b)
	subject, err = TopicToSubject(topic)
	if c != nil {
		*c = topicCache{topic, subject, err}
	}
	return topic, subject, err
}

// exchangeID names a delivery by its publisher and packet id: "client 7".
func exchangeID(publisher lab.Dir, id int) string { return side(publisher) + " " + strconv.Itoa(id) }

// qosWords explains each QoS from the publisher's side.
var qosWords = []string{
	"QoS 0, at most once: no acknowledgement; the message is lost if anything goes wrong.",
	"QoS 1, at least once: the receiver answers PUBACK with the same packet identifier; until then the sender resends with DUP, so a message may arrive twice.",
	"QoS 2, exactly once: the receiver answers PUBREC, the sender PUBREL, the receiver PUBCOMP; only then is the packet identifier free again, and the message was delivered once.",
}

// meaning explains the PUBLISH, sent in direction dir.
func (pub *publication) meaning(dir lab.Dir) string {
	topic, subject, mapped, qos, retain, dup, size := pub.topic, pub.subject, pub.mapped(), pub.qos, pub.retain, pub.dup, len(pub.data)
	var s strings.Builder
	s.Grow(400)
	if dir == lab.ClientToServer {
		s.WriteString("The client publishes a message of " + strconv.Itoa(size) + " bytes to the topic " + strconv.Quote(topic) +
			"; the broker forwards it to every client subscribed to a matching filter")
		if mapped {
			s.WriteString(", and, as the NATS subject " + strconv.Quote(subject) + ", to NATS subscribers")
		}
		s.WriteString(". ")
		if retain && size == 0 {
			s.WriteString("RETAIN with an empty message: the broker deletes the topic's retained message. ")
		} else if retain {
			s.WriteString("RETAIN: the broker also keeps it as the topic's retained message, handed to every client that subscribes later. ")
		}
	} else {
		s.WriteString("The broker delivers a message of " + strconv.Itoa(size) + " bytes published to the topic " + strconv.Quote(topic) +
			": this client subscribed to a filter that matches it. ")
		if retain {
			s.WriteString("RETAIN: it is the topic's retained message, sent because the client just subscribed. ")
		}
	}
	if dup {
		s.WriteString("DUP: the sender may have sent this message before and resends it, not knowing whether it arrived. ")
	}
	if qos < len(qosWords) {
		s.WriteString(qosWords[qos])
	}
	return s.String()
}

// acks describes PUBACK, PUBREC, PUBREL and PUBCOMP: which exchange each
// belongs to, the state it moves it to, whether the publisher sends it, and
// what it says (%[1]s the sender, %[2]s the publisher, %[3]s the receiver).
var acks = map[byte]struct {
	kind, state string
	byPublisher bool
	says        string
}{
	PUBACK: {ExchangeQoS1, ExAcknowledged, false,
		"The %[1]s acknowledges the %[2]s's QoS 1 message: it has it, and the %[2]s stops resending it."},
	PUBREC: {ExchangeQoS2, ExReceived, false,
		"QoS 2, step 2 of 4: the %[1]s has received the %[2]s's message and keeps its packet identifier, so that a resent copy is not delivered twice. The %[2]s answers PUBREL."},
	PUBREL: {ExchangeQoS2, ExReleased, true,
		"QoS 2, step 3 of 4: the %[2]s releases its message and stops resending it. The %[3]s answers PUBCOMP."},
	PUBCOMP: {ExchangeQoS2, ExComplete, false,
		"QoS 2, step 4 of 4: the %[1]s completes the exchange and frees the packet identifier: the %[2]s's message was delivered exactly once."},
}

// ack decodes a PUBACK, PUBREC, PUBREL or PUBCOMP (§3.4–§3.7): a packet
// identifier. A brief packet's fields and meaning are built when someone
// looks; a malformed one is shown whole at once.
func (a *Analyzer) ack(p *packet) lab.Message {
	id, ok := p.u16("packet identifier")
	p.extra()
	if p.brief && (len(p.bad) > 0 || p.short != "") {
		return a.ack(header(p.dir, p.p, false))
	}
	info := acks[p.typ]
	publisher := other(p.dir)
	if info.byPublisher {
		publisher = p.dir
	}
	key := flight{publisher, id}
	f, known := a.flights[key]
	topic := f.topic
	meaning := ""
	if !p.brief {
		meaning = ackMeaning(p.typ, p.dir, id, topic, known)
	}
	m := p.finish(p.kind.name+" "+strconv.Itoa(id), meaning)
	if !ok || len(p.bad) > 0 {
		return m
	}
	if p.brief {
		typ := p.typ
		m.Defer(func(m *lab.Message) ([]lab.Field, string) {
			q := header(m.Dir, m.Raw, false)
			q.u16("packet identifier")
			q.extra()
			return q.fields, ackMeaning(typ, m.Dir, id, topic, known)
		})
	}
	xid := f.id
	if !known {
		xid = exchangeID(publisher, id)
	}
	m.Exchange = a.block.Exchange(lab.Exchange{Kind: info.kind, ID: xid, State: info.state})
	if info.state == ExAcknowledged || info.state == ExComplete {
		delete(a.flights, key)
	}
	return m
}

// ackMeaning explains an acknowledgement of type typ sent in direction dir,
// for the PUBLISH with packet identifier id to topic (known: the analyzer saw it).
func ackMeaning(typ byte, dir lab.Dir, id int, topic string, known bool) string {
	info := acks[typ]
	publisher := other(dir)
	if info.byPublisher {
		publisher = dir
	}
	meaning := fmt.Sprintf(info.says, side(dir), side(publisher), side(other(publisher)))
	if known {
		meaning += fmt.Sprintf(" The message is the %s's PUBLISH to %q with packet identifier %d.", side(publisher), topic, id)
	}
	return meaning
}
