package ftp

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ErrBadAddress reports a PORT, EPRT, PASV or EPSV address that does not parse.
var ErrBadAddress = errors.New("ftp: malformed address")

// ParseHostPort parses RFC 959's "h1,h2,h3,h4,p1,p2" (PORT's argument and the
// numbers in a 227 reply): an IPv4 address and a port of p1*256+p2.
func ParseHostPort(s string) (netip.AddrPort, error) {
	parts := strings.Split(strings.TrimSpace(s), ",")
	if len(parts) != 6 {
		return netip.AddrPort{}, fmt.Errorf("%w: %q is not six numbers h1,h2,h3,h4,p1,p2", ErrBadAddress, s)
	}
	var n [6]byte
	for i, p := range parts {
		v, err := strconv.ParseUint(strings.TrimSpace(p), 10, 8)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("%w: %q: each number is 0 to 255", ErrBadAddress, s)
		}
		n[i] = byte(v)
	}
	ip := netip.AddrFrom4([4]byte{n[0], n[1], n[2], n[3]})
	return netip.AddrPortFrom(ip, uint16(n[4])<<8|uint16(n[5])), nil
}

// FormatHostPort is the "h1,h2,h3,h4,p1,p2" form of an IPv4 address and port.
func FormatHostPort(ap netip.AddrPort) (string, error) {
	ip := ap.Addr().Unmap()
	if !ip.Is4() {
		return "", fmt.Errorf("%w: %s is not IPv4 (PORT and PASV carry only IPv4; use EPRT and EPSV)", ErrBadAddress, ip)
	}
	b := ip.As4()
	return fmt.Sprintf("%d,%d,%d,%d,%d,%d", b[0], b[1], b[2], b[3], ap.Port()>>8, ap.Port()&0xff), nil
}

// ParsePASV finds the address in a 227 reply's text: "Entering Passive Mode
// (h1,h2,h3,h4,p1,p2)". The parentheses are optional, as RFC 1123 §4.1.2.6 asks
// clients to accept.
func ParsePASV(text string) (netip.AddrPort, error) {
	start := strings.IndexAny(text, "0123456789")
	if start < 0 {
		return netip.AddrPort{}, fmt.Errorf("%w: no numbers in %q", ErrBadAddress, text)
	}
	end := start
	for end < len(text) && (text[end] == ',' || text[end] == ' ' || '0' <= text[end] && text[end] <= '9') {
		end++
	}
	return ParseHostPort(strings.TrimRight(text[start:end], " ,"))
}

// EPRT's network protocol numbers (RFC 2428 §2).
const (
	NetIPv4 = 1
	NetIPv6 = 2
)

// ParseEPRT parses EPRT's argument "|1|132.235.1.2|6275|" (RFC 2428 §2): the
// delimiter is the first character; the protocol is 1 (IPv4) or 2 (IPv6) and must
// match the address.
func ParseEPRT(s string) (proto int, ap netip.AddrPort, err error) {
	f, err := delimited(s, 3)
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	proto, err = strconv.Atoi(f[0])
	if err != nil || (proto != NetIPv4 && proto != NetIPv6) {
		return 0, netip.AddrPort{}, fmt.Errorf("%w: network protocol %q: 1 is IPv4, 2 is IPv6", ErrBadAddress, f[0])
	}
	ip, err := netip.ParseAddr(f[1])
	if err != nil || ip.Zone() != "" {
		return proto, netip.AddrPort{}, fmt.Errorf("%w: %q is not an IP address", ErrBadAddress, f[1])
	}
	if (proto == NetIPv4) != ip.Is4() {
		return proto, netip.AddrPort{}, fmt.Errorf("%w: %s does not match network protocol %d", ErrBadAddress, ip, proto)
	}
	port, err := strconv.ParseUint(f[2], 10, 16)
	if err != nil || port == 0 {
		return proto, netip.AddrPort{}, fmt.Errorf("%w: port %q: 1 to 65535", ErrBadAddress, f[2])
	}
	return proto, netip.AddrPortFrom(ip, uint16(port)), nil
}

// FormatEPRT is EPRT's argument for ap: "|1|127.0.0.1|50211|" or "|2|::1|50211|".
func FormatEPRT(ap netip.AddrPort) string {
	ip := ap.Addr().Unmap()
	proto := NetIPv4
	if !ip.Is4() {
		proto = NetIPv6
	}
	return fmt.Sprintf("|%d|%s|%d|", proto, ip.WithZone(""), ap.Port())
}

// ParseEPSV finds the port in a 229 reply's text: "Entering Extended Passive Mode
// (|||6446|)" (RFC 2428 §3). The client connects to that port at the address it
// already reached the server on.
func ParseEPSV(text string) (uint16, error) {
	i := strings.IndexByte(text, '(')
	j := strings.LastIndexByte(text, ')')
	if i < 0 || j < i {
		return 0, fmt.Errorf("%w: no (|||port|) in %q", ErrBadAddress, text)
	}
	f, err := delimited(text[i+1:j], 3)
	if err != nil {
		return 0, err
	}
	if f[0] != "" || f[1] != "" {
		return 0, fmt.Errorf("%w: %q: EPSV's reply names only a port", ErrBadAddress, text)
	}
	port, err := strconv.ParseUint(f[2], 10, 16)
	if err != nil || port == 0 {
		return 0, fmt.Errorf("%w: port %q: 1 to 65535", ErrBadAddress, f[2])
	}
	return uint16(port), nil
}

// delimited splits "<d>a<d>b<d>c<d>" into n fields; the delimiter is the first
// character, one of the printable ASCII characters 33 to 126.
func delimited(s string, n int) ([]string, error) {
	if len(s) < n+1 || s[0] < 33 || s[0] > 126 {
		return nil, fmt.Errorf("%w: %q is not of the form |a|b|c|", ErrBadAddress, s)
	}
	d := s[:1]
	if !strings.HasSuffix(s, d) {
		return nil, fmt.Errorf("%w: %q does not end with its delimiter %q", ErrBadAddress, s, d)
	}
	f := strings.Split(s[1:len(s)-1], d)
	if len(f) != n {
		return nil, fmt.Errorf("%w: %q has %d fields, want %d", ErrBadAddress, s, len(f), n)
	}
	return f, nil
}
