package sftpserver

import (
	"fmt"
	"github.com/protocollab/protolab/protocols/ssh"
	"os"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// Settings keys.
const (
	SettingUser     = "user"     // the lab user's name; "" is DefaultUser
	SettingPassword = "password" // the lab user's password; "" is DefaultPassword
	SettingRoot     = "root"     // the folder served; "" is DefaultRoot
)

// Settings are the server's options a person may change, for its lab.Protocol.
var Settings = []lab.Setting{
	{Key: SettingUser, Label: "User", Default: DefaultUser,
		Help: "the user name that logs in with the password below; it may read and write"},
	{Key: SettingPassword, Label: "Password", Default: DefaultPassword,
		Help: "the lab user's password (the lab is for learning: it is shown, not hidden)"},
	{Key: SettingRoot, Label: "Root folder", Kind: lab.SettingFolder,
		Help: "the folder SFTP clients see as \"/\"; nothing outside it can be reached. Empty: the lab's own " +
			"file folder, the one the FTP server serves too"},
}

// Module is the SFTP server for the lab's registry (with ssh.Protocol).
var Module = lab.ServerModule{New: NewLab, Settings: Settings}

// NewLab adapts a Server to lab.Server, the form the Bench drives: Start binds
// opts.Addr with lab.Listen, taps the listener with opts.Tap and serves in the
// background. It reads the settings "user", "password" and "root" (see Settings):
// an empty root is the lab's own file folder, the FTP server's
// (ftpserver.DefaultRoot, seeded with sample files the first time), so that both
// protocols show the same files. The host key is the lab's own, kept in the
// configuration folder.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	root := opts.Setting(SettingRoot, "")
	if root == "" {
		var err error
		if root, err = ftpserver.DefaultRoot(); err != nil {
			return nil, fmt.Errorf("sftpserver: %w", err)
		}
	}
	fi, err := os.Stat(root)
	switch {
	case os.IsNotExist(err):
		return nil, fmt.Errorf("sftpserver: the root folder %s does not exist — choose a folder that does, or clear the setting to serve the lab's own files", root)
	case err != nil:
		return nil, fmt.Errorf("sftpserver: the root folder: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("sftpserver: the root folder %s is a file, not a folder — choose the folder that holds it", root)
	}
	srv := New(Options{
		Root:     root,
		User:     opts.Setting(SettingUser, DefaultUser),
		Password: opts.Setting(SettingPassword, DefaultPassword),
		Tap:      opts.Tap,
	})
	return lab.StreamServer(ssh.Name, opts.Addr, srv, srv.Serve), nil
}
