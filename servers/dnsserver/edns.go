package dnsserver

import (
	mdns "github.com/miekg/dns"
)

// UDPSize is the largest DNS message the server reads or sends over UDP, the payload
// size its OPT records advertise (RFC 6891 §6.2.3). 1232 bytes fit in the smallest
// IPv6 MTU without fragmenting, the size DNS Flag Day 2020 settled on.
const UDPSize = 1232

// EDNSVersion is the only EDNS version the server speaks (RFC 6891 §6.1.3).
const EDNSVersion = 0

// ednsAnswerable reports whether req's EDNS part can be answered. If not, r (the
// reply to req) is made the error RFC 6891 asks for and returned without records: a
// query with more than one OPT record gets FORMERR (§6.1.1), and plain DNS, its EDNS
// being unreadable; one of a later EDNS version gets BADVERS with the server's own
// OPT record (§6.1.3), whose version tells the client which to use.
func ednsAnswerable(req, r *mdns.Msg) bool {
	var opts []*mdns.OPT
	for _, rr := range req.Extra {
		if opt, ok := rr.(*mdns.OPT); ok {
			opts = append(opts, opt)
		}
	}
	switch {
	case len(opts) > 1:
		r.Rcode = mdns.RcodeFormatError
		return false
	case len(opts) == 1 && opts[0].Version() > EDNSVersion:
		r.Rcode = mdns.RcodeBadVers
		withEDNS(req, r)
		return false
	}
	return true
}

// withEDNS ends r, the reply to req, with the server's OPT record when req has one
// (RFC 6891 §7), over UDP and TCP alike: version 0, the server's UDPSize, no options,
// and the DO bit copied from the query (RFC 3225 §3). A query without OPT gets a reply
// without: the client may not know EDNS.
func withEDNS(req, r *mdns.Msg) {
	q := req.IsEdns0()
	if q == nil {
		return
	}
	r.SetEdns0(UDPSize, q.Do())
}

// udpReplySize is how big a UDP reply to req may be: 512 bytes without EDNS (RFC 1035
// §4.2.1), else the client's advertised size, but no less than 512 (RFC 6891 §6.2.5)
// and no more than the server's UDPSize.
func udpReplySize(req *mdns.Msg) int {
	q := req.IsEdns0()
	if q == nil {
		return mdns.MinMsgSize
	}
	return min(max(int(q.UDPSize()), mdns.MinMsgSize), UDPSize)
}
