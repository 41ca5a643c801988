package smtpserver

import (
	"net"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
	dnsproto "github.com/protocollab/protolab/protocols/dns"
	smtpproto "github.com/protocollab/protolab/protocols/smtp"
)

// Module is the SMTP server of alpha.test for the lab's registry (with
// smtp.Protocol); BetaModule is beta.test's (with smtp.BetaProtocol). Each
// relays through the lab DNS server to the other, so it needs both.
var (
	Module = lab.ServerModule{New: NewLab, Settings: Settings,
		Needs: []string{dnsproto.ProtocolName, smtpproto.BetaName}}
	BetaModule = lab.ServerModule{New: NewLab, Settings: BetaSettings,
		Needs: []string{dnsproto.ProtocolName, smtpproto.Name}}
)

// benchRelay wires the relay of a server the bench starts to the bench's other
// servers: the lab DNS server answers the lookups, and the mail of a lab domain
// goes to the server the bench runs for it (the registered SMTP server whose
// domain setting is that domain), captured by that server's tap so that the
// relay's client end joins its conversation. Outside a bench it wires nothing.
func benchRelay(opts lab.ServerOptions, domain string) LabOptions {
	b := opts.Lab
	if b == nil {
		return LabOptions{}
	}
	lo := LabOptions{
		Resolver: func() string { return b.Addr(dnsproto.ProtocolName) },
		RelayPort: func(to string) int {
			p := mailServer(b, to)
			if p == nil {
				return 0
			}
			_, port, err := net.SplitHostPort(b.Addr(p.Name))
			if err != nil {
				return 0
			}
			n, _ := strconv.Atoi(port)
			return n
		},
	}
	if p := b.Registry().Lookup(dnsproto.ProtocolName); p != nil {
		lo.DNSTap = b.Hub().Tap(p)
	}
	for _, to := range LabDomains {
		if p := mailServer(b, to); p != nil && !strings.EqualFold(to, domain) {
			lo.RelayTap = b.Hub().Tap(p)
			break
		}
	}
	return lo
}

// mailServer returns the protocol of the bench's SMTP server for domain, nil
// when none is registered.
func mailServer(b *lab.Bench, domain string) *lab.Protocol {
	for _, p := range b.Registry().All() {
		if p.NewServer != nil && p.LayerName() == smtpproto.Name && hasSetting(p, SettingDomain) &&
			strings.EqualFold(b.Setting(p.Name, SettingDomain), domain) {
			return p
		}
	}
	return nil
}

func hasSetting(p *lab.Protocol, key string) bool {
	for _, s := range p.Settings {
		if s.Key == key {
			return true
		}
	}
	return false
}
