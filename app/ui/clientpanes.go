package ui

import (
	"fmt"

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
	"github.com/protocollab/protolab/protocols/udp"
	"github.com/protocollab/protolab/protocols/webrtc"
	"github.com/protocollab/protolab/protocols/websocket"
)

// clientPanes is the client pane of every protocol of the lab, by the name its
// protocols/<p> package exports. A protocol with a server has a pane here or
// says why it needs none; TestEveryServerHasAClientPane holds the table to it.
// What a pane must know of its protocol beyond the lab.Protocol comes with its
// registration (the HTTP pane's TLS, the file pane's client), never from the
// protocol's name.
var clientPanes = paneTable(
	clientPane(tcp.Name, newTCPPane),
	clientPane(udp.Name, newUDPPane),
	clientPane(dns.ProtocolName, newDNSPane),
	clientPane(httpproto.Name, httpOptions{}.newPane),
	clientPane(httpproto.HTTPSName, httpOptions{TLS: true}.newPane),
	clientPane(websocket.Name, newWSPane),
	clientPane(ftp.Name, ftpFiles.newPane),
	noClientPane(ftp.DataName, "its connections are the FTP client's: each listing and file opens one, shown under the FTP session"),
	clientPane(ssh.Name, sftpFiles.newPane),
	clientPane(smtp.Name, newSMTPPane),
	clientPane(smtp.BetaName, newSMTPPane),
	clientPane(pop3.Name, newPOP3Pane),
	clientPane(imap.Name, newIMAPPane),
	clientPane(pgsql.Name, newSQLPane),
	clientPane(daytime.Name, newDaytimePane),
	clientPane(nats.Name, newNATSPane),
	clientPane(mqtt.Name, mqttOptions{}.newPane),
	clientPane(mqtt.TLSName, mqttOptions{TLS: true}.newPane),
	clientPane(redis.Name, newRedisPane),
	clientPane(p2p.Name, newP2PPane),
	noClientPane(stun.Name, "WebRTC peers ask the STUN server as they gather their candidates: the P2P pane's peers do"),
	noClientPane(webrtc.Name, "the answering peer is called by other peers: the P2P pane's, or an outside WebRTC stack"),
)

// paneSpec is one protocol's entry in clientPanes: how to build its client
// pane, or why it has none.
type paneSpec struct {
	name    string
	newPane func(PaneContext) ClientPane // nil: no client pane
	none    string                       // with no pane: why the protocol needs none
}

// clientPane registers newPane as the client pane of the protocol called name.
// T is the pane's own type: the compiler checks that it is a ClientPane.
func clientPane[T ClientPane](name string, newPane func(PaneContext) T) paneSpec {
	return paneSpec{name: name, newPane: func(ctx PaneContext) ClientPane { return newPane(ctx) }}
}

// noClientPane says that the protocol called name has no client pane, and why:
// the workbench tells the person so.
func noClientPane(name, why string) paneSpec { return paneSpec{name: name, none: why} }

// paneTable indexes specs by protocol name. A name listed twice, or a pane
// without a reason, is a mistake in the table: it panics, which fails every
// test of the package.
func paneTable(specs ...paneSpec) map[string]paneSpec {
	m := make(map[string]paneSpec, len(specs))
	for _, s := range specs {
		if _, dup := m[s.name]; dup || s.name == "" || (s.newPane == nil) == (s.none == "") {
			panic(fmt.Sprintf("ui: client pane of %q listed twice, without a name, or with neither a pane nor a reason for none", s.name))
		}
		m[s.name] = s
	}
	return m
}

// clientPaneFor returns the client pane entry of the protocol called name; its
// zero value, with neither a pane nor a reason, when the table has none.
func clientPaneFor(name string) paneSpec { return clientPanes[name] }
