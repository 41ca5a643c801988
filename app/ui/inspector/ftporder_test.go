package inspector

import (
	"errors"
	"net"
	"os/exec"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// ftplibActive is Python's ftplib in active mode: an upload and a listing.
const ftplibActive = `
import ftplib, io, sys
f = ftplib.FTP()
f.connect("127.0.0.1", int(sys.argv[1]), timeout=10)
f.login("lab", "lab")
f.set_pasv(False)
f.storbinary("STOR a.txt", io.BytesIO(b"lab bytes\n"))
f.nlst()
f.quit()
`

// TestInspectorActiveFTPFromPython: with an outside client only the server's
// taps see the session; the merged rows still keep the wire's order, each data
// connection after its 150 and the server's FIN on it before its 226.
func TestInspectorActiveFTPFromPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	fp, dp := ftp.Protocol(), ftp.DataProtocol()
	reg.Register(fp)
	reg.Register(dp)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	in := newTestInspector(t, h, reg)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := ftpserver.New(ftpserver.Options{Root: t.TempDir(), Tap: h.Tap(fp), DataTap: h.Tap(dp)})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; err != nil && !errors.Is(err, ftpserver.ErrServerClosed) {
			t.Errorf("Serve = %v", err)
		}
	})
	<-srv.Started()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	if out, err := exec.Command(python, "-c", ftplibActive, port).CombinedOutput(); err != nil {
		t.Fatalf("ftplib: %v\n%s", err, out)
	}

	var ctrl lab.ConvID
	for _, ci := range h.Conversations() {
		if ci.Protocol == fp.Name && !ci.Link.Linked() {
			ctrl = ci.ID
		}
	}
	if ctrl == 0 {
		t.Fatal("no control connection")
	}
	waitEnded(t, h, ctrl)
	var data []lab.ConvInfo
	for _, ci := range h.Conversations() {
		if ci.Link.Parent == ctrl {
			waitEnded(t, h, ci.ID)
			data = append(data, ci)
		}
	}
	h.Settle()
	in.Update()
	in.Select(ctrl)
	if len(data) != 2 {
		t.Fatalf("%d data connections under the control connection, want STOR's and NLST's", len(data))
	}
	checkDataBetween150And226(t, in, ctrl, data, true)
}
