// Package wire assembles the lab: every protocol's description and analyzer
// (protocols/<p>) with its embedded server (servers/<p>server), in the order the
// server rail lists them. It is the one place that knows all of them: adding a
// protocol is one line in Registry.
package wire

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/daytime"
	"github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/protocols/ftp"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/imap"
	"github.com/protocollab/protolab/protocols/mqtt"
	"github.com/protocollab/protolab/protocols/nats"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/protocols/pgsql"
	"github.com/protocollab/protolab/protocols/pop3"
	"github.com/protocollab/protolab/protocols/redis"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/protocols/ssh"
	"github.com/protocollab/protolab/protocols/stun"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/tls"
	"github.com/protocollab/protolab/protocols/udp"
	"github.com/protocollab/protolab/protocols/webrtc"
	"github.com/protocollab/protolab/protocols/websocket"
	"github.com/protocollab/protolab/servers/brokerserver"
	"github.com/protocollab/protolab/servers/daytimeserver"
	"github.com/protocollab/protolab/servers/dnsserver"
	"github.com/protocollab/protolab/servers/ftpserver"
	"github.com/protocollab/protolab/servers/httpserver"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/p2pserver"
	"github.com/protocollab/protolab/servers/pgserver"
	"github.com/protocollab/protolab/servers/pop3server"
	"github.com/protocollab/protolab/servers/redisserver"
	"github.com/protocollab/protolab/servers/sftpserver"
	"github.com/protocollab/protolab/servers/smtpserver"
	"github.com/protocollab/protolab/servers/tcpserver"
	"github.com/protocollab/protolab/servers/udpserver"
	"github.com/protocollab/protolab/servers/wsserver"
)

// Registry returns a new registry of every protocol the lab knows, servers wired in.
func Registry() *lab.Registry {
	reg := &lab.Registry{}
	reg.RegisterModules(modules()...)
	return reg
}

// modules lists the lab's protocols, each with its server, as new values.
func modules() []lab.Module {
	return []lab.Module{
		{Protocol: tcp.Protocol(), Server: &tcpserver.Module},
		{Protocol: udp.Protocol(), Server: &udpserver.Module},
		{Protocol: dns.Protocol(), Server: &dnsserver.Module},
		{Protocol: httpproto.Protocol(), Server: &httpserver.Module},
		{Protocol: tls.HTTPSProtocol(), Server: &httpserver.TLSModule},
		{Protocol: websocket.Protocol(), Server: &wsserver.Module},
		{Protocol: p2p.Protocol(), Server: &p2pserver.Module}, // the rail's row of the signalling server, STUN and the answering peer its parts
		{Protocol: stun.Protocol(), Server: &p2pserver.STUNModule},
		{Protocol: webrtc.Protocol(), Server: &p2pserver.PeerModule},
		{Protocol: ftp.Protocol(), Server: &ftpserver.Module},
		{Protocol: ftp.DataProtocol()}, // no server of its own: FTP's data connections
		{Protocol: ssh.Protocol(), Server: &sftpserver.Module},
		{Protocol: smtp.Protocol(), Server: &smtpserver.Module},
		{Protocol: smtp.BetaProtocol(), Server: &smtpserver.BetaModule},
		{Protocol: pop3.Protocol(), Server: &pop3server.Module},
		{Protocol: imap.Protocol(), Server: &imapserver.Module},
		{Protocol: nats.Protocol(), Server: &brokerserver.NATSModule},
		{Protocol: mqtt.Protocol(), Server: &brokerserver.MQTTModule}, // the rail's row of the broker, NATS and MQTTS its parts
		{Protocol: mqtt.TLSProtocol(), Server: &brokerserver.MQTTSModule},
		{Protocol: pgsql.Protocol(), Server: &pgserver.Module},
		{Protocol: redis.Protocol(), Server: &redisserver.Module},
		{Protocol: daytime.Protocol(), Server: &daytimeserver.Module},
	}
}

// NewBench returns a bench over a new hub with every protocol of Registry. The
// servers it starts find each other through it (lab.ServerOptions.Lab): the SMTP
// servers relay through the lab DNS server to each other.
func NewBench(opts lab.HubOptions) *lab.Bench {
	opts.Registry = Registry()
	return lab.NewBench(lab.NewHub(opts), opts.Registry)
}
