package httpserver

import (
	"html"
	"net"
	"net/http"
	"strings"

	"github.com/protocollab/protolab/assets/web"
	"github.com/protocollab/protolab/protocols/p2p"
)

// P2PPath is where the browser's WebRTC peer page is, whatever the docroot.
const P2PPath = "/p2p.html"

// p2pPage serves the browser peer's page, the signalling server's URL
// filled in from signal (its host:port, "" when unknown). A server
// listening on every address is reached by the host the page came from.
func p2pPage(signal func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		url := ""
		if signal != nil {
			if addr := signal(); addr != "" {
				host, port, err := net.SplitHostPort(addr)
				if ip := net.ParseIP(host); err == nil && (ip == nil || ip.IsUnspecified()) {
					if h, _, err := net.SplitHostPort(r.Host); err == nil {
						host = h
					} else {
						host = r.Host
					}
				}
				url = "ws://" + net.JoinHostPort(strings.Trim(host, "[]"), port) + p2p.Path
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write([]byte(strings.Replace(web.P2PPage, "{{SIGNAL}}", html.EscapeString(url), 1)))
	}
}
