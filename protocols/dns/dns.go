// Package dns is what the lab knows about DNS (RFC 1034, RFC 1035) and its lab.test
// resolver: an analyzer that shows each DNS message with its header, question and
// resource records, over UDP (one message per datagram, RFC 1035 §4.2.1) and over
// TCP (each message after a two-byte length, RFC 1035 §4.2.2).
//
// DNS keeps no session state, so there is no state diagram. Left out: EDNS(0) option
// details beyond the OPT record itself, DNSSEC validation and name compression
// details (the analyzer shows names as decoded).
package dns

import "github.com/protocollab/protolab/lab"

// ProtocolName is the protocol's name in the registry (Name is a domain name's).
const ProtocolName = "dns"

// DefaultPort is where the lab's resolver listens unless told otherwise: 53 needs
// administrator rights, and 5353 is multicast DNS's, often held by the system's
// mDNS responder (Avahi, Bonjour).
const DefaultPort = 5354

// SettingZone is the key of the server setting holding the zone, in zone-file syntax.
const SettingZone = "zone"

// DefaultZone is the lab's zone: lab.test's hosts and two mail domains, every
// address this computer's. It is zone-file text (RFC 1035 §5): one record a line,
// names without a final dot are under $ORIGIN, and ";" starts a comment.
const DefaultZone = `$ORIGIN lab.test.
$TTL 300
@     IN SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300
@     IN NS  ns.lab.test.
ns    IN A   127.0.0.1
www   IN A   127.0.0.1
mail  IN A   127.0.0.1
ftp   IN A   127.0.0.1
@     IN TXT "Protocol Lab: every name in lab.test points at this computer"
alpha.test.      IN SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300
alpha.test.      IN MX  10 mail.alpha.test.
mail.alpha.test. IN A   127.0.0.1
beta.test.       IN SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300
beta.test.       IN MX  10 mail.beta.test.
mail.beta.test.  IN A   127.0.0.1
`

// Protocol describes DNS and the lab's resolver for the registry. It returns a new
// value on each call. Its analyzer reads datagrams; over TCP the stream analyzer frames.
// NewServer is left nil: the app wires the server in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:           "dns",
		Title:          "DNS lab.test",
		DefaultPort:    DefaultPort,
		Transport:      "udp",
		Connectionless: true,
		About: "DNS turns names into addresses. A client sends one query (usually in one UDP " +
			"datagram) and the server answers with resource records, or an error code such as " +
			"NXDOMAIN, \"no such name\" (RFC 1035). The lab's resolver knows only lab.test, " +
			"alpha.test and beta.test and never asks another server; it answers over TCP too.",
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		// Over TCP each message follows its two-byte length (RFC 1035 §4.2.2).
		NewStreamAnalyzer: func() lab.Analyzer { return NewStreamAnalyzer() },
		Settings: []lab.Setting{{
			Key:     SettingZone,
			Label:   "Zone",
			Default: DefaultZone,
			Help: "the records the resolver serves, in zone-file syntax: one record a line " +
				"(name, TTL, class, type, data); names without a final dot are under $ORIGIN",
		}},
	}
}
