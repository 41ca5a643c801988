// Package dnsclient is the lab's DNS client (RFC 1035): ask a server one question
// over UDP or TCP and get the answer's sections as plain records. It asks exactly
// the server it is given, as dig does; it is not a recursive resolver.
package dnsclient

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
	labdns "github.com/protocollab/protolab/protocols/dns"
)

// ErrNoAnswer reports that the server did not answer in time: over UDP nothing
// says whether the query or the answer was lost, or nothing listens at all.
var ErrNoAnswer = errors.New("dnsclient: no answer from the server")

// ErrNoListener reports that nothing listens on the server's port (ICMP port
// unreachable over UDP, connection refused over TCP).
var ErrNoListener = errors.New("dnsclient: nothing is listening on that port")

// DefaultTimeout bounds a query whose context has no deadline.
const DefaultTimeout = 3 * time.Second

// Options configures one query.
type Options struct {
	// Tap, if non-nil, captures the query's socket on the client side (over TCP the
	// lab frames DNS by its length prefix, with TCP's handshake beneath). Nil captures nothing.
	Tap *lab.Tap
	// TCP asks over TCP (a two-byte length before each message) instead of UDP.
	TCP bool
}

// Record is one resource record as a person reads it.
type Record struct {
	Name  string // owner, without the final dot
	Type  string // "A", "MX"
	TTL   uint32 // seconds it may be cached
	Value string // the data as a zone file writes it: "127.0.0.1", "10 mail.alpha.test."
}

// Result is a server's answer.
type Result struct {
	Rcode         int    // the response code
	RcodeName     string // "NOERROR", "NXDOMAIN"
	RcodeMeaning  string // what the rcode means, in plain words
	Authoritative bool   // AA: the server holds the zone
	Truncated     bool   // TC: the answer was cut to fit a datagram
	Question      string // "www.lab.test IN A"
	Answer        []Record
	Authority     []Record
	Additional    []Record // without the EDNS OPT pseudo-record
	RTT           time.Duration
	Server        string     // the address asked
	Network       string     // "udp" or "tcp"
	Conv          lab.ConvID // the conversation the query is recorded in; 0 untapped
	Msg           *mdns.Msg  // the whole reply
}

// Query asks server ("127.0.0.1:5354") for the records of type qtype of name.
func Query(ctx context.Context, server, name string, qtype uint16, opts Options) (*Result, error) {
	if _, ok := mdns.IsDomainName(name); !ok || name == "" {
		return nil, fmt.Errorf("dnsclient: %q is not a domain name", name)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	network := "udp"
	tap := opts.Tap
	if opts.TCP {
		network = "tcp"
	}
	req := new(mdns.Msg)
	req.SetQuestion(mdns.Fqdn(name), qtype)
	req.SetEdns0(mdns.DefaultMsgSize, false)

	nc, err := tap.Dial(ctx, network, server)
	if err != nil {
		return nil, explain(err, server)
	}
	defer nc.Close()
	res := &Result{Server: server, Network: network}
	if conv := lab.ConnConversation(nc); conv != nil {
		res.Conv = conv.ID()
	}
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	defer stop()
	t0 := time.Now()
	reply, err := exchange(nc, req, opts.TCP)
	if err != nil {
		return res, explain(err, server)
	}
	res.RTT = time.Since(t0)
	fill(res, reply)
	return res, nil
}

// exchange sends req on nc and reads its reply: over TCP each message follows its
// length in two bytes (RFC 1035 §4.2.2); over UDP each is one datagram. A tapped
// socket is not a net.PacketConn, so the framing is done here rather than by
// miekg's Conn, which decides by that type.
func exchange(nc net.Conn, req *mdns.Msg, tcp bool) (*mdns.Msg, error) {
	b, err := req.Pack()
	if err != nil {
		return nil, err
	}
	if tcp {
		b = append(binary.BigEndian.AppendUint16(nil, uint16(len(b))), b...)
	}
	if _, err := nc.Write(b); err != nil {
		return nil, err
	}
	buf := make([]byte, 64<<10)
	for {
		var n int
		if tcp {
			if _, err := io.ReadFull(nc, buf[:2]); err != nil {
				return nil, err
			}
			n = int(binary.BigEndian.Uint16(buf))
			if _, err := io.ReadFull(nc, buf[:n]); err != nil {
				return nil, err
			}
		} else if n, err = nc.Read(buf); err != nil {
			return nil, err
		}
		reply := new(mdns.Msg)
		if err := reply.Unpack(buf[:n]); err != nil {
			if tcp {
				return nil, fmt.Errorf("the reply is not a DNS message: %w", err)
			}
			continue // a stray datagram
		}
		// A reply with another ID answers some other query (RFC 5452 §9.1).
		if reply.Id == req.Id {
			return reply, nil
		}
	}
}

func fill(res *Result, m *mdns.Msg) {
	res.Msg = m
	res.Rcode, res.RcodeName, res.RcodeMeaning = m.Rcode, labdns.RcodeName(m.Rcode), labdns.RcodeMeaning(m.Rcode)
	res.Authoritative, res.Truncated = m.Authoritative, m.Truncated
	if len(m.Question) > 0 {
		q := m.Question[0]
		res.Question = labdns.Name(q.Name) + " " + mdns.ClassToString[q.Qclass] + " " + labdns.TypeName(q.Qtype)
	}
	res.Answer = records(m.Answer)
	res.Authority = records(m.Ns)
	res.Additional = records(m.Extra)
}

func records(rrs []mdns.RR) []Record {
	var out []Record
	for _, rr := range rrs {
		if _, opt := rr.(*mdns.OPT); opt {
			continue
		}
		h := rr.Header()
		out = append(out, Record{Name: labdns.Name(h.Name), Type: labdns.TypeName(h.Rrtype), TTL: h.Ttl, Value: labdns.Value(rr)})
	}
	return out
}

// explain turns a socket error into one a person can act on.
func explain(err error, server string) error {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w: %s — start the DNS server or check the port (%v)", ErrNoListener, server, err)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w: %s did not answer in time — is the server running, and on that port?", ErrNoAnswer, server)
	}
	return fmt.Errorf("dnsclient: %s: %w", server, err)
}

// Resolve looks host up with an A query at server and returns its first IPv4
// address, and the conversation of the lookup, so that a later connection can be
// linked under it (lab.Conversation.SetLink). An IP address is returned as it is.
func Resolve(ctx context.Context, server, host string, tap *lab.Tap) (ip string, conv lab.ConvID, err error) {
	if addr := net.ParseIP(host); addr != nil {
		return addr.String(), 0, nil
	}
	res, err := Query(ctx, server, host, mdns.TypeA, Options{Tap: tap})
	if err != nil {
		var c lab.ConvID
		if res != nil {
			c = res.Conv
		}
		return "", c, err
	}
	if res.Rcode != mdns.RcodeSuccess {
		return "", res.Conv, fmt.Errorf("dnsclient: %s: %s", host, labdns.RcodeMeaning(res.Rcode))
	}
	for _, rr := range res.Msg.Answer {
		if a, ok := rr.(*mdns.A); ok {
			return a.A.String(), res.Conv, nil
		}
	}
	return "", res.Conv, fmt.Errorf("dnsclient: %s has no IPv4 address (no A record)", host)
}
