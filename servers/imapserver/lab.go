package imapserver

import (
	"crypto/tls"
	"github.com/protocollab/protolab/protocols/imap"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/labsettings"
	"github.com/protocollab/protolab/servers/internal/labtls"
	"github.com/protocollab/protolab/servers/mailstore"
)

// Settings keys and their choices.
const (
	SettingSTARTTLS       = "starttls"         // On or Off: whether STARTTLS is offered, with the lab CA's certificate
	SettingPlainBeforeTLS = "plain-before-tls" // Off or On: whether LOGIN may come before STARTTLS

	On  = labsettings.On
	Off = labsettings.Off
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

// Module is the IMAP server for the lab's registry (with imap.Protocol).
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
	stores, err := labsettings.Stores("imapserver", Domains, OpenStore)
	if err != nil {
		return nil, err
	}
	o := Options{Stores: stores, Tap: opts.Tap}
	tlsOn, err := labsettings.Switch("imapserver", opts, SettingSTARTTLS, On)
	if err != nil {
		return nil, err
	}
	if tlsOn {
		cert, err := labtls.Cert("imapserver", opts.Addr)
		if err != nil {
			return nil, err
		}
		o.TLS = TLSConfig(cert)
	}
	if o.AllowPlainBeforeTLS, err = labsettings.Switch("imapserver", opts, SettingPlainBeforeTLS, Off); err != nil {
		return nil, err
	}
	srv := New(o)
	return lab.StreamServer(imap.Name, opts.Addr, srv, srv.Serve), nil
}

// TLSConfig is the server TLS configuration for STARTTLS with cert: TLS 1.2 and
// 1.3, TLS 1.2 limited to ECDHE with AES-GCM or ChaCha20-Poly1305, the suites the
// lab's TLS analyzer decrypts.
func TLSConfig(cert tls.Certificate) *tls.Config { return labtls.AEADConfig(cert) }
