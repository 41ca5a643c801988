package pop3server

import (
	"crypto/tls"
	"github.com/protocollab/protolab/protocols/pop3"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/labsettings"
	"github.com/protocollab/protolab/servers/internal/labtls"
	"github.com/protocollab/protolab/servers/mailstore"
)

// Settings keys and their choices.
const (
	SettingSTLS           = "stls"             // On or Off: whether STLS is offered, with the lab CA's certificate
	SettingPlainBeforeTLS = "plain-before-tls" // Off or On: whether USER/PASS may log in before STLS

	On  = labsettings.On
	Off = labsettings.Off
)

// Settings are the POP3 server's options a person may change, for its lab.Protocol.
var Settings = []lab.Setting{
	{
		Key:     SettingSTLS,
		Label:   "STLS",
		Default: On,
		Choices: []string{On, Off},
		Help:    "on offers STLS (RFC 2595) with a certificate from the lab's CA, so the password can cross encrypted: curl --ssl-reqd, for one",
	},
	{
		Key:     SettingPlainBeforeTLS,
		Label:   "Plain-text login before STLS",
		Default: Off,
		Choices: []string{Off, On},
		Help:    "off refuses USER and PASS with -ERR [AUTH] until the client has sent STLS; on lets the password cross in clear text, as the inspector then shows. With STLS off, plain-text login is always allowed",
	},
}

// Module is the POP3 server for the lab's registry (with pop3.Protocol).
var Module = lab.ServerModule{New: NewLab, Settings: Settings}

// Domains are the mail domains NewLab serves.
var Domains = []string{mailstore.DomainAlpha, mailstore.DomainBeta}

// OpenStore opens the Store of a domain for NewLab. The SMTP, POP3 and IMAP
// servers of one process must share one Store per domain; the default,
// labsettings.OpenStore, returns the lab's shared one (kept in the lab's data
// folder). Tests may set it before starting servers, never while one starts.
var OpenStore = labsettings.OpenStore

// NewLab adapts a Server to lab.Server, the form the Bench drives: Start binds
// opts.Addr with lab.Listen, taps connections with opts.Tap and serves in the
// background. It serves the stores of Domains, opened with OpenStore, and reads
// the settings of Settings.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	stores, err := labsettings.Stores("pop3server", Domains, OpenStore)
	if err != nil {
		return nil, err
	}
	o := Options{Stores: stores, Tap: opts.Tap}
	tlsOn, err := labsettings.Switch("pop3server", opts, SettingSTLS, On)
	if err != nil {
		return nil, err
	}
	if tlsOn {
		cert, err := labtls.Cert("pop3server", opts.Addr)
		if err != nil {
			return nil, err
		}
		o.TLS = TLSConfig(cert)
	}
	if o.AllowPlainBeforeTLS, err = labsettings.Switch("pop3server", opts, SettingPlainBeforeTLS, Off); err != nil {
		return nil, err
	}
	srv := New(o)
	return lab.StreamServer(pop3.Name, opts.Addr, srv, srv.Serve), nil
}

// TLSConfig is the server TLS configuration for STLS with cert: TLS 1.2 and 1.3,
// TLS 1.2 limited to ECDHE with AES-GCM or ChaCha20-Poly1305, the suites the
// lab's TLS analyzer decrypts.
func TLSConfig(cert tls.Certificate) *tls.Config { return labtls.AEADConfig(cert) }
