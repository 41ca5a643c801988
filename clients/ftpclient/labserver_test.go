package ftpclient_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// TestWithTheLabServer runs this client against the lab's own FTP server on one
// hub: with both ends tapped, each connection, control and data, is one
// conversation seen from both sides, whichever side dialed.
func TestWithTheLabServer(t *testing.T) {
	h, fp, dp := newFTPHub()
	addr := serveLab(t, ftpserver.Options{Root: t.TempDir(), Tap: h.Tap(fp), DataTap: h.Tap(dp)})

	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			c, err := ftpclient.Dial(context.Background(), addr, ftpclient.Options{Tap: h.Tap(fp), DataTap: h.Tap(dp), Mode: mode, Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Login("lab", "lab"); err != nil {
				t.Fatal(err)
			}
			want := bytes.Repeat([]byte("lab bytes "), 50000)
			name := mode.String() + ".bin"
			if err := c.Stor(name, bytes.NewReader(want), int64(len(want)), nil); err != nil {
				t.Fatalf("Stor: %v", err)
			}
			var got bytes.Buffer
			if err := c.Retr(name, &got, nil); err != nil {
				t.Fatalf("Retr: %v", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("Retr: %d bytes, want the %d uploaded", got.Len(), len(want))
			}
			entries, err := c.List("")
			if e, ok := find(entries, name); err != nil || !ok || e.Size != int64(len(want)) {
				t.Errorf("List = %q, %v; want %s of %d bytes", names(entries), err, name, len(want))
			}
			if err := c.Quit(); err != nil {
				t.Errorf("Quit: %v", err)
			}
			h.Settle()

			ctrl := h.Conversation(c.Conversation()).Info(false)
			if !ctrl.ClientSeen || !ctrl.ServerSeen {
				t.Errorf("control conversation seen by client %v, server %v; want both", ctrl.ClientSeen, ctrl.ServerSeen)
			}
			var labels []string
			for _, d := range h.Conversations() {
				if d.Link.Parent != ctrl.ID || d.Protocol != ftp.DataName {
					continue
				}
				labels = append(labels, d.Link.Text())
				if !d.ClientSeen || !d.ServerSeen {
					t.Errorf("%s: seen by client %v, server %v; want both taps joined", d.Link.Text(), d.ClientSeen, d.ServerSeen)
				}
			}
			if len(labels) != 3 {
				t.Errorf("data conversations under the control connection: %q, want STOR, RETR and a listing", labels)
			}
		})
	}
}

// serveLab runs the lab's FTP server with opts on 127.0.0.1:0 until the test
// ends, and returns its address.
func serveLab(t *testing.T, opts ftpserver.Options) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := ftpserver.New(opts)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; err != nil && !errors.Is(err, ftpserver.ErrServerClosed) {
			t.Errorf("Serve = %v", err)
		}
	})
	<-srv.Started()
	return l.Addr().String()
}

// newFTPHub returns a hub that knows TCP, FTP and FTP data, and the two FTP protocols.
func newFTPHub() (h *lab.Hub, fp, dp *lab.Protocol) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	fp, dp = ftp.Protocol(), ftp.DataProtocol()
	reg.Register(fp)
	reg.Register(dp)
	return lab.NewHub(lab.HubOptions{Registry: reg}), fp, dp
}
