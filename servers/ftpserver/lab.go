package ftpserver

import (
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/protocollab/protolab/protocols/ftp"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/protocollab/protolab/assets/ftproot"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/servers/internal/labsettings"
	"github.com/protocollab/protolab/servers/internal/labtls"
)

// Settings keys and their choices.
const (
	SettingRoot      = "root"      // the folder served as "/"; "" is DefaultRoot
	SettingUser      = "user"      // the read-write user's name
	SettingPassword  = "password"  // the read-write user's password
	SettingAnonymous = "anonymous" // On or Off: whether anonymous may log in (read-only)
	SettingTLS       = "tls"       // On or Off: whether AUTH TLS is offered, with the lab CA's certificate
	SettingCapture   = "capture"   // how much of each data connection the lab keeps: one of CaptureChoices

	On  = labsettings.On
	Off = labsettings.Off
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
	{
		Key:     SettingCapture,
		Label:   "Data kept",
		Default: "1 MiB",
		Choices: CaptureChoices,
		Help: "how much of each data connection's bytes the inspector keeps, each way; past it the bytes are " +
			"only counted and hashed (XXH128, which xxh128sum FILE computes too), so a large transfer never fills memory",
	},
}

// Module is the FTP server for the lab's registry (with ftp.Protocol).
var Module = lab.ServerModule{New: NewLab, Settings: Settings}

// CaptureChoices are the values of the "capture" setting.
var CaptureChoices = []string{"64 KiB", "1 MiB", "16 MiB", "256 MiB"}

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
	anonymous, err := labsettings.Switch("ftpserver", opts, SettingAnonymous, On)
	if err != nil {
		return nil, err
	}
	if anonymous {
		accounts = append(accounts, Account{User: "anonymous", Anonymous: true}, Account{User: "ftp", Anonymous: true})
	}
	limit, err := labsettings.Size("ftpserver", opts, SettingCapture, "1 MiB", CaptureChoices)
	if err != nil {
		return nil, err
	}
	var dataTap *lab.Tap
	if hub := opts.Tap.Hub(); hub != nil {
		if p := hub.Registry().Lookup(ftp.DataName); p != nil {
			// This server's data connections keep as much as its setting says.
			dataTap = hub.Tap(p).WithCaptureLimit(limit)
		}
	}
	tlsOn, err := labsettings.Switch("ftpserver", opts, SettingTLS, On)
	if err != nil {
		return nil, err
	}
	var cfg *tls.Config
	if tlsOn {
		cert, err := labtls.Cert("ftpserver", opts.Addr)
		if err != nil {
			return nil, err
		}
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	srv := New(Options{Root: root, Accounts: accounts, Tap: opts.Tap, DataTap: dataTap, TLS: cfg})
	return lab.StreamServer(ftp.Name, opts.Addr, srv, srv.Serve), nil
}

var seedMu sync.Mutex

// DefaultRoot is the lab's own FTP folder, "ftproot" in the lab's data folder
// (labdir.Data). The first call
// that finds it missing makes it and copies the sample files of assets/ftproot
// into it; after that it is the person's, and uploads stay in it.
func DefaultRoot() (string, error) {
	dir, err := labdir.Data()
	if err != nil {
		return "", fmt.Errorf("ftpserver: no folder to keep the FTP root in: %w", err)
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
