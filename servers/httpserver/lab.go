package httpserver

import (
	"crypto/tls"
	"fmt"
	"io/fs"
	"os"

	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/servers/internal/labtls"
	"github.com/protocollab/protolab/servers/whipserver"
)

// Settings keys and their choices.
const (
	SettingDocroot = "docroot" // a folder to serve at "/"; "" serves the lab's own pages
	SettingTLS     = "tls"     // which TLS versions an HTTPS server offers: TLS12And13, TLS13Only, TLS12Only
	SettingHTTP2   = "http2"   // whether an HTTPS server offers HTTP/2: HTTP2On or HTTP2Off

	TLS12And13 = "1.2 and 1.3"
	TLS13Only  = "1.3 only"
	TLS12Only  = "1.2 only"

	HTTP2On  = "on"
	HTTP2Off = "off"
)

// DocrootSetting is the docroot setting, shared by the HTTP and HTTPS servers.
var DocrootSetting = lab.Setting{
	Key:   SettingDocroot,
	Label: "Docroot",
	Kind:  lab.SettingFolder,
	Help:  "a folder whose files \"/\" serves; empty serves the lab's own pages",
}

// Settings are the options of the plain HTTP server (NewLab), for its lab.Protocol.
var Settings = []lab.Setting{DocrootSetting}

// TLSSettings are the options of the HTTPS server (NewLabTLS), for its lab.Protocol.
var TLSSettings = []lab.Setting{
	{
		Key:     SettingTLS,
		Label:   "TLS versions",
		Default: TLS12And13,
		Choices: []string{TLS12And13, TLS13Only, TLS12Only},
		Help: "which TLS versions the server accepts; a client that offers none of them " +
			"fails the handshake with a protocol_version alert",
	},
	{
		Key:     SettingHTTP2,
		Label:   "HTTP/2",
		Default: HTTP2On,
		Choices: []string{HTTP2On, HTTP2Off},
		Help: "on offers h2 and http/1.1 by ALPN, so a client that asks for HTTP/2 gets it; " +
			"off offers http/1.1 only",
	},
	DocrootSetting,
}

// Module is the plain HTTP server for the lab's registry (with http.Protocol);
// TLSModule is the HTTPS one (with the "https" protocol).
var (
	Module    = lab.ServerModule{New: NewLab, Settings: Settings}
	TLSModule = lab.ServerModule{New: NewLabTLS, Settings: TLSSettings}
)

// NewLab adapts a plain HTTP Server to lab.Server, the form the Bench drives: Start
// binds opts.Addr with lab.Listen, taps the listener with opts.Tap and serves in
// the background. It reads the setting "docroot".
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	root, err := docroot(opts.Setting(SettingDocroot, ""))
	if err != nil {
		return nil, err
	}
	srv := New(Options{Tap: opts.Tap, Docroot: root, WHIP: labWHIP(opts), Signal: labSignal(opts)})
	return lab.StreamServer(httpproto.Name, opts.Addr, srv, srv.Serve), nil
}

// NewLabTLS adapts an HTTPS Server to lab.Server, as NewLab does a plain one. Its
// certificate comes from the lab's CA (labca.Open(labdir.CA())), for the
// names in labca.LabHosts and the address it listens on when that is a private
// one. It reads the settings "tls", "http2" and "docroot" (see TLSSettings).
func NewLabTLS(opts lab.ServerOptions) (lab.Server, error) {
	root, err := docroot(opts.Setting(SettingDocroot, ""))
	if err != nil {
		return nil, err
	}
	cert, err := labtls.Cert("httpserver", opts.Addr)
	if err != nil {
		return nil, err
	}
	cfg, err := TLSConfig(cert, opts.Setting(SettingTLS, TLS12And13), opts.Setting(SettingHTTP2, HTTP2On))
	if err != nil {
		return nil, err
	}
	srv := New(Options{Tap: opts.Tap, Docroot: root, TLS: cfg, WHIP: labWHIP(opts), Signal: labSignal(opts)})
	return lab.StreamServer(httpproto.HTTPSName, opts.Addr, srv, srv.Serve), nil
}

// TLSConfig returns the lab's server TLS configuration for cert: versions is one
// of TLS12And13, TLS13Only and TLS12Only, http2 HTTP2On or HTTP2Off. TLS 1.2 is
// limited to ECDHE with AES-GCM or ChaCha20-Poly1305 (RFC 5289, RFC 7905), the
// AEAD suites the lab's TLS analyzer decrypts; TLS 1.3's suites are all AEAD.
func TLSConfig(cert tls.Certificate, versions, http2 string) (*tls.Config, error) {
	c := &tls.Config{
		Certificates: []tls.Certificate{cert},
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
	switch versions {
	case TLS12And13:
		c.MinVersion, c.MaxVersion = tls.VersionTLS12, tls.VersionTLS13
	case TLS13Only:
		c.MinVersion, c.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
	case TLS12Only:
		c.MinVersion, c.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	default:
		return nil, fmt.Errorf("httpserver: TLS versions %q: choose %q, %q or %q", versions, TLS12And13, TLS13Only, TLS12Only)
	}
	switch http2 {
	case HTTP2On:
		c.NextProtos = []string{"h2", "http/1.1"}
	case HTTP2Off:
		c.NextProtos = []string{"http/1.1"}
	default:
		return nil, fmt.Errorf("httpserver: HTTP/2 %q: choose %q or %q", http2, HTTP2On, HTTP2Off)
	}
	return c, nil
}

// labWHIP is the WHIP endpoint of a server in a bench, answered by the
// bench's answering peer; nil outside one.
func labWHIP(opts lab.ServerOptions) *whipserver.Handler {
	if opts.Lab == nil {
		return nil
	}
	return whipserver.LabHandler(opts.Lab)
}

// labSignal is the address of the bench's signalling server, for
// /p2p.html; nil outside a bench.
func labSignal(opts lab.ServerOptions) func() string {
	b := opts.Lab
	if b == nil {
		return nil
	}
	return func() string { return b.Addr(p2p.Name) }
}

// docroot opens the folder a person chose to serve; "" is the lab's own pages.
func docroot(dir string) (fs.FS, error) {
	if dir == "" {
		return nil, nil
	}
	fi, err := os.Stat(dir)
	switch {
	case os.IsNotExist(err):
		return nil, fmt.Errorf("httpserver: the docroot %s does not exist — choose a folder that does, or clear the docroot setting to serve the lab's own pages", dir)
	case err != nil:
		return nil, fmt.Errorf("httpserver: the docroot: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("httpserver: the docroot %s is a file, not a folder — choose the folder that holds it", dir)
	}
	return os.DirFS(dir), nil
}
