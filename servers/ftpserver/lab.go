package ftpserver

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/protocollab/protolab/assets/ftproot"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
)

// EnvDataDir names the environment variable that overrides the folder the lab
// keeps its data in (tests point it at a temporary folder).
const EnvDataDir = "PROTOLAB_DATA_DIR"

// Settings keys and their choices.
const (
	SettingRoot      = "root"      // the folder served as "/"; "" is DefaultRoot
	SettingUser      = "user"      // the read-write user's name
	SettingPassword  = "password"  // the read-write user's password
	SettingAnonymous = "anonymous" // On or Off: whether anonymous may log in (read-only)
	SettingTLS       = "tls"       // On or Off: whether AUTH TLS is offered, with the lab CA's certificate

	On  = "on"
	Off = "off"
)

// Settings are the FTP server's options a person may change, for its lab.Protocol.
var Settings = []lab.Setting{
	{
		Key:   SettingRoot,
		Label: "Root folder",
		Kind:  lab.SettingFolder,
		Help:  "the folder clients see as \"/\" and cannot leave; empty serves the lab's own folder, seeded with a few sample files",
	},
	{
		Key:     SettingUser,
		Label:   "User",
		Default: "lab",
		Help:    "the user who may read and write (upload, rename, delete, make folders)",
	},
	{
		Key:     SettingPassword,
		Label:   "Password",
		Default: "lab",
		Help:    "that user's password; FTP sends it in clear text, as the inspector shows",
	},
	{
		Key:     SettingAnonymous,
		Label:   "Anonymous",
		Default: On,
		Choices: []string{On, Off},
		Help:    "on lets \"anonymous\" (any password) log in to read, not to write",
	},
	{
		Key:     SettingTLS,
		Label:   "AUTH TLS",
		Default: On,
		Choices: []string{On, Off},
		Help:    "on offers AUTH TLS (RFC 4217) with a certificate from the lab's CA: curl --ssl-reqd, for one",
	},
}

// NewLab adapts a Server to lab.Server, the form the Bench drives: Start binds
// opts.Addr with lab.Listen, taps control connections with opts.Tap and serves in
// the background. Data connections are tapped as the "ftp-data" protocol when the
// tap's hub registry has it. It reads the settings of Settings.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	root := opts.Setting(SettingRoot, "")
	if root == "" {
		var err error
		if root, err = DefaultRoot(); err != nil {
			return nil, err
		}
	}
	j, err := openRoot(root)
	if err != nil {
		return nil, err
	}
	j.Close()
	accounts := []Account{{
		User:     opts.Setting(SettingUser, "lab"),
		Password: opts.Setting(SettingPassword, "lab"),
		Write:    true,
	}}
	switch a := opts.Setting(SettingAnonymous, On); a {
	case On:
		accounts = append(accounts, Account{User: "anonymous", Anonymous: true}, Account{User: "ftp", Anonymous: true})
	case Off:
	default:
		return nil, fmt.Errorf("ftpserver: anonymous %q: choose %q or %q", a, On, Off)
	}
	var dataTap *lab.Tap
	if hub := opts.Tap.Hub(); hub != nil {
		if p := hub.Registry().Lookup("ftp-data"); p != nil {
			dataTap = hub.Tap(p)
		}
	}
	var cfg *tls.Config
	switch t := opts.Setting(SettingTLS, On); t {
	case On:
		if cfg, err = labTLS(opts.Addr); err != nil {
			return nil, err
		}
	case Off:
	default:
		return nil, fmt.Errorf("ftpserver: tls %q: choose %q or %q", t, On, Off)
	}
	srv := New(Options{Root: root, Accounts: accounts, Tap: opts.Tap, DataTap: dataTap, TLS: cfg})
	return lab.StreamServer("ftp", opts.Addr, srv, srv.Serve), nil
}

// labTLS is a TLS configuration with a certificate from the lab's CA, for the
// lab's names and the address the server listens on when it is a private one.
func labTLS(addr string) (*tls.Config, error) {
	dir, err := labca.DefaultDir()
	if err != nil {
		return nil, fmt.Errorf("ftpserver: %w", err)
	}
	ca, err := labca.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("ftpserver: the lab's CA: %w", err)
	}
	hosts := slices.Clone(labca.LabHosts)
	if h, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(h); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() && ip.IsPrivate() {
			hosts = append(hosts, ip.String())
		}
	}
	cert, err := ca.Leaf(hosts...)
	if err != nil {
		return nil, fmt.Errorf("ftpserver: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// DataDir is the folder the lab keeps its data in: $PROTOLAB_DATA_DIR, or
// "protolab" in the user's configuration folder.
func DataDir() (string, error) {
	if d := os.Getenv(EnvDataDir); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("ftpserver: no folder to keep the FTP root in (%v): set %s to a folder", err, EnvDataDir)
	}
	return filepath.Join(base, "protolab"), nil
}

var seedMu sync.Mutex

// DefaultRoot is the lab's own FTP folder, "ftproot" in DataDir. The first call
// that finds it missing makes it and copies the sample files of assets/ftproot
// into it; after that it is the person's, and uploads stay in it.
func DefaultRoot() (string, error) {
	dir, err := DataDir()
	if err != nil {
		return "", err
	}
	root := filepath.Join(dir, "ftproot")
	seedMu.Lock()
	defer seedMu.Unlock()
	if _, err := os.Stat(root); err == nil {
		return root, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("ftpserver: the FTP root: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("ftpserver: making the lab's data folder: %w", err)
	}
	// Seed a temporary folder and rename it into place, so that a failure halfway
	// leaves no half-seeded root.
	tmp, err := os.MkdirTemp(dir, ".ftproot-")
	if err != nil {
		return "", fmt.Errorf("ftpserver: seeding the FTP root: %w", err)
	}
	if err := os.CopyFS(tmp, ftproot.FS); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("ftpserver: seeding the FTP root: %w", err)
	}
	// The embedded files are read-only (0444); the person's copies are theirs to change.
	filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			mode := os.FileMode(0o644)
			if d.IsDir() {
				mode = 0o755
			}
			os.Chmod(p, mode)
		}
		return nil
	})
	if err := os.Rename(tmp, root); err != nil {
		os.RemoveAll(tmp)
		if _, err2 := os.Stat(root); err2 == nil {
			return root, nil // another process seeded it first
		}
		return "", fmt.Errorf("ftpserver: seeding the FTP root: %w", err)
	}
	return root, nil
}
