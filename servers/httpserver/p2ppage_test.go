package httpserver_test

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/httpserver"
)

// TestP2PPage: /p2p.html is served whatever the docroot, with the
// signalling server's URL filled in: as given, or with the page's host for a
// server listening on every address; without one the page guesses.
func TestP2PPage(t *testing.T) {
	for _, tt := range []struct {
		signal, want string
	}{
		{"127.0.0.1:8188", `content="ws://127.0.0.1:8188/signal"`},
		{"0.0.0.0:9000", `content="ws://127.0.0.1:9000/signal"`},
		{"[::]:9000", `content="ws://127.0.0.1:9000/signal"`},
		{"", `content=""`},
	} {
		opts := httpserver.Options{Docroot: os.DirFS(t.TempDir())} // a docroot with no page of its own
		if tt.signal != "" {
			opts.Signal = func() string { return tt.signal }
		}
		_, addr := startServer(t, opts)
		resp, err := http.Get("http://" + addr + httpserver.P2PPath)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tt.want) || !strings.Contains(string(body), "RTCPeerConnection") {
			t.Errorf("signal %q: GET %s = %s, want the page with %s", tt.signal, httpserver.P2PPath, resp.Status, tt.want)
		}
	}
}
