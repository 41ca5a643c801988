package dns

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// Analyzer shows each datagram of a UDP flow as one DNS message. Like every
// lab.Analyzer it is used from one goroutine at a time; messages share memory with
// the bytes given to Feed.
type Analyzer struct {
	// A resolver asks each query from a socket of its own: most flows are
	// a query and its answer, whose messages are kept here, with the
	// analyzer, rather than in an allocation each.
	first [2]lab.Message
	n     int
}

var _ lab.Analyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for DNS over UDP: each Feed is one datagram.
func NewAnalyzer() *Analyzer { return &Analyzer{} }

// State is always "": DNS keeps no session state.
func (a *Analyzer) State() string { return "" }

// Feed turns one datagram into one message; bytes that are not a DNS message give a
// message that says so.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, _ time.Time) []lab.Message {
	m := describe(dir, b, b, "RFC 1035 §4.1")
	if a.n < len(a.first) {
		// Each is handed out once, its room cut to it: the hub keeps it as it is.
		a.first[a.n] = m
		a.n++
		return a.first[a.n-1 : a.n : a.n]
	}
	return []lab.Message{m}
}

// StreamAnalyzer frames DNS over TCP: every message follows a two-byte length
// (RFC 1035 §4.2.2). It keeps a partial message per direction.
type StreamAnalyzer struct {
	pending [3]framing.Length // by lab.Dir
}

var _ lab.Analyzer = (*StreamAnalyzer)(nil)

// NewStreamAnalyzer returns an analyzer for DNS over TCP.
func NewStreamAnalyzer() *StreamAnalyzer { return &StreamAnalyzer{} }

// State is always "": DNS keeps no session state.
func (a *StreamAnalyzer) State() string { return "" }

// lengthPrefix is the size of a DNS message over TCP: two bytes of length, then
// that many (RFC 1035 §4.2.2); any length is one a message may have.
var lengthPrefix = framing.BigEndian(0, 2, 0, 2+0xffff)

// Feed frames the whole messages that b completes; a message's Raw includes its
// length prefix.
func (a *StreamAnalyzer) Feed(dir lab.Dir, b []byte, _ time.Time) []lab.Message {
	if dir > lab.ServerToClient {
		dir = lab.DirNone
	}
	var msgs []lab.Message
	a.pending[dir].Feed(b, lengthPrefix, func(p []byte) bool {
		m := describe(dir, p[2:], p, "RFC 1035 §4.2.2, §4.1")
		m.Fields = append([]lab.Field{{Name: "length prefix", Value: strconv.Itoa(len(p)-2) + " bytes", Len: 2}}, m.Fields...)
		msgs = append(msgs, m)
		return false
	})
	return msgs
}

// describe makes the message for one DNS message body; raw is what crossed the wire.
func describe(dir lab.Dir, body, raw []byte, ref string) lab.Message {
	m := lab.Message{Dir: dir, Raw: raw, Ref: ref, Observed: true}
	slot, summary, ok := summaries.get(body)
	if ok {
		// The same bytes, but perhaps the ID, unpacked as these do.
		m.Summary = summary
		m.DeferTo(detail(len(raw) - len(body)))
		return m
	}
	var msg mdns.Msg
	if err := msg.Unpack(body); err != nil {
		m.Summary = fmt.Sprintf("malformed DNS message (%d bytes)", len(body))
		m.Meaning = "These bytes do not parse as a DNS message (RFC 1035 §4.1): a 12-byte header, " +
			"then the question and the resource records. A server answers such bytes with FORMERR or not at all."
		m.Fields = []lab.Field{{Name: "error", Value: err.Error()}, {Name: "hex", Value: lab.HexPreview(body, 64)}}
		return m
	}
	m.Summary = Summary(&msg)
	summaries.put(slot, body, m.Summary)
	// The fields and meaning are built when someone looks: a resolver's
	// busy traffic is mostly never opened.
	m.DeferTo(detail(len(raw) - len(body)))
	return m
}

// detail builds a message's fields and meaning when someone looks, from its
// bytes past the first detail of them (TCP's length prefix, or none). A small
// number, not a closure: it costs a message no allocation.
type detail int

func (off detail) Fill(m *lab.Message) ([]lab.Field, string) {
	var msg mdns.Msg
	body := m.Raw[off:]
	if err := msg.Unpack(body); err != nil { // it unpacked when it was framed
		return nil, ""
	}
	return fields(&msg, body, int(off)), meaning(&msg)
}

// Summary is one line about msg: "query A www.lab.test",
// "response NOERROR A www.lab.test → 127.0.0.1" or "response NXDOMAIN A x.lab.test".
func Summary(msg *mdns.Msg) string {
	b := make([]byte, 0, 64)
	if msg.Response {
		b = append(b, "response "...)
		b = append(b, RcodeName(msg.Rcode)...)
	} else {
		b = append(b, "query"...)
		if msg.Opcode != mdns.OpcodeQuery {
			b = append(append(b, ' '), opcodeName(msg.Opcode)...)
		}
	}
	if len(msg.Question) > 0 {
		q := msg.Question[0]
		b = append(append(b, ' '), TypeName(q.Qtype)...)
		b = append(append(b, ' '), Name(q.Name)...)
	}
	if msg.Response && len(msg.Answer) > 0 {
		b = append(b, " → "...)
		start := len(b)
		for i, rr := range msg.Answer {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendValue(b, rr)
			if len(b)-start > 80 {
				break // cut below; the rest would not show
			}
		}
		if len(b)-start > 80 {
			b = append(b[:start+77], "…"...)
		}
	}
	if msg.Truncated {
		b = append(b, " (truncated)"...)
	}
	return string(b)
}

// Name is a domain name as a person writes it: without the final dot ("." for the root).
func Name(s string) string {
	if s == "." || s == "" {
		return "."
	}
	return strings.TrimSuffix(s, ".")
}

// TypeName is the mnemonic of a record type ("A", "MX"), or TYPEn for an unknown one.
func TypeName(t uint16) string {
	if s, ok := mdns.TypeToString[t]; ok {
		return s
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// RcodeName is the mnemonic of a response code ("NOERROR", "NXDOMAIN").
func RcodeName(rc int) string {
	if s, ok := mdns.RcodeToString[rc]; ok {
		return s
	}
	return "RCODE" + strconv.Itoa(rc)
}

func opcodeName(op int) string {
	if s, ok := mdns.OpcodeToString[op]; ok {
		return s
	}
	return "OPCODE" + strconv.Itoa(op)
}

// appendValue appends Value(rr) to b; an address without a string of its own.
func appendValue(b []byte, rr mdns.RR) []byte {
	switch rr := rr.(type) {
	case *mdns.A:
		if a, ok := netip.AddrFromSlice(rr.A); ok && a.Unmap().Is4() {
			return a.Unmap().AppendTo(b)
		}
	case *mdns.AAAA:
		if a, ok := netip.AddrFromSlice(rr.AAAA); ok && a.Is6() && !a.Is4In6() {
			return a.AppendTo(b)
		}
	}
	return append(b, Value(rr)...)
}

// Value is a record's data as the zone file writes it: "127.0.0.1", "10 mail.alpha.test".
func Value(rr mdns.RR) string {
	// An address, the most common answer, is written directly: as the
	// record's String writes it, without the header written to be cut off.
	switch rr := rr.(type) {
	case *mdns.A:
		if rr.A != nil {
			return rr.A.String()
		}
	case *mdns.AAAA:
		if rr.AAAA != nil && rr.AAAA.To4() == nil {
			return rr.AAAA.String()
		}
	}
	h := rr.Header().String()
	return strings.TrimSpace(strings.TrimPrefix(rr.String(), h))
}

// RcodeMeaning explains a response code in plain words.
func RcodeMeaning(rc int) string {
	switch rc {
	case mdns.RcodeSuccess:
		return "NOERROR: the name exists; the answer section holds the records asked for (it may be empty: the name has none of that type)"
	case mdns.RcodeNameError:
		return "NXDOMAIN: no such name — the server knows the zone and the name is not in it"
	case mdns.RcodeFormatError:
		return "FORMERR: the server could not read the query"
	case mdns.RcodeServerFailure:
		return "SERVFAIL: the server failed to answer"
	case mdns.RcodeNotImplemented:
		return "NOTIMP: the server does not do this kind of request"
	case mdns.RcodeRefused:
		return "REFUSED: the server will not answer this request (here: zone transfers and classes other than IN)"
	}
	return RcodeName(rc) + ": a response code beyond RFC 1035's"
}

func meaning(msg *mdns.Msg) string {
	if !msg.Response {
		if len(msg.Question) == 0 {
			return "A DNS request without a question (RFC 1035 §4.1.2)."
		}
		q := msg.Question[0]
		return fmt.Sprintf("The client asks for the %s records of %s. The ID %d lets it match the answer "+
			"to this query; RD (recursion desired) asks the server to find the answer elsewhere if it "+
			"does not hold it.", TypeName(q.Qtype), Name(q.Name), msg.Id)
	}
	s := "The server answers query " + strconv.Itoa(int(msg.Id)) + ". " + RcodeMeaning(msg.Rcode) + "."
	if msg.Authoritative {
		s += " AA: the server holds the zone itself, so the answer is authoritative."
	}
	if msg.Rcode == mdns.RcodeNameError && len(msg.Ns) > 0 {
		s += " The authority section's SOA record says how long the \"no\" may be cached."
	}
	if msg.Truncated {
		s += " TC: the answer did not fit in the datagram; ask again over TCP."
	}
	return s
}

func flags(msg *mdns.Msg) string {
	var f []string
	if msg.Response {
		f = append(f, "QR")
	}
	for _, x := range []struct {
		on   bool
		name string
	}{{msg.Authoritative, "AA"}, {msg.Truncated, "TC"}, {msg.RecursionDesired, "RD"},
		{msg.RecursionAvailable, "RA"}, {msg.AuthenticatedData, "AD"}, {msg.CheckingDisabled, "CD"}} {
		if x.on {
			f = append(f, x.name)
		}
	}
	s := "opcode " + opcodeName(msg.Opcode)
	if len(f) > 0 {
		s = strings.Join(f, " ") + ", " + s
	}
	if msg.Response {
		s += ", rcode " + RcodeName(msg.Rcode)
	}
	return s
}

// fields lists msg's header fields, then each question and record over its
// parts; body is msg on the wire, at base in the message's Raw.
func fields(msg *mdns.Msg, body []byte, base int) []lab.Field {
	fs := []lab.Field{
		{Name: "id", Value: strconv.Itoa(int(msg.Id)), Off: base, Len: 2},
		{Name: "flags", Value: flags(msg), Off: base + 2, Len: 2},
		{Name: "counts", Value: fmt.Sprintf("%d questions, %d answers, %d authority, %d additional",
			len(msg.Question), len(msg.Answer), len(msg.Ns), len(msg.Extra)), Off: base + 4, Len: 8},
	}
	at := layout(body, len(msg.Question), len(msg.Answer)+len(msg.Ns)+len(msg.Extra))
	span := func(f lab.Field, r int, from, to int) lab.Field {
		if at != nil {
			f.Off, f.Len = base+at[r].start+from, to-from
		}
		return f
	}
	for i, q := range msg.Question {
		r := at.get(i)
		fs = append(fs,
			span(lab.Field{Name: numbered("question", i, len(msg.Question)), Value: Name(q.Name) + " " + classOf(q.Qclass) + " " + TypeName(q.Qtype)}, i, 0, r.end-r.start),
			span(lab.Field{Name: "name", Value: Name(q.Name)}, i, 0, r.name),
			span(lab.Field{Name: "type", Value: TypeName(q.Qtype)}, i, r.name, r.name+2),
			span(lab.Field{Name: "class", Value: classOf(q.Qclass)}, i, r.name+2, r.name+4))
	}
	k := len(msg.Question)
	for _, sec := range []struct {
		name string
		rrs  []mdns.RR
	}{{"answer", msg.Answer}, {"authority", msg.Ns}, {"additional", msg.Extra}} {
		for i, rr := range sec.rrs {
			v := rr.String()
			if opt, ok := rr.(*mdns.OPT); ok {
				v = fmt.Sprintf("OPT: EDNS(0) version %d, UDP payload up to %d bytes (RFC 6891)", opt.Version(), opt.UDPSize())
			}
			h := rr.Header()
			r := at.get(k)
			fs = append(fs,
				span(lab.Field{Name: numbered(sec.name, i, len(sec.rrs)), Value: v}, k, 0, r.end-r.start),
				span(lab.Field{Name: "name", Value: Name(h.Name)}, k, 0, r.name),
				span(lab.Field{Name: "type", Value: TypeName(h.Rrtype)}, k, r.name, r.name+2),
				span(lab.Field{Name: "class", Value: classOf(h.Class)}, k, r.name+2, r.name+4),
				span(lab.Field{Name: "TTL", Value: fmt.Sprintf("%d s", h.Ttl)}, k, r.name+4, r.name+8),
				span(lab.Field{Name: "data", Value: Value(rr)}, k, r.name+10, r.end-r.start))
			k++
		}
	}
	return fs
}

func numbered(name string, i, n int) string {
	if n == 1 {
		return name
	}
	return name + " " + strconv.Itoa(i+1)
}

func classOf(c uint16) string {
	if s, ok := mdns.ClassToString[c]; ok {
		return s
	}
	return "CLASS" + strconv.Itoa(int(c))
}
