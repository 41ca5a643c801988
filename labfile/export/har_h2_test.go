package export_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/httpclient"
	"github.com/protocollab/protolab/labfile/export"
)

// TestHARHTTP2 exports HTTP/2 exchanges over TLS — several requests on one
// connection — from the h2 analyzer's decrypted messages.
func TestHARHTTP2(t *testing.T) {
	tb := startBench(t, "https")
	hc := httpclient.New(httpclient.Options{Tap: tb.tap("https"), RootCAs: tb.ca.Pool(), KeepAlive: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	base := "https://" + tb.addr["https"]
	for _, req := range []httpclient.Request{
		{URL: base + "/echo?h2=yes", Version: httpclient.Version20},
		{Method: "POST", URL: base + "/echo", Version: httpclient.Version20, Body: []byte("sent over a stream"),
			Header: http.Header{"Content-Type": {"text/plain"}}},
		{URL: base + "/status/418", Version: httpclient.Version20},
	} {
		r, err := hc.Do(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if r.Proto != "HTTP/2.0" {
			t.Fatalf("%s: %s, want HTTP/2.0", req.URL, r.Proto)
		}
	}
	hc.Close()
	convs, events, _ := tb.session(t)
	var out bytes.Buffer
	if err := export.HAR(&out, convs, events); err != nil {
		t.Fatal(err)
	}
	entries := checkHAR(t, out.Bytes())
	if len(entries) != 3 {
		t.Fatalf("%d entries, want the 3 requests", len(entries))
	}
	conns := map[any]bool{}
	for _, e := range entries {
		conns[field(e, "connection")] = true
		if v := field(e, "request", "httpVersion"); v != "HTTP/2.0" {
			t.Errorf("httpVersion = %v, want HTTP/2.0", v)
		}
	}
	if len(conns) != 1 {
		t.Errorf("entries on %d connections, want the one HTTP/2 connection", len(conns))
	}
	if got := field(entries[0], "request", "url"); got != base+"/echo?h2=yes" {
		t.Errorf("url = %v", got)
	}
	if text, _ := field(entries[0], "response", "content", "text").(string); !strings.Contains(text, `"method": "GET"`) && !strings.Contains(text, `"method":"GET"`) {
		t.Errorf("GET /echo content = %.120q, want the echo", text)
	}
	if got := field(entries[1], "request", "postData", "text"); got != "sent over a stream" {
		t.Errorf("postData.text = %v", got)
	}
	if got := field(entries[2], "response", "status"); got != 418.0 {
		t.Errorf("status = %v, want 418", got)
	}
}
