package dnsserver

import (
	mdns "github.com/miekg/dns"
)

// maxChase bounds how many CNAMEs an answer follows inside the zone.
const maxChase = 8

// Answer is the server's reply to req, from z alone: the server never asks another
// server. A name in the zone gets its records (NOERROR, authoritative); a name the
// zone does not hold gets NXDOMAIN, with the zone's SOA when the name falls under one
// of its apexes. Opcodes other than QUERY get NOTIMP; zone transfers and classes
// other than IN (or ANY) get REFUSED; a request without exactly one question gets
// FORMERR. The reply carries the EDNS(0) part the query asks for, whichever the
// transport (see withEDNS); cutting it to a UDP client's size is the server's work.
func (z *Zone) Answer(req *mdns.Msg) *mdns.Msg {
	r := new(mdns.Msg)
	r.SetReply(req)
	r.RecursionAvailable = false
	if !ednsAnswerable(req, r) {
		return r
	}
	z.answer(req, r)
	withEDNS(req, r)
	return r
}

// answer fills r, the reply to req, from z, EDNS aside.
func (z *Zone) answer(req, r *mdns.Msg) *mdns.Msg {
	if req.Opcode != mdns.OpcodeQuery {
		r.Opcode = req.Opcode
		r.Rcode = mdns.RcodeNotImplemented
		return r
	}
	if len(req.Question) != 1 {
		r.Rcode = mdns.RcodeFormatError
		return r
	}
	q := req.Question[0]
	switch {
	case q.Qclass != mdns.ClassINET && q.Qclass != mdns.ClassANY:
		r.Rcode = mdns.RcodeRefused
		return r
	case q.Qtype == mdns.TypeAXFR || q.Qtype == mdns.TypeIXFR:
		r.Rcode = mdns.RcodeRefused
		return r
	}
	soa := z.Apex(q.Name)
	r.Authoritative = soa != nil
	if !z.Exists(q.Name) {
		r.Rcode = mdns.RcodeNameError
		if soa != nil {
			r.Ns = []mdns.RR{soa}
		}
		return r
	}
	r.Authoritative = true
	name := q.Name
	for range maxChase {
		if rrs := z.Records(name, q.Qtype); len(rrs) > 0 {
			r.Answer = append(r.Answer, rrs...)
			break
		}
		cname := z.Records(name, mdns.TypeCNAME)
		if len(cname) == 0 || q.Qtype == mdns.TypeCNAME {
			break
		}
		r.Answer = append(r.Answer, cname[0])
		name = cname[0].(*mdns.CNAME).Target
	}
	if len(r.Answer) == 0 && soa != nil {
		// NODATA: the name exists but has no record of this type (RFC 2308 §2.2).
		r.Ns = []mdns.RR{soa}
	}
	r.Extra = z.glue(r.Answer)
	return r
}

// glue is the additional section for answers: the addresses of the mail exchangers,
// name servers and service targets that the zone holds (RFC 1035 §3.3.9, §3.3.11).
func (z *Zone) glue(answer []mdns.RR) []mdns.RR {
	var out []mdns.RR
	seen := make(map[string]bool)
	for _, rr := range answer {
		var target string
		switch v := rr.(type) {
		case *mdns.MX:
			target = v.Mx
		case *mdns.NS:
			target = v.Ns
		case *mdns.SRV:
			target = v.Target
		default:
			continue
		}
		target = mdns.CanonicalName(target)
		if seen[target] {
			continue
		}
		seen[target] = true
		out = append(out, z.Records(target, mdns.TypeA)...)
		out = append(out, z.Records(target, mdns.TypeAAAA)...)
	}
	return out
}
