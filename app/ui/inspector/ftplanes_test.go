package inspector

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// TestInspectorLanesOfRealFTP runs the lab's FTP client against its server in
// each mode and shows the control connection: each data connection is drawn
// between the end that dialled it (the client in passive mode, the server in
// active) and a lane of the port it reached, and its teardown leaves the lane of
// the end its own summary names.
func TestInspectorLanesOfRealFTP(t *testing.T) {
	fl := startFTPLab(t)
	in := fl.in

	for _, tc := range []struct {
		mode    ftpclient.Mode
		title   string // the start and end of each data lane's title
		suffix  string
		dialler int // the lane of the end that dials the data connections
	}{
		{ftpclient.Passive, "server :", " data port (passive: client → server)", 0},
		{ftpclient.Active, "client :", " data port (active: server → client)", 1},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			ctrl, data := ftpStorList(t, in, fl.addr, fl.fp, fl.dp, tc.mode)
			in.Select(ctrl)
			if len(data) != 2 {
				t.Fatalf("%d data connections under the control connection, want STOR's and LIST's", len(data))
			}

			lanes := in.seq.Lanes()
			if len(lanes) != 4 || lanes[0] != "client "+shortAddr(in.info.Client) || lanes[1] != "server "+shortAddr(in.info.Server) {
				t.Fatalf("lanes = %q, want client, server and a lane for each data port", lanes)
			}
			laneOf := map[string]int{}
			for _, d := range data {
				want := tc.title + strings.TrimPrefix(shortAddr(d.Server), ":") + tc.suffix
				i := slices.Index(lanes, want)
				if i < 2 {
					t.Fatalf("lanes = %q, want one titled %q", lanes, want)
				}
				laneOf[d.Server] = i
			}
			ends := map[lab.ConvID][2]int{ctrl: {0, 1}}
			for _, d := range data {
				ends[d.ID] = [2]int{tc.dialler, laneOf[d.Server]}
			}
			fins := 0
			for i := range in.rows() {
				e, a := in.row(i), in.seq.ArrowAt(i)
				end, ok := ends[e.Conv]
				if !ok {
					t.Fatalf("row %d of conversation %d, neither the control connection nor a data connection", i, e.Conv)
				}
				if (a.From != end[0] || a.To != end[1]) && (a.From != end[1] || a.To != end[0]) {
					t.Errorf("row %d (%q) of conversation %d drawn %d→%d, want between lanes %v", i, rowSummary(e), e.Conv, a.From, a.To, end)
				}
				if e.Conv == ctrl || e.Msg == nil || !e.Msg.Teardown || !strings.HasPrefix(e.Msg.Summary, "FIN · the ") {
					continue
				}
				fins++
				from := end[0] // the data connection's own client
				if strings.HasPrefix(e.Msg.Summary, "FIN · the server") {
					from = end[1]
				}
				if a.From != from {
					t.Errorf("%q of data connection %d drawn from lane %d (%s), want %d (%s)", e.Msg.Summary, e.Conv, a.From, lanes[a.From], from, lanes[from])
				}
			}
			if fins == 0 {
				t.Errorf("no FIN of a data connection drawn")
			}
			checkDataBetween150And226(t, in, ctrl, data, tc.mode == ftpclient.Active)
		})
	}
}

// checkDataBetween150And226 checks the merged rows keep the wire's order: the
// FTP server closes its end of each data connection before it sends the 226 that
// ends the transfer, and in active mode, where it dials after its 150, the data
// connection's SYN comes after that 150.
func checkDataBetween150And226(t *testing.T, in *Inspector, ctrl lab.ConvID, data []lab.ConvInfo, active bool) {
	t.Helper()
	// The FTP server's end of a data connection: its TCP server in passive
	// mode, its client in active mode.
	serverFIN := "FIN · the server"
	if active {
		serverFIN = "FIN · the client"
	}
	var opening, complete []int
	first, fin := map[lab.ConvID]int{}, map[lab.ConvID]int{}
	var all []string
	for i := range in.rows() {
		e := in.row(i)
		sum := rowSummary(e)
		all = append(all, fmt.Sprintf("%d %s", e.Conv, sum))
		if e.Conv != ctrl {
			if _, ok := first[e.Conv]; !ok {
				first[e.Conv] = i
			}
			if strings.HasPrefix(sum, serverFIN) {
				fin[e.Conv] = i
			}
			continue
		}
		switch {
		case strings.HasPrefix(sum, "150 "):
			opening = append(opening, i)
		case strings.HasPrefix(sum, "226 "):
			complete = append(complete, i)
		}
	}
	if len(opening) != len(data) || len(complete) != len(data) {
		t.Fatalf("%d rows 150 and %d rows 226, want %d each, among\n%s", len(opening), len(complete), len(data), strings.Join(all, "\n"))
	}
	slices.SortFunc(data, func(a, b lab.ConvInfo) int { return cmp.Compare(a.ID, b.ID) })
	for k, d := range data {
		if e := in.row(first[d.ID]); e.Msg == nil || !strings.HasPrefix(e.Msg.Summary, "SYN") {
			t.Errorf("data connection %d starts with %q, want its SYN", d.ID, rowSummary(e))
		}
		if active && first[d.ID] < opening[k] {
			t.Errorf("data connection %d's SYN in row %d, before the 150 (row %d) the server sent before dialling, among\n%s",
				d.ID, first[d.ID], opening[k], strings.Join(all, "\n"))
		}
		if f, ok := fin[d.ID]; !ok || f > complete[k] {
			t.Errorf("data connection %d: %q in row %d (found: %v), want it before the 226 (row %d), among\n%s",
				d.ID, serverFIN, f, ok, complete[k], strings.Join(all, "\n"))
		}
	}
}

// ftpLab is the lab's FTP server on 127.0.0.1:0, tapped into a hub an inspector
// shows.
type ftpLab struct {
	hub    *lab.Hub
	in     *Inspector
	fp, dp *lab.Protocol // FTP's control and data protocols
	addr   string
}

func startFTPLab(t *testing.T) ftpLab {
	t.Helper()
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	fl := ftpLab{fp: ftp.Protocol(), dp: ftp.DataProtocol()}
	reg.Register(fl.fp)
	reg.Register(fl.dp)
	fl.hub = lab.NewHub(lab.HubOptions{Registry: reg})
	fl.in = newTestInspector(t, fl.hub, reg)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := ftpserver.New(ftpserver.Options{Root: t.TempDir(), Tap: fl.hub.Tap(fl.fp), DataTap: fl.hub.Tap(fl.dp)})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; err != nil && !errors.Is(err, ftpserver.ErrServerClosed) {
			t.Errorf("Serve = %v", err)
		}
	})
	<-srv.Started()
	fl.addr = l.Addr().String()
	return fl
}

// showEnded waits until control connection ctrl and its data connections have
// ended and been analyzed, shows ctrl, and returns its data connections.
func (fl ftpLab) showEnded(t *testing.T, ctrl lab.ConvID) []lab.ConvInfo {
	t.Helper()
	waitEnded(t, fl.hub, ctrl)
	var data []lab.ConvInfo
	for _, ci := range fl.hub.Conversations() {
		if ci.Link.Parent == ctrl {
			waitEnded(t, fl.hub, ci.ID)
			data = append(data, ci)
		}
	}
	fl.hub.Settle()
	fl.in.Update()
	fl.in.Select(ctrl)
	return data
}

// newFTPLab is startFTPLab's parts, for tests that take them one by one.
func newFTPLab(t *testing.T) (h *lab.Hub, in *Inspector, addr string, fp, dp *lab.Protocol) {
	t.Helper()
	fl := startFTPLab(t)
	return fl.hub, fl.in, fl.addr, fl.fp, fl.dp
}

// ftpStorList logs in to the FTP server at addr in mode, stores a file, lists
// the folder and quits, and brings what the lab saw into in: the control
// connection and its data connections, all ended.
func ftpStorList(t *testing.T, in *Inspector, addr string, fp, dp *lab.Protocol, mode ftpclient.Mode) (ctrl lab.ConvID, data []lab.ConvInfo) {
	t.Helper()
	h := in.hub
	c, err := ftpclient.Dial(context.Background(), addr, ftpclient.Options{Tap: h.Tap(fp), DataTap: h.Tap(dp), Mode: mode, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("lab", "lab"); err != nil {
		t.Fatal(err)
	}
	if err := c.Stor("a.txt", strings.NewReader("lab bytes\n"), 10, nil); err != nil {
		t.Fatalf("Stor: %v", err)
	}
	if _, err := c.List(""); err != nil {
		t.Fatalf("List: %v", err)
	}
	if err := c.Quit(); err != nil {
		t.Fatalf("Quit: %v", err)
	}
	ctrl = c.Conversation()
	waitEnded(t, h, ctrl)
	for _, ci := range h.Conversations() {
		if ci.Link.Parent == ctrl {
			waitEnded(t, h, ci.ID)
			data = append(data, ci)
		}
	}
	h.Settle()
	in.Update()
	return ctrl, data
}
