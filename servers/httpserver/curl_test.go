package httpserver_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/httpserver"
)

// TestCurl fetches two pages in one curl run with HTTP/1.0 and with HTTP/1.1:
// 1.0 opens a connection per request, 1.1 reuses one.
func TestCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed")
	}
	for _, tt := range []struct {
		flag, status string
		convs        int
	}{
		{"--http1.0", "HTTP/1.0 200 OK", 2},
		{"--http1.1", "HTTP/1.1 200 OK", 1},
	} {
		hub, p := newHub()
		_, addr := startServer(t, httpserver.Options{Tap: hub.Tap(p)})
		out, err := exec.Command(curl, tt.flag, "-sS", "-i", "--max-time", "10",
			"http://"+addr+"/", "http://"+addr+"/echo?format=text").CombinedOutput()
		if err != nil {
			t.Fatalf("curl %s: %v\n%s", tt.flag, err, out)
		}
		text := string(out)
		if got := strings.Count(text, tt.status); got != 2 {
			t.Errorf("curl %s: %d × %q in\n%s", tt.flag, got, tt.status, text)
		}
		if !strings.Contains(text, "Protocol Lab: HTTP") || !strings.Contains(text, "GET /echo?format=text "+tt.status[:8]) {
			t.Errorf("curl %s: page or echo missing in\n%s", tt.flag, text)
		}
		hub.Settle()
		if got := httpConvs(hub); got != tt.convs {
			t.Errorf("curl %s: %d conversations, want %d", tt.flag, got, tt.convs)
		}
		var reqs []string
		for _, e := range hub.Events(0) {
			if e.Kind == lab.KindMessage && e.Layer == "http" && e.Dir == lab.ClientToServer {
				reqs = append(reqs, e.Msg.Summary)
			}
		}
		want := "GET / " + tt.status[:8] + " | GET /echo?format=text " + tt.status[:8]
		if got := strings.Join(reqs, " | "); got != want {
			t.Errorf("curl %s: requests %q, want %q", tt.flag, got, want)
		}
	}
}
