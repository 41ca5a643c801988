package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
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
