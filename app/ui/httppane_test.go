package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/lab"
)

// TestHTTPPaneKeepAlive sends three requests in a row with keep-alive on and
// off and counts the HTTP conversations (TCP connections) each opened.
func TestHTTPPaneKeepAlive(t *testing.T) {
	w := testWindow(t)
	st := started(t, w, "http")
	p := w.wb.benches["http"].client.(*httpPane)
	if got, want := p.url.value(), "http://"+st.Addr+"/"; got != want {
		t.Errorf("URL = %q, want the server's %q", got, want)
	}
	convs := func() int {
		w.hub.Settle()
		n := 0
		for _, ci := range w.hub.Conversations() {
			if ci.Protocol == "http" {
				n++
			}
		}
		return n
	}
	for _, tt := range []struct {
		version string
		convs   int
	}{
		{verKeepAlive, 1},
		{verHTTP10, 4},
		{verNoKeepLive, 7},
	} {
		p.version.SetSelected(tt.version)
		test.Tap(p.send3)
		waitFor(t, w, tt.version+" responses", func() bool { return strings.Count(p.status.Text, "200 OK") == 3 })
		if got := convs(); got != tt.convs {
			t.Errorf("after %s: %d conversations, want %d\n%s", tt.version, got, tt.convs, p.status.Text)
		}
	}
	if !strings.Contains(p.response.Text, "Protocol Lab: HTTP") || !strings.HasPrefix(p.response.Text, "HTTP/1.1 200 OK\n") {
		t.Errorf("response = %q", p.response.Text)
	}
}

func TestHTTPPanePost(t *testing.T) {
	w := testWindow(t)
	st := started(t, w, "http")
	p := w.wb.benches["http"].client.(*httpPane)
	p.method.SetSelected("POST")
	p.url.SetText("http://" + st.Addr + "/echo")
	p.headers.SetText("X-Lab: pane\n")
	p.body.SetText("hello")
	test.Tap(p.send)
	waitFor(t, w, "the echo", func() bool { return strings.Contains(p.response.Text, `"body": "hello"`) })
	if !strings.Contains(p.response.Text, `"X-Lab"`) {
		t.Errorf("response = %q, want the header echoed", p.response.Text)
	}
	p.headers.SetText("not a header")
	test.Tap(p.send)
	if !strings.Contains(p.status.Text, "is not Name: value") {
		t.Errorf("status = %q, want the header error", p.status.Text)
	}
}

// TestHTTPSPaneHTTP2AndLabName sends over HTTPS with HTTP/2 to a lab name: the
// name is looked up at the lab's DNS server first, the three requests share one
// TLS connection, and the inspector shows TLS with HTTP/2 inside.
func TestHTTPSPaneHTTP2AndLabName(t *testing.T) {
	w := testWindow(t)
	dns := started(t, w, "dns")
	st := started(t, w, "https")
	p := w.wb.benches["https"].client.(*httpPane)
	if got, want := p.url.value(), "https://"+st.Addr+"/"; got != want {
		t.Errorf("URL = %q, want the server's %q", got, want)
	}
	_, port, _ := strings.Cut(st.Addr, ":")
	p.url.SetText("https://www.lab.test:" + port + "/echo")
	p.version.SetSelected(verHTTP2)
	test.Tap(p.send3)
	waitFor(t, w, "HTTP/2 responses", func() bool { return strings.Count(p.status.Text, "200 OK") == 3 })
	if !strings.Contains(p.status.Text, "ALPN h2") || !strings.Contains(p.status.Text, "HTTP/2.0") {
		t.Errorf("status = %q, want HTTP/2 negotiated by ALPN", p.status.Text)
	}
	w.hub.Settle()
	var https []lab.ConvInfo
	lookups := 0
	for _, ci := range w.hub.Conversations() {
		switch ci.Protocol {
		case "https":
			https = append(https, ci)
		case "dns":
			lookups++
		}
	}
	if len(https) != 1 {
		t.Fatalf("%d HTTPS conversations, want the three requests on one", len(https))
	}
	if https[0].Link.Parent == 0 || lookups == 0 {
		t.Errorf("HTTPS conversation's parent %d, %d lookups at %s: want it linked under its lookup", https[0].Link.Parent, lookups, dns.Addr)
	}
	layers := map[string]int{}
	for _, e := range w.hub.ConvEvents(https[0].ID) {
		if e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake {
			layers[e.Layer]++
		}
	}
	if layers["tls"] == 0 || layers["h2"] < 6 {
		t.Errorf("messages by layer = %v, want TLS and HTTP/2 inside it", layers)
	}
}
