package ftpserver_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// TestHubSession checks what the inspector shows of a real session: the control
// connection's states, and a data connection under it with its label, preview and
// SHA-256.
func TestHubSession(t *testing.T) {
	hub := newHub()
	srv, addr, _ := startServer(t, ftpserver.Options{
		Tap:     hub.Tap(hub.Registry().Lookup("ftp")),
		DataTap: hub.Tap(hub.Registry().Lookup("ftp-data")),
	})
	cc := login(t, addr, "lab", "lab")
	cc.cmd(200, "TYPE I")
	cc.retr("logo.png")
	cc.cmd(350, "RNFR README.txt")
	cc.cmd(250, "RNTO READ.txt")
	l := cc.active()
	cc.cmd(150, "LIST")
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(c)
	c.Close()
	cc.expect(226)
	cc.cmd(221, "QUIT")
	io.ReadAll(cc.c) // the server closes the control connection after 221: its close is recorded before
	cc.c.Close()
	hub.Settle()
	var ctrl lab.ConvInfo
	var data []lab.ConvInfo
	for _, ci := range hub.Conversations() {
		switch ci.Protocol {
		case "ftp":
			ctrl = ci
		case "ftp-data":
			data = append(data, ci)
		}
	}
	var states []string
	for _, e := range hub.ConvEvents(ctrl.ID) {
		if e.Kind == lab.KindState && e.Layer == "ftp" {
			states = append(states, e.To)
		}
	}
	want := "connected awaiting-password logged-in transfer logged-in rename-pending logged-in transfer logged-in closed"
	if got := strings.Join(states, " "); got != want {
		t.Errorf("states = %q, want %q", got, want)
	}
	if len(data) != 2 {
		t.Fatalf("%d data conversations, want 2", len(data))
	}
	if data[0].Link.Text() != "RETR logo.png · passive" || data[1].Link.Text() != "LIST · active" || data[0].Link.Parent != ctrl.ID || data[1].Link.Parent != ctrl.ID {
		t.Errorf("data conversations = %q under %d, %q under %d; want RETR logo.png · passive and LIST · active under %d",
			data[0].Link.Text(), data[0].Link.Parent, data[1].Link.Text(), data[1].Link.Parent, ctrl.ID)
	}
	// Passive: the FTP client opened it; active: the FTP server did.
	if data[0].Server == data[1].Server || !strings.HasPrefix(data[1].Client, "127.0.0.1:") {
		t.Errorf("data endpoints %s→%s and %s→%s", data[0].Client, data[0].Server, data[1].Client, data[1].Server)
	}
	logo, _ := os.ReadFile(filepath.Join(srv.Root, "logo.png"))
	sum := sha256.Sum256(logo)
	var summaries []string
	found := false
	for _, e := range hub.ConvEvents(data[0].ID) {
		if e.Msg == nil {
			continue
		}
		summaries = append(summaries, e.Msg.Summary)
		for _, f := range e.Msg.Fields {
			if f.Name == "SHA-256" && f.Value == hex.EncodeToString(sum[:]) {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("RETR's data conversation shows no SHA-256 of logo.png; messages: %q", summaries)
	}
	// The password crossed in clear text: masked in the summary, exact in Raw.
	for _, e := range hub.ConvEvents(ctrl.ID) {
		if e.Msg != nil && strings.HasPrefix(e.Msg.Summary, "PASS") {
			if e.Msg.Summary != "PASS ****" || string(e.Msg.Raw) != "PASS lab\r\n" {
				t.Errorf("PASS message = %q, raw %q", e.Msg.Summary, e.Msg.Raw)
			}
		}
	}
}
