package labfile_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/labfile"
)

// newBench returns the app's bench with its lab CA in a temporary folder.
func newBench(t testing.TB) *lab.Bench {
	t.Helper()
	if os.Getenv(labdir.EnvConfig) == "" {
		labdirtest.Temp(t)
	}
	b := wire.NewBench(lab.HubOptions{})
	t.Cleanup(b.StopAll)
	return b
}

// start starts name's server on port (0: a free one) and returns its address.
func start(t testing.TB, b *lab.Bench, name string, port int) string {
	t.Helper()
	b.SetPort(name, port)
	if err := b.Start(name); err != nil {
		t.Fatalf("Start(%s): %v", name, err)
	}
	return b.Status(name).Addr
}

// freePort returns a port nothing listens on just now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitEnded waits until every TCP conversation of h has ended and its analysis caught up.
func waitEnded(t testing.TB, h *lab.Hub) {
	t.Helper()
	changed := make(chan struct{}, 1)
	h.OnConversation(func(lab.ConvID) {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	deadline := time.After(10 * time.Second)
	for {
		live := 0
		for _, c := range h.Conversations() {
			if c.Live && !c.Datagram {
				live++
			}
		}
		if live == 0 {
			h.Settle()
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%d conversations still live: %+v", live, h.Conversations())
		}
	}
}

// capture runs real exchanges through b's servers: a TCP echo from the lab's
// own tapped client, an HTTP GET, an HTTPS GET (decrypted with the lab's keys),
// and DNS queries over UDP and TCP.
func capture(t testing.TB, b *lab.Bench, ports map[string]int) {
	t.Helper()
	h := b.Hub()
	addr := make(map[string]string)
	for _, name := range []string{"tcp", "http", "https", "dns"} {
		addr[name] = start(t, b, name, ports[name])
	}

	c, err := h.Tap(b.Registry().Lookup("tcp")).Dial(context.Background(), "tcp", addr["tcp"])
	if err != nil {
		t.Fatal(err)
	}
	msg := "hello, lab\n"
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, len(msg))); err != nil {
		t.Fatalf("echo: %v", err)
	}
	c.Close()

	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	for _, url := range []string{"http://" + addr["http"] + "/", "https://" + addr["https"] + "/"} {
		resp, err := (&http.Client{Transport: tr}).Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	tr.CloseIdleConnections()

	for _, network := range []string{"udp", "tcp"} {
		m := new(mdns.Msg)
		m.SetQuestion("www.lab.test.", mdns.TypeA)
		if _, _, err := (&mdns.Client{Net: network}).Exchange(m, addr["dns"]); err != nil {
			t.Fatalf("DNS over %s: %v", network, err)
		}
	}
	waitEnded(t, h)
}

func kinds(events []lab.Event) map[string]int {
	n := make(map[string]int)
	for _, e := range events {
		n[e.Layer+" "+e.Kind.String()]++
	}
	return n
}

func TestSaveLoadRealCapture(t *testing.T) {
	b := newBench(t)
	capture(t, b, nil)
	clients := map[string]json.RawMessage{"http": json.RawMessage(`{"saved":[{"method":"GET","url":"http://www.lab.test/"}]}`)}
	s := labfile.Capture(b, clients)

	n := kinds(s.Events)
	for _, k := range []string{"tcp data", "http message", "tls handshake", "dns message", "udp data"} {
		if n[k] == 0 {
			t.Errorf("the capture has no %q events (it has %v)", k, n)
		}
	}
	if len(s.Keys) == 0 {
		t.Error("the capture has no TLS keys")
	}
	for _, name := range []string{"tcp", "http", "https", "dns"} {
		if ss := s.Bench.Servers[name]; !ss.Running || ss.Addr == "" {
			t.Errorf("Bench.Servers[%s] = %+v, want running with its address", name, ss)
		}
	}

	path := filepath.Join(t.TempDir(), "lab"+labfile.Extension)
	if err := labfile.Save(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := labfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	labfile.CompareSessions(t, got, s)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("saved file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) > 0 {
		t.Errorf("Save left temporary files: %q", left)
	}
	t.Logf("%d conversations, %d events, %d keys", len(s.Conversations), len(s.Events), len(s.Keys))
}

func TestRestore(t *testing.T) {
	b := newBench(t)
	ports := map[string]int{"tcp": freePort(t), "http": freePort(t)}
	capture(t, b, ports)
	b.SetSetting("http", "docroot", t.TempDir())
	s := labfile.Capture(b, nil)
	path := filepath.Join(t.TempDir(), "lab"+labfile.Extension)
	if err := labfile.Save(path, s); err != nil {
		t.Fatal(err)
	}
	b.StopAll()

	// Another program took the HTTP server's port in the meantime.
	taken, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(ports["http"]))
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	loaded, err := labfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	fresh := newBench(t)
	fresh.Start("udp") // running before the restore: stopped by it
	notStarted, err := loaded.Restore(fresh)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if len(notStarted) != 1 || notStarted["http"] == nil {
		t.Errorf("Restore: not started %v, want http only (its port is taken)", notStarted)
	}
	var le *lab.ListenError
	if !errors.As(notStarted["http"], &le) {
		t.Errorf("http's error %v is not a *lab.ListenError", notStarted["http"])
	}
	want := map[string]bool{"tcp": true, "https": true, "dns": true}
	for _, p := range fresh.Registry().All() {
		if st := fresh.Status(p.Name); st.Running != want[p.Name] {
			t.Errorf("%s running %v, want %v", p.Name, st.Running, want[p.Name])
		}
	}
	if got, want := fresh.Status("tcp").Addr, "127.0.0.1:"+strconv.Itoa(ports["tcp"]); got != want {
		t.Errorf("tcp restored on %s, want %s", got, want)
	}
	if got, want := fresh.Setting("http", "docroot"), b.Setting("http", "docroot"); got != want {
		t.Errorf("http docroot %q, want %q", got, want)
	}

	// The inspector sees what was saved: the same conversations and events.
	h := fresh.Hub()
	wantConvs := ended(s.Conversations)
	labfile.CompareConvs(t, h.Conversations(), wantConvs)
	labfile.CompareEvents(t, h.Events(0), s.Events, false)
	for _, ci := range wantConvs {
		var want []lab.Event
		for _, e := range s.Events {
			if e.Conv == ci.ID {
				want = append(want, e)
			}
		}
		labfile.CompareEvents(t, h.ConvEvents(ci.ID), want, false)
		if got := h.Conversation(ci.ID).Info(false); got.Live {
			t.Errorf("conversation %d is live after Restore", ci.ID)
		}
	}
	if got, want := len(h.Keys().Lines()), len(s.Keys); got != want {
		t.Errorf("%d TLS keys restored, want %d", got, want)
	}
}

// ended is what a reopened session shows of conversations saved while live:
// UDP flows end with their last datagram.
func ended(convs []lab.ConvInfo) []lab.ConvInfo {
	out := append([]lab.ConvInfo(nil), convs...)
	for i := range out {
		if out[i].Live {
			out[i].Live = false
			out[i].End = out[i].Last
			if out[i].Datagram && out[i].CloseHow == "" {
				out[i].CloseHow = lab.HowIdle
			}
		}
	}
	return out
}
