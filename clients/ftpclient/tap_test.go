package ftpclient_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
	labdns "github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/udp"
	"github.com/protocollab/protolab/servers/dnsserver"
)

// tappedHub is a hub that knows TCP, and FTP's control and data connections by
// name only (their analyzers are not this package's concern).
func tappedHub() (h *lab.Hub, ctrl, data *lab.Tap) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	fp := &lab.Protocol{Name: "ftp", Transport: "tcp"}
	dp := &lab.Protocol{Name: "ftp-data", Transport: "tcp"}
	reg.Register(fp)
	reg.Register(dp)
	h = lab.NewHub(lab.HubOptions{Registry: reg})
	return h, h.Tap(fp), h.Tap(dp)
}

// sent is everything the client sent on a conversation.
func sent(h *lab.Hub, id lab.ConvID) string {
	var b strings.Builder
	for _, e := range h.ConvEvents(id) {
		if e.Kind == lab.KindData && e.Dir == lab.ClientToServer {
			b.Write(e.Data)
		}
	}
	return b.String()
}

// TestWhoOpensTheDataConnection is FTP's lesson as the inspector shows it: in
// passive mode this client dials the server's data port, in active mode the
// server dials this client's listener; either way the data connection is linked
// under the control connection, labelled with its command.
func TestWhoOpensTheDataConnection(t *testing.T) {
	srv := startVsftpd(t)
	_, srvPort, _ := net.SplitHostPort(srv.Addr)
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			h, ctrlTap, dataTap := tappedHub()
			c := dialVsftpd(t, srv, ftpclient.Options{Tap: ctrlTap, DataTap: dataTap, Mode: mode})
			if _, err := c.List(""); err != nil {
				t.Fatal(err)
			}
			if err := c.Retr("a.txt", io.Discard, nil); err != nil {
				t.Fatal(err)
			}
			if err := c.Stor("pub/b.txt", bytes.NewReader([]byte("bee\n")), 4, nil); err != nil {
				t.Fatal(err)
			}
			c.Quit()
			h.Settle()

			ctrl := c.Conversation()
			if ctrl == 0 {
				t.Fatal("the control connection has no conversation")
			}
			ci := h.Conversation(ctrl).Info(false)
			if ci.Protocol != "ftp" || !ci.ClientSeen || ci.Server != srv.Addr {
				t.Errorf("control conversation: %s to %s, client seen %v; want ftp to %s, seen by the client", ci.Protocol, ci.Server, ci.ClientSeen, srv.Addr)
			}
			ctrlIP, _, _ := net.SplitHostPort(ci.Client)

			var labels []string
			for _, d := range h.Conversations() {
				if d.ID == ctrl {
					continue
				}
				if d.Protocol != "ftp-data" || d.Link.Parent != ctrl {
					t.Errorf("conversation %d: %s under %d, want ftp-data under the control connection %d", d.ID, d.Protocol, d.Link.Parent, ctrl)
					continue
				}
				labels = append(labels, d.Link.Text())
				host, port, _ := net.SplitHostPort(d.Server)
				switch mode {
				case ftpclient.Passive:
					// We dialed the server: the client end is ours, the server end is
					// vsftpd's passive port.
					if !d.ClientSeen || d.ServerSeen || port == srvPort || host != "127.0.0.1" {
						t.Errorf("%s: client %s (ours: %v) → server %s (ours: %v); want our tap on the client end, dialing the server's data port", d.Link.Text(), d.Client, d.ClientSeen, d.Server, d.ServerSeen)
					}
				case ftpclient.Active:
					// The server dialed us: the TCP server end is our listener.
					if d.ClientSeen || !d.ServerSeen || host != ctrlIP {
						t.Errorf("%s: client %s (ours: %v) → server %s (ours: %v); want the server dialing our listener on %s", d.Link.Text(), d.Client, d.ClientSeen, d.Server, d.ServerSeen, ctrlIP)
					}
					if !strings.Contains(sent(h, ctrl), "PORT "+strings.ReplaceAll(host, ".", ",")+","+portArg(port)+"\r\n") {
						t.Errorf("%s: the control connection did not send PORT for the listener %s; sent:\n%s", d.Link.Text(), d.Server, sent(h, ctrl))
					}
				}
			}
			want := []string{"LIST · " + mode.String(), "RETR a.txt · " + mode.String(), "STOR pub/b.txt · " + mode.String()}
			if strings.Join(labels, "|") != strings.Join(want, "|") {
				t.Errorf("data connections %q, want %q", labels, want)
			}
			wantCmd := "EPSV\r\n"
			if mode == ftpclient.Active {
				wantCmd = "PORT "
			}
			if n := strings.Count(sent(h, ctrl), wantCmd); n != 3 {
				t.Errorf("%q sent %d times, want 3; sent:\n%s", wantCmd, n, sent(h, ctrl))
			}
		})
	}
}

// portArg is PORT's p1,p2 for a port.
func portArg(port string) string {
	p, _ := strconv.Atoi(port)
	return strconv.Itoa(p>>8) + "," + strconv.Itoa(p&0xff)
}

// TestLabNameThroughTheLabDNS dials ftp.lab.test: the name is looked up at the
// lab's DNS server, the control connection is linked under the lookup, and the
// data connections under the control connection.
func TestLabNameThroughTheLabDNS(t *testing.T) {
	srv := startVsftpd(t)
	_, port, _ := net.SplitHostPort(srv.Addr)
	h, ctrlTap, dataTap := tappedHub()
	dp := labdns.Protocol()
	h.Registry().Register(udp.Protocol())
	h.Registry().Register(dp)
	pc, l, err := dnsserver.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dns := dnsserver.New(dnsserver.Options{})
	errc := make(chan error, 2)
	go func() { errc <- dns.ServeUDP(pc) }()
	go func() { errc <- dns.Serve(l) }()
	t.Cleanup(func() {
		dns.Close()
		<-errc
		<-errc
	})
	<-dns.Started()

	d := &labdial.Dialer{Tap: ctrlTap, Resolver: pc.LocalAddr().String(), DNSTap: h.Tap(dp)}
	c, err := ftpclient.Dial(context.Background(), net.JoinHostPort("ftp.lab.test", port), ftpclient.Options{Dialer: d, DataTap: dataTap, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("anonymous", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(""); err != nil {
		t.Fatal(err)
	}
	c.Quit()
	h.Settle()

	ctrl := h.Conversation(c.Conversation()).Info(false)
	if ctrl.Protocol != "ftp" || ctrl.Link.Parent == 0 || !strings.Contains(ctrl.Link.Text(), "ftp.lab.test → 127.0.0.1") {
		t.Fatalf("control conversation: %s under %d labelled %q, want ftp under the lookup of ftp.lab.test", ctrl.Protocol, ctrl.Link.Parent, ctrl.Link.Text())
	}
	if p := h.Conversation(ctrl.Link.Parent).Info(false).Protocol; p != "dns" {
		t.Errorf("the control connection's parent is %s, want the DNS lookup", p)
	}
	var data int
	for _, i := range h.Conversations() {
		if i.Protocol == "ftp-data" {
			data++
			if i.Link.Parent != ctrl.ID || i.Link.Text() != "LIST · passive" {
				t.Errorf("data conversation under %d labelled %q, want under %d labelled LIST · passive", i.Link.Parent, i.Link.Text(), ctrl.ID)
			}
		}
	}
	if data != 1 {
		t.Errorf("%d data conversations, want 1", data)
	}
}
