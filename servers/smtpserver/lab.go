package smtpserver

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/servers/internal/labsettings"
	"github.com/protocollab/protolab/servers/internal/labtls"
	"github.com/protocollab/protolab/servers/mailstore"
)

// Settings keys and their choices.
const (
	SettingDomain       = "domain"                // the mail domain: alpha.test or beta.test
	SettingAccounts     = "accounts"              // "user:password" lines; "" keeps the store's accounts
	SettingStartTLS     = "starttls"              // On or Off
	SettingInsecureAuth = "plain-auth-before-tls" // On or Off: AUTH offered before STARTTLS
	SettingMaxSize      = "max-size"              // the largest message, in bytes ("10485760") or with KiB/MiB ("10 MiB")
	SettingAnySender    = "allow-any-sender"      // Off or On: a logged-in user may send as anyone (the spoofing lesson)

	On  = "on"
	Off = "off"
)

func settings(domain, accounts string) []lab.Setting {
	return []lab.Setting{
		{Key: SettingDomain, Label: "Mail domain", Default: domain, Choices: slices.Clone(LabDomains),
			Help: "the domain this server takes mail for; mail for the other lab domain is relayed to its server"},
		{Key: SettingAccounts, Label: "Accounts", Default: accounts,
			Help: "one user:password a line (the user is the part before @); the POP3 and IMAP servers of the domain use the same accounts"},
		{Key: SettingStartTLS, Label: "STARTTLS", Default: On, Choices: []string{On, Off},
			Help: "on offers STARTTLS (RFC 3207) with a certificate from the lab's CA"},
		{Key: SettingInsecureAuth, Label: "AUTH before TLS", Default: Off, Choices: []string{Off, On},
			Help: "on offers AUTH PLAIN and LOGIN on an unencrypted connection: the password crosses in base64, readable by anyone who captures it"},
		{Key: SettingMaxSize, Label: "Largest message", Default: "10 MiB",
			Help: "bigger messages are refused with 552 5.3.4"},
		{Key: SettingAnySender, Label: "Allow any sender (spoofing lesson)", Default: Off, Choices: []string{Off, On},
			Help: "off: a logged-in user sends only as their own address (553 5.7.1 otherwise, RFC 5321); on: alice may send as bob, to see how easily mail is forged without this check"},
	}
}

// Settings are the options of the SMTP server of alpha.test a person may
// change, for its lab.Protocol (smtp.Protocol); BetaSettings those of beta.test's
// (smtp.BetaProtocol).
var (
	Settings     = settings(mailstore.DomainAlpha, "alice:alice")
	BetaSettings = settings(mailstore.DomainBeta, "bob:bob")
)

// LabOptions are what NewLabRelay needs besides lab.ServerOptions to relay
// between the lab's domains; NewLab finds them on the bench (ServerOptions.Lab).
type LabOptions struct {
	// Resolver returns the lab DNS server's address ("127.0.0.1:5354"), "" when
	// it is not running (the mail host is then taken to be 127.0.0.1).
	Resolver func() string
	// DNSTap captures the MX and address lookups; nil captures nothing.
	DNSTap *lab.Tap
	// RelayPort returns the port of the running SMTP server of a lab domain, 0
	// when none runs.
	RelayPort func(domain string) int
	// RelayTap captures relay connections as an SMTP client; nil means the
	// server's own tap (opts.Tap), so they show as SMTP conversations too.
	RelayTap *lab.Tap
}

// NewLab adapts a Server to lab.Server, the form the Bench drives, reading the
// settings of Settings (or BetaSettings). Started by a bench (opts.Lab), it
// relays through the bench's DNS server to its server of the other lab domain;
// outside one it relays to nobody.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	domain, err := labDomain(opts)
	if err != nil {
		return nil, err
	}
	return NewLabRelay(opts, benchRelay(opts, domain))
}

// labDomain reads the domain setting: one of LabDomains.
func labDomain(opts lab.ServerOptions) (string, error) {
	domain := strings.ToLower(opts.Setting(SettingDomain, mailstore.DomainAlpha))
	if !slices.Contains(LabDomains, domain) {
		return "", fmt.Errorf("smtpserver: domain %q: choose one of %s", domain, strings.Join(LabDomains, ", "))
	}
	return domain, nil
}

// NewLabRelay is NewLab with the relay wired by lo: where the lab DNS server
// and the other domain's SMTP server run.
func NewLabRelay(opts lab.ServerOptions, lo LabOptions) (lab.Server, error) {
	domain, err := labDomain(opts)
	if err != nil {
		return nil, err
	}
	store, err := labsettings.OpenStore(domain)
	if err != nil {
		return nil, err
	}
	if a, ok := opts.Settings[SettingAccounts]; ok && strings.TrimSpace(a) != "" {
		accounts, err := ParseAccounts(a)
		if err != nil {
			return nil, err
		}
		store.SetAccounts(accounts)
	}
	maxSize, err := ParseSize(opts.Setting(SettingMaxSize, "10 MiB"))
	if err != nil {
		return nil, err
	}
	o := Options{Store: store, Tap: opts.Tap, MaxMessageBytes: maxSize, DNSTap: lo.DNSTap, RelayPort: lo.RelayPort, RelayTap: lo.RelayTap}
	if o.RelayTap == nil {
		o.RelayTap = opts.Tap
	}
	if hub := opts.Tap.Hub(); hub != nil {
		o.RelayKeyLog = hub.Keys()
	}
	if o.AllowInsecureAuth, err = labsettings.Switch("smtpserver", opts, SettingInsecureAuth, Off); err != nil {
		return nil, err
	}
	if o.AllowAnySender, err = labsettings.Switch("smtpserver", opts, SettingAnySender, Off); err != nil {
		return nil, err
	}
	ca, err := labCA()
	if err != nil {
		return nil, err
	}
	o.RelayRootCAs = ca.Pool()
	switch v := opts.Setting(SettingStartTLS, On); v {
	case On:
		if o.TLS, err = LabTLS(ca, opts.Addr); err != nil {
			return nil, err
		}
		if hub := opts.Tap.Hub(); hub != nil {
			o.TLS.KeyLogWriter = hub.Keys()
		}
	case Off:
	default:
		return nil, fmt.Errorf("smtpserver: %s %q: choose %q or %q", SettingStartTLS, v, On, Off)
	}
	srv := New(o)
	if lo.Resolver != nil {
		srv.resolver = lo.Resolver
	}
	name := "smtp"
	if p := opts.Tap.Protocol(); p != nil {
		name = p.Name
	}
	return lab.StreamServer(name, opts.Addr, srv, srv.Serve), nil
}

func labCA() (*labca.CA, error) {
	dir, err := labdir.CA()
	if err != nil {
		return nil, fmt.Errorf("smtpserver: %w", err)
	}
	ca, err := labca.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("smtpserver: the lab's CA: %w", err)
	}
	return ca, nil
}

// LabTLS is a TLS configuration with a certificate from ca for the lab's names
// (mail.alpha.test, mail.beta.test, localhost, ...) and the address the server
// listens on when it is a private one.
func LabTLS(ca *labca.CA, addr string) (*tls.Config, error) {
	cert, err := ca.Leaf(labtls.Hosts(addr)...)
	if err != nil {
		return nil, fmt.Errorf("smtpserver: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// ParseAccounts reads "user:password" lines (blank lines and lines starting
// with # are skipped). A user may be written with its domain.
func ParseAccounts(s string) ([]mailstore.Account, error) {
	var out []mailstore.Account
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, p, ok := strings.Cut(line, ":")
		u, _, _ = strings.Cut(strings.TrimSpace(u), "@")
		if !ok || u == "" || p == "" {
			return nil, fmt.Errorf("smtpserver: accounts line %d %q: write user:password", i+1, line)
		}
		out = append(out, mailstore.Account{User: u, Password: p})
	}
	return out, nil
}

// ParseSize reads a size in bytes: "10485760", "512 KiB", "10 MiB" (KB and MB
// are taken as KiB and MiB).
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"kib", 1 << 10}, {"kb", 1 << 10}, {"k", 1 << 10}, {"mib", 1 << 20}, {"mb", 1 << 20}, {"m", 1 << 20}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSuffix(t, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("smtpserver: max-size %q: write a number of bytes, or with KiB or MiB (\"10 MiB\")", s)
	}
	return n * mult, nil
}
