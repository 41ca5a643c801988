// Package wire assembles the lab: every protocol's description and analyzer
// (protocols/<p>) with its embedded server (servers/<p>server), in the order the
// server rail lists them. It is the one place that knows all of them.
package wire

import (
	"net"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/protocols/ftp"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/imap"
	"github.com/protocollab/protolab/protocols/pop3"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/protocols/ssh"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/tls"
	"github.com/protocollab/protolab/protocols/udp"
	"github.com/protocollab/protolab/protocols/websocket"
	"github.com/protocollab/protolab/servers/dnsserver"
	"github.com/protocollab/protolab/servers/ftpserver"
	"github.com/protocollab/protolab/servers/httpserver"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/pop3server"
	"github.com/protocollab/protolab/servers/sftpserver"
	"github.com/protocollab/protolab/servers/smtpserver"
	"github.com/protocollab/protolab/servers/tcpserver"
	"github.com/protocollab/protolab/servers/udpserver"
	"github.com/protocollab/protolab/servers/wsserver"
)

// Registry returns a new registry of every protocol the lab knows, servers wired in.
func Registry() *lab.Registry {
	reg := &lab.Registry{}
	t := tcp.Protocol()
	t.NewServer = tcpserver.NewLab
	reg.Register(t)
	u := udp.Protocol()
	u.NewServer = udpserver.NewLab
	reg.Register(u)
	d := dns.Protocol()
	d.NewServer = dnsserver.NewLab
	reg.Register(d)
	h := httpproto.Protocol()
	h.NewServer = httpserver.NewLab
	h.Settings = httpserver.Settings
	reg.Register(h)
	hs := tls.HTTPSProtocol()
	hs.NewServer = httpserver.NewLabTLS
	hs.Settings = httpserver.TLSSettings
	reg.Register(hs)
	ws := websocket.Protocol()
	ws.NewServer = wsserver.NewLab
	reg.Register(ws)
	f := ftp.Protocol()
	f.NewServer = ftpserver.NewLab
	f.Settings = ftpserver.Settings
	reg.Register(f)
	reg.Register(ftp.DataProtocol()) // no server of its own: FTP's data connections
	sf := ssh.Protocol()
	sf.NewServer = sftpserver.NewLab
	sf.Settings = sftpserver.Settings
	reg.Register(sf)
	m := smtp.Protocol()
	m.NewServer = smtpserver.NewLab // relay wired by NewBench
	m.Settings = smtpserver.Settings
	reg.Register(m)
	mb := smtp.BetaProtocol()
	mb.NewServer = smtpserver.NewLab
	mb.Settings = smtpserver.BetaSettings
	reg.Register(mb)
	p3 := pop3.Protocol()
	p3.NewServer = pop3server.NewLab
	p3.Settings = pop3server.Settings
	reg.Register(p3)
	im := imap.Protocol()
	im.NewServer = imapserver.NewLab
	im.Settings = imapserver.Settings
	reg.Register(im)
	return reg
}

// NewBench returns a bench over a new hub with every protocol of Registry. The
// SMTP servers relay to each other through it: the lab DNS server's MX records
// name the other domain's host, and the bench knows its port.
func NewBench(opts lab.HubOptions) *lab.Bench {
	reg := Registry()
	opts.Registry = reg
	b := lab.NewBench(lab.NewHub(opts), reg)
	h := b.Hub()
	smtpNames := []string{"smtp", "smtp-beta"}
	relay := smtpserver.LabOptions{
		Resolver: func() string { return b.Addr("dns") },
		DNSTap:   h.Tap(reg.Lookup("dns")),
		RelayPort: func(domain string) int {
			for _, name := range smtpNames {
				addr := b.Addr(name)
				if addr == "" || !strings.EqualFold(b.Setting(name, smtpserver.SettingDomain), domain) {
					continue
				}
				if _, port, err := net.SplitHostPort(addr); err == nil {
					n, _ := strconv.Atoi(port)
					return n
				}
			}
			return 0
		},
	}
	for i, name := range smtpNames {
		other := reg.Lookup(smtpNames[1-i])
		lo := relay
		lo.RelayTap = h.Tap(other) // the relay's client end joins the other server's conversation
		reg.Lookup(name).NewServer = func(o lab.ServerOptions) (lab.Server, error) { return smtpserver.NewLabRelay(o, lo) }
	}
	return b
}
