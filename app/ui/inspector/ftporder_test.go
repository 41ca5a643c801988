package inspector

import (
	"net"
	"os/exec"
	"testing"

	"github.com/protocollab/protolab/lab"
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
	fl := startFTPLab(t)
	h, in := fl.hub, fl.in
	_, port, _ := net.SplitHostPort(fl.addr)
	if out, err := exec.Command(python, "-c", ftplibActive, port).CombinedOutput(); err != nil {
		t.Fatalf("ftplib: %v\n%s", err, out)
	}

	var ctrl lab.ConvID
	for _, ci := range h.Conversations() {
		if ci.Protocol == fl.fp.Name && !ci.Link.Linked() {
			ctrl = ci.ID
		}
	}
	if ctrl == 0 {
		t.Fatal("no control connection")
	}
	data := fl.showEnded(t, ctrl)
	if len(data) != 2 {
		t.Fatalf("%d data connections under the control connection, want STOR's and NLST's", len(data))
	}
	checkDataBetween150And226(t, in, ctrl, data, true)
}
