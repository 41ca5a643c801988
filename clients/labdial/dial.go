// Package labdial dials the way the lab's clients do: a lab name such as
// www.lab.test is first resolved through the lab's own DNS server (so the lookup
// is captured like any other conversation), then the connection is made through
// the protocol's tap and linked under that lookup, so the inspector can show the
// request's first step: client → DNS → IP → server.
package labdial

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/protocollab/protolab/clients/dnsclient"
	"github.com/protocollab/protolab/lab"
)

// Dialer dials through a tap, resolving lab names through the lab's resolver.
// The zero value dials untapped and resolves nothing itself. It is safe for
// concurrent use.
type Dialer struct {
	// Tap captures the connection; nil captures nothing.
	Tap *lab.Tap
	// Resolver is the lab DNS server's address ("127.0.0.1:5354"). Empty means
	// names other than IP addresses and localhost cannot be dialed: the lab never
	// asks the outside world.
	Resolver string
	// DNSTap captures the lookup (the DNS protocol's tap); nil captures nothing.
	DNSTap *lab.Tap
}

// Lookup is what resolving a host gave: its address and the conversation of the lookup.
type Lookup struct {
	Host string
	IP   string
	Conv lab.ConvID // zero when no lookup was needed (an IP address, localhost)
}

// Resolve turns host into an IP address: an IP address as it is, localhost as
// 127.0.0.1, anything else through the lab's resolver.
func (d *Dialer) Resolve(ctx context.Context, host string) (Lookup, error) {
	if ip := net.ParseIP(host); ip != nil {
		return Lookup{Host: host, IP: ip.String()}, nil
	}
	if strings.EqualFold(host, "localhost") {
		return Lookup{Host: host, IP: "127.0.0.1"}, nil
	}
	if d.Resolver == "" {
		return Lookup{Host: host}, fmt.Errorf("labdial: %s is a name, and no lab DNS server is running to resolve it — start the DNS server, or use 127.0.0.1", host)
	}
	ip, conv, err := dnsclient.Resolve(ctx, d.Resolver, host, d.DNSTap)
	if err != nil {
		return Lookup{Host: host, Conv: conv}, fmt.Errorf("labdial: looking up %s at the lab DNS server %s: %w", host, d.Resolver, err)
	}
	return Lookup{Host: host, IP: ip, Conv: conv}, nil
}

// DialContext resolves addr's host (see Resolve) and connects to it through the
// tap. A connection that needed a lookup is linked under the lookup's conversation.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("labdial: %q is not host:port: %w", addr, err)
	}
	lk, err := d.Resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	c, err := d.Tap.Dial(ctx, network, net.JoinHostPort(lk.IP, port))
	if err != nil {
		return nil, err
	}
	Link(c, lk)
	return c, nil
}

// Dial dials addr with d when it is set, and otherwise straight through tap
// (nil: untapped), which resolves names the system's way: the choice each
// client's Options offer, a Dialer for lab names or a Tap alone.
func Dial(ctx context.Context, d *Dialer, tap *lab.Tap, network, addr string) (net.Conn, error) {
	if d != nil {
		return d.DialContext(ctx, network, addr)
	}
	return tap.Dial(ctx, network, addr)
}

// Link puts c's conversation under the lookup that found its address, labelled
// "www.lab.test → 127.0.0.1". Nothing happens when no lookup was made or c is untapped.
func Link(c net.Conn, lk Lookup) {
	if lk.Conv == 0 {
		return
	}
	if conv := lab.ConnConversation(c); conv != nil {
		conv.SetLink(lab.Link{Kind: lab.LinkLookup, Parent: lk.Conv, Dialler: lab.SideClient, Label: lk.Host + " → " + lk.IP})
	}
}
