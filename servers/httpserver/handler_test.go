package httpserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/servers/httpserver"
)

var endpointTests = []struct {
	path, status, contains string
	chunked                bool
}{
	{"/", "200 OK", "Protocol Lab: HTTP", false},
	{"/picture.html", "200 OK", `<img src="/lab.svg"`, false},
	{"/lab.svg", "200 OK", "<svg", false},
	{"/status/418", "418 I'm a teapot", "418 (Unused)", false},
	{"/status/503", "503 Service Unavailable", "503 Service Unavailable", false},
	{"/status/204", "204 No Content", "", false},
	{"/status/99", "400 Bad Request", "code must be a whole number from 200 to 599", false},
	{"/delay/0", "200 OK", "answered after 0 s", false},
	{"/delay/11", "400 Bad Request", "from 0 to 10", false},
	{"/stream/3", "200 OK", "{\"id\": 2, \"of\": 3}\n", true},
	{"/redirect/3", "200 OK", "arrived", false},
	{"/missing", "404 Not Found", "404 page not found", false},
}

func TestEndpoints(t *testing.T) {
	_, addr := startServer(t, httpserver.Options{})
	for _, tt := range endpointTests {
		resp, err := http.Get("http://" + addr + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Status != tt.status {
			t.Errorf("GET %s: status %q, want %q", tt.path, resp.Status, tt.status)
		}
		if !strings.Contains(string(body), tt.contains) {
			t.Errorf("GET %s: body %q, want it to contain %q", tt.path, body, tt.contains)
		}
		if got := len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked"; got != tt.chunked {
			t.Errorf("GET %s: chunked = %v, want %v", tt.path, got, tt.chunked)
		}
	}
}

func TestEcho(t *testing.T) {
	_, addr := startServer(t, httpserver.Options{})
	req, _ := http.NewRequest("POST", "http://"+addr+"/echo?a=1", strings.NewReader("hello"))
	req.Header.Set("X-Lab", "yes")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e httpserver.Echo
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if e.Method != "POST" || e.Body != "hello" || e.BodyBytes != 5 || e.Args.Get("a") != "1" || e.Headers["X-Lab"][0] != "yes" {
		t.Errorf("echo = %+v", e)
	}
}

func TestCookies(t *testing.T) {
	_, addr := startServer(t, httpserver.Options{})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get("http://" + addr + "/cookies/set?flavour=oatmeal")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.Get("http://" + addr + "/cookies")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Cookies map[string]string }
	json.NewDecoder(resp.Body).Decode(&got)
	if got.Cookies["flavour"] != "oatmeal" {
		t.Errorf("cookies = %v, want flavour=oatmeal kept across requests", got.Cookies)
	}
}

// TestSessionsAndShutdown checks that Sessions counts an idle keep-alive
// connection and that Shutdown closes it and returns.
func TestSessionsAndShutdown(t *testing.T) {
	srv, addr := startServer(t, httpserver.Options{})
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := srv.Sessions(); got != 1 {
		t.Errorf("Sessions = %d, want 1 kept-alive connection", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	if _, err := http.Get("http://" + addr + "/"); err == nil {
		t.Error("a request after Shutdown succeeded")
	}
}
