package inspector

import (
	stdtls "crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
)

// TestTimingsOfHTTPSThroughALabName sends two HTTPS requests on one connection
// to https://www.lab.test, resolved by the lab's DNS server, and checks the
// waterfall: the first request has every phase, lookup to content, in order and
// each of them measured; the second only its own three.
func TestTimingsOfHTTPSThroughALabName(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		name := "HTTP/1.1"
		if h2 {
			name = "HTTP/2"
		}
		t.Run(name, func(t *testing.T) { checkHTTPSTimings(t, h2) })
	}
}

func checkHTTPSTimings(t *testing.T, h2 bool) {
	reg := wire.Registry()
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	in := newTestInspector(t, h, reg)
	pc := labDNS(t, h, reg)

	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	https := reg.Lookup("https")
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		io.WriteString(w, strings.Repeat("lab ", 1000))
	})}
	protos := []string{"http/1.1"}
	if h2 {
		protos = []string{"h2", "http/1.1"}
	} else {
		srv.TLSNextProto = map[string]func(*http.Server, *stdtls.Conn, http.Handler){}
	}
	go srv.Serve(stdtls.NewListener(h.Tap(https).Listener(hl), &stdtls.Config{Certificates: []stdtls.Certificate{cert}, NextProtos: protos}))
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(hl.Addr().String())

	d := &labdial.Dialer{Tap: h.Tap(https), Resolver: pc.LocalAddr().String(), DNSTap: h.Tap(reg.Lookup("dns"))}
	tr := &http.Transport{
		DialContext:       d.DialContext,
		TLSClientConfig:   &stdtls.Config{RootCAs: ca.Pool(), KeyLogWriter: h.Keys()},
		ForceAttemptHTTP2: h2,
	}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for range 2 {
		resp, err := client.Get("https://www.lab.test:" + port + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if h2 != (resp.ProtoMajor == 2) {
			t.Fatalf("spoke %s", resp.Proto)
		}
	}
	tr.CloseIdleConnections()

	var id lab.ConvID
	for _, ci := range h.Conversations() {
		if ci.Protocol == "https" {
			id = ci.ID
		}
	}
	waitEnded(t, h, id)
	h.Settle()
	info := h.Conversation(id).Info(false)
	rows := timings(info, h.ConvEvents(id), in.lookupRows(info))
	if len(rows) != 2 {
		t.Fatalf("%d requests timed, want 2: %+v", len(rows), rows)
	}
	names := func(r requestTiming) []string {
		var out []string
		for _, p := range r.phases {
			out = append(out, p.name)
		}
		return out
	}
	want := []string{phaseLookup, phaseConnect, handshakePhase("tls"), phaseSend, phaseWait, phaseContent}
	if got := names(rows[0]); strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("first request's phases = %q, want %q", got, want)
	}
	if got := names(rows[1]); strings.Join(got, ", ") != strings.Join(want[3:], ", ") {
		t.Errorf("second request's phases = %q, want %q", got, want[3:])
	}
	for i, r := range rows {
		var last time.Time
		for _, p := range r.phases {
			if p.start.IsZero() || p.end.Before(p.start) {
				t.Errorf("request %d: %s from %v to %v", i, p.name, p.start, p.end)
			}
			if !last.IsZero() && p.start.Before(last.Add(-time.Millisecond)) {
				t.Errorf("request %d: %s starts %v before the phase before it ended", i, p.name, last.Sub(p.start))
			}
			last = p.end
		}
	}
	if rows[1].start().Before(rows[0].end()) {
		t.Errorf("the second request starts before the first one's content ended")
	}
	if !strings.Contains(rows[0].label, "GET") {
		t.Errorf("first request's label %q, want its method", rows[0].label)
	}

	// The Timing tab draws the same waterfall for the shown conversation.
	in.Update()
	in.Select(id)
	in.seqTabs.SelectIndex(1)
	drawn := in.timing.Rows()
	if len(drawn) != 2 || drawn[0].Label != rows[0].label || len(drawn[0].Phases) != len(rows[0].phases) {
		t.Errorf("the Timing tab draws %+v, want the two requests timed", drawn)
	}
}
