package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/ftp"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/protocols/ssh"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// paneGaps says what panes lacks for reg: a protocol with a server and neither
// a client pane nor a reason for none, and an entry for no protocol of reg.
func paneGaps(reg *lab.Registry, panes map[string]paneSpec) []string {
	var gaps []string
	for _, p := range reg.All() {
		s := panes[p.Name]
		if p.NewServer != nil && s.newPane == nil && s.none == "" {
			gaps = append(gaps, fmt.Sprintf("%s has a server and no client pane: add clientPane(<p>.Name, newXPane), or noClientPane(<p>.Name, why) to clientPanes", p.Name))
		}
	}
	for name := range panes {
		if reg.Lookup(name) == nil {
			gaps = append(gaps, fmt.Sprintf("clientPanes has an entry for %q, which is no protocol of the registry", name))
		}
	}
	return gaps
}

// TestEveryServerHasAClientPane holds clientPanes to the lab's registry.
func TestEveryServerHasAClientPane(t *testing.T) {
	for _, gap := range paneGaps(wire.Registry(), clientPanes) {
		t.Error(gap)
	}
}

// TestPaneGaps shows the check failing: a protocol with a server and no pane,
// and a pane for a protocol the registry does not know.
func TestPaneGaps(t *testing.T) {
	reg := &lab.Registry{}
	noServer := func(lab.ServerOptions) (lab.Server, error) { return nil, nil }
	reg.Register(&lab.Protocol{Name: "echo", NewServer: noServer})
	reg.Register(&lab.Protocol{Name: "quiet", NewServer: noServer})
	reg.Register(&lab.Protocol{Name: "data"}) // no server: no pane wanted
	panes := paneTable(
		noClientPane("quiet", "a person cannot drive it"),
		clientPane("gone", newTCPPane),
	)
	got := strings.Join(paneGaps(reg, panes), "\n")
	for _, want := range []string{"echo has a server and no client pane", `entry for "gone"`} {
		if !strings.Contains(got, want) {
			t.Errorf("gaps:\n%s\nwant one saying %q", got, want)
		}
	}
	if strings.Contains(got, "quiet") || strings.Contains(got, "data") {
		t.Errorf("gaps:\n%s\nwant none for a protocol that says why it needs no pane, or has no server", got)
	}
}

// TestPaneTableRejectsMistakes: a name listed twice panics.
func TestPaneTableRejectsMistakes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("paneTable took a protocol listed twice")
		}
	}()
	paneTable(clientPane("tcp", newTCPPane), noClientPane("tcp", "twice"))
}

// TestPaneOptionsFromRegistration: what a pane knows of its protocol comes with
// its registration: HTTPS speaks TLS and offers the lab CA, HTTP does not; the
// FTP pane offers passive and active modes and captures data connections, the
// SFTP pane neither.
func TestPaneOptionsFromRegistration(t *testing.T) {
	w := testWindow(t)
	pane := func(name string) ClientPane {
		w.selectProtocol(name)
		return w.wb.benches[name].client
	}
	for _, tt := range []struct {
		name   string
		scheme string
		tls    bool
	}{{httpproto.Name, "http://", false}, {httpproto.HTTPSName, "https://", true}} {
		p := pane(tt.name).(*httpPane)
		if !strings.HasPrefix(p.url.Text, tt.scheme) || (p.tls != nil) != tt.tls {
			t.Errorf("%s pane: URL %q, CA export %v; want %s…, CA export %v", tt.name, p.url.Text, p.tls != nil, tt.scheme, tt.tls)
		}
	}
	f := pane(ftp.Name).(*filePane)
	if f.mode == nil || f.dataTap() == nil || f.dataTap().Protocol().Name != ftp.DataName {
		t.Errorf("FTP pane: modes %v, data tap %v; want modes and the data connections tapped as %s", f.mode != nil, f.dataTap(), ftp.DataName)
	}
	s := pane(ssh.Name).(*filePane)
	if s.mode != nil || s.dataTap() != nil {
		t.Errorf("SFTP pane: modes %v, data tap %v; want neither", s.mode != nil, s.dataTap())
	}
}

// TestFTPPaneTapsDataConnections: the FTP pane's data connections are the
// lab's on both ends, the client's tap as well as the server's.
func TestFTPPaneTapsDataConnections(t *testing.T) {
	w := testWindow(t)
	p := filePaneSession(t, w, ftp.Name) // the listing after login is a data connection
	w.hub.Settle()
	data := 0
	for _, ci := range w.hub.Conversations() {
		if ci.Protocol != ftp.DataName || ci.Link.Parent != p.sess.Conversation() {
			continue
		}
		data++
		if !ci.ClientSeen || !ci.ServerSeen {
			t.Errorf("data conversation %d: client seen %v, server seen %v; want both ends tapped", ci.ID, ci.ClientSeen, ci.ServerSeen)
		}
	}
	if data == 0 {
		t.Error("no data conversation under the FTP session")
	}
}

// TestSMTPDefaultsFromSettings: an SMTP pane starts with its server's first
// account in its server's domain, writing to the first account of the server
// of the other domain, as the bench's settings say.
func TestSMTPDefaultsFromSettings(t *testing.T) {
	b := testBench(t)
	b.SetSetting(smtp.Name, smtpserver.SettingDomain, "beta.test")
	b.SetSetting(smtp.Name, smtpserver.SettingAccounts, "carol:secret\nalice:alice")
	b.SetSetting(smtp.BetaName, smtpserver.SettingDomain, "alpha.test")
	b.SetSetting(smtp.BetaName, smtpserver.SettingAccounts, "dave:pw")
	d := smtpDefaultsOf(PaneContext{Bench: b, Protocol: b.Registry().Lookup(smtp.Name)})
	want := smtpDefaults{from: "carol@beta.test", user: "carol", pass: "secret", to: "dave@alpha.test", subject: "Hello from beta.test"}
	body := d.body
	d.body = ""
	if d != want {
		t.Errorf("defaults %+v, want %+v", d, want)
	}
	if !strings.HasPrefix(body, "Hi Dave,") || !strings.HasSuffix(body, "\n\nCarol") || !strings.Contains(body, "looks up alpha.test's MX") {
		t.Errorf("body %q, want a mail from Carol to Dave relayed to alpha.test", body)
	}
}
