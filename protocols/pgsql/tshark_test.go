package pgsql

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/labfile/export"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// TestWireshark plays each conversation of conversationTests over real
// sockets on 127.0.0.1 through the lab's tap, writes what the lab captured as
// the lab's pcapng export (with its Decode As rules) and has Wireshark's pgsql
// dissector read it: both must see the same messages, in the same order, by
// direction, type and length.
func TestWireshark(t *testing.T) {
	if testing.Short() {
		t.Skip("tshark takes seconds")
	}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark is not installed (Debian package tshark)")
	}
	type conv struct {
		name  string
		steps []step
		port  int // the client's
	}
	var convs []conv
	for _, tt := range conversationTests {
		convs = append(convs, conv{name: tt.name, steps: tt.steps(t)})
	}
	for _, tt := range captureTests {
		convs = append(convs, conv{name: tt.file, steps: capture(t, tt.file)})
	}
	var all [][]step
	for _, c := range convs {
		all = append(all, c.steps)
	}
	hub, reg, server, ports := hubConvs(t, all...)
	for i := range convs {
		convs[i].port = ports[i]
	}
	infos := hub.Conversations()
	var out bytes.Buffer
	if err := export.PCAPNG(&out, reg, infos, hub.Events(0), hub.Keys().Lines()); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "pgsql.pcapng")
	if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-n", "-r", file}
	for _, rule := range export.DecodeAs(reg, infos) {
		args = append(args, "-d", rule)
	}
	args = append(args, "-Y", "pgsql", "-T", "fields", "-E", "occurrence=a",
		"-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "pgsql.type", "-e", "pgsql.length")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := exec.CommandContext(ctx, "tshark", args...).Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	wireshark := map[int][]string{} // by client port: "> Q 32", "< T 50"
	for _, line := range strings.Split(strings.TrimSpace(string(got)), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Fatalf("tshark: %q", line)
		}
		var src, dst int
		fmt.Sscan(cols[0], &src)
		fmt.Sscan(cols[1], &dst)
		client, dir, names := src, ">", wiresharkFrontend
		if src == server {
			client, dir, names = dst, "<", wiresharkBackend
		}
		types, lengths := strings.Split(cols[2], ","), strings.Split(cols[3], ",")
		for i, typ := range types {
			n := "?"
			if i < len(lengths) {
				n = lengths[i]
			}
			code, ok := names[typ]
			if !ok {
				code = "Wireshark's " + strconv.Quote(typ)
			}
			wireshark[client] = append(wireshark[client], dir+" "+code+" "+n)
		}
	}
	for _, c := range convs {
		var want []string
		for _, m := range analyzertest.Feed(NewAnalyzer(), c.steps, 0) {
			if len(m.Raw) == 1 {
				continue // the answer to an SSLRequest is a byte, not a message, for Wireshark too
			}
			dir, code := ">", "startup"
			if m.Dir == s2c {
				dir = "<"
			}
			if m.Fields[0].Name == "type" {
				code = string(m.Raw[:1])
			}
			want = append(want, dir+" "+code+" "+analyzertest.Field(m, "length"))
		}
		if got := wireshark[c.port]; !slices.Equal(got, want) {
			t.Errorf("%s: Wireshark reads\n%q, the analyzer\n%q", c.name, got, want)
		}
	}
}

// Wireshark's names of the messages (its pgsql.type), and their type bytes:
// "startup" for the untyped start-up packets.
var (
	wiresharkFrontend = map[string]string{
		"Startup message": "startup", "SSL request": "startup", "Cancel request": "startup", "GSS encrypt request": "startup",
		"Password message": "p", "SASLInitialResponse message": "p", "SASLResponse message": "p", "GSSResponse message": "p",
		"Simple query": "Q", "Parse": "P", "Bind": "B", "Describe": "D", "Execute": "E", "Sync": "S", "Flush": "H",
		"Close": "C", "Termination": "X", "Copy data": "d", "Copy completion": "c", "Copy failure": "f", "Function call": "F",
	}
	wiresharkBackend = map[string]string{
		"Authentication request": "R", "Parameter status": "S", "Backend key data": "K", "Ready for query": "Z",
		"Row description": "T", "Data row": "D", "Command completion": "C", "Empty query": "I", "Error": "E", "Notice": "N",
		"Parse completion": "1", "Bind completion": "2", "Close completion": "3", "No data": "n", "Parameter description": "t",
		"Portal suspended": "s", "CopyIn response": "G", "CopyOut response": "H", "CopyBoth response": "W", "Copy data": "d",
		"Copy completion": "c", "Notification response": "A", "Function call response": "V", "Negotiate protocol version": "v",
	}
)

// play plays steps over a new connection to tl: the client writes its steps,
// the server (the tapped end) reads them and writes its own. It returns the
// client's port.
func play(t *testing.T, tl net.Listener, steps []step) int {
	t.Helper()
	c, err := net.Dial("tcp", tl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := tl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		from, to := c, s
		if st.Dir == s2c {
			from, to = s, c
		}
		if _, err := from.Write([]byte(st.Data)); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(to, make([]byte, len(st.Data))); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	io.Copy(io.Discard, s)
	s.Close()
	return c.LocalAddr().(*net.TCPAddr).Port
}
