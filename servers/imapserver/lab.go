package imapserver

import (
	"crypto/tls"
	"fmt"
	"net"
	"slices"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/servers/mailstore"
)

// Settings keys and their choices.
const (
	SettingSTARTTLS       = "starttls"         // On or Off: whether STARTTLS is offered, with the lab CA's certificate
	SettingPlainBeforeTLS = "plain-before-tls" // Off or On: whether LOGIN may come before STARTTLS

	On  = "on"
	Off = "off"
)

// Settings are the IMAP server's options a person may change, for its lab.Protocol.
var Settings = []lab.Setting{
	{
		Key:     SettingSTARTTLS,
		Label:   "STARTTLS",
		Default: On,
		Choices: []string{On, Off},
		Help:    "on offers STARTTLS with a certificate from the lab's CA, so the password can cross encrypted: curl --ssl-reqd, for one",
	},
	{
		Key:     SettingPlainBeforeTLS,
		Label:   "Plain-text login before STARTTLS",
		Default: Off,
		Choices: []string{Off, On},
		Help:    "off refuses LOGIN with NO [PRIVACYREQUIRED] (and advertises LOGINDISABLED) until the client has sent STARTTLS; on lets the password cross in clear text, as the inspector then shows. With STARTTLS off, plain-text login is always allowed",
	},
}

// Domains are the mail domains NewLab serves.
var Domains = []string{mailstore.DomainAlpha, mailstore.DomainBeta}

// OpenStore opens the Store of a domain for NewLab. The SMTP, POP3 and IMAP
// servers of one process must share one Store per domain; the default,
// mailstore.Default, returns the lab's shared one (kept in the lab's data
// folder). The app may set it before starting servers, never while one starts.
var OpenStore = mailstore.Default

// NewLab adapts a Server to lab.Server, the form the Bench drives: Start binds
// opts.Addr with lab.Listen, taps connections with opts.Tap and serves in the
// background. It serves the stores of Domains, opened with OpenStore, and reads
// the settings of Settings.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	var stores []*mailstore.Store
	for _, d := range Domains {
		st, err := OpenStore(d)
		if err != nil {
			return nil, fmt.Errorf("imapserver: the mail of %s: %w", d, err)
		}
		stores = append(stores, st)
	}
	o := Options{Stores: stores, Tap: opts.Tap}
	switch v := opts.Setting(SettingSTARTTLS, On); v {
	case On:
		cfg, err := labTLS(opts.Addr)
		if err != nil {
			return nil, err
		}
		o.TLS = cfg
	case Off:
	default:
		return nil, fmt.Errorf("imapserver: starttls %q: choose %q or %q", v, On, Off)
	}
	switch v := opts.Setting(SettingPlainBeforeTLS, Off); v {
	case On:
		o.AllowPlainBeforeTLS = true
	case Off:
	default:
		return nil, fmt.Errorf("imapserver: plain-before-tls %q: choose %q or %q", v, Off, On)
	}
	srv := New(o)
	return lab.StreamServer("imap", opts.Addr, srv, srv.Serve), nil
}

// labTLS is a TLS configuration with a certificate from the lab's CA, for the
// lab's names and the address the server listens on when it is a private one.
func labTLS(addr string) (*tls.Config, error) {
	dir, err := labca.DefaultDir()
	if err != nil {
		return nil, fmt.Errorf("imapserver: %w", err)
	}
	ca, err := labca.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("imapserver: the lab's CA: %w", err)
	}
	hosts := slices.Clone(labca.LabHosts)
	if h, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(h); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() && ip.IsPrivate() {
			hosts = append(hosts, ip.String())
		}
	}
	cert, err := ca.Leaf(hosts...)
	if err != nil {
		return nil, fmt.Errorf("imapserver: %w", err)
	}
	return TLSConfig(cert), nil
}

// TLSConfig is the server TLS configuration for STARTTLS with cert: TLS 1.2 and
// 1.3, TLS 1.2 limited to ECDHE with AES-GCM or ChaCha20-Poly1305, the suites the
// lab's TLS analyzer decrypts.
func TLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}
