// Package labdir is where the lab keeps its files on this computer, and how it
// writes them.
//
// Two folders hold everything. The configuration folder keeps what the lab is
// (the CA, the SFTP host key, known SFTP hosts, the autosaved recovery file);
// the data folder keeps what a person puts in it (the FTP root, the mail of the
// lab's domains). Both default to "protolab" in the user's configuration folder
// (os.UserConfigDir: ~/.config/protolab on Linux, ~/Library/Application
// Support/protolab on macOS, %AppData%\protolab on Windows). The environment
// variables PROTOLAB_CONFIG_DIR and PROTOLAB_DATA_DIR choose others; the data
// folder follows the configuration folder unless it is set itself, so a test
// that points PROTOLAB_CONFIG_DIR at a temporary folder writes nothing else.
//
// Every file the lab keeps is written atomically (Create, WriteFile, Write): to
// a temporary file beside it, synced to the disk, renamed over it, and the
// folder synced, so that a reader, or the lab after a crash, finds the old file
// or the new one, never part of one.
package labdir

import (
	"fmt"
	"os"
	"path/filepath"
)

// The environment variables that choose the lab's folders. They are a public
// contract (README.md): tests and CI point them at temporary folders so that they
// never touch a person's CA, mail or files.
const (
	EnvConfig = "PROTOLAB_CONFIG_DIR"
	EnvData   = "PROTOLAB_DATA_DIR"
)

// RecoveryFile is the name of the live session's autosave in the configuration
// folder (a lab session file, labfile.Extension).
const RecoveryFile = "recovery.protolab"

// Config is the lab's configuration folder: $PROTOLAB_CONFIG_DIR when set,
// otherwise "protolab" in the user's configuration folder.
func Config() (string, error) {
	if d := os.Getenv(EnvConfig); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("labdir: no configuration folder for the lab (%v): set %s to a folder", err, EnvConfig)
	}
	return filepath.Join(base, "protolab"), nil
}

// Data is the lab's data folder: $PROTOLAB_DATA_DIR when set, otherwise the
// configuration folder.
func Data() (string, error) {
	if d := os.Getenv(EnvData); d != "" {
		return d, nil
	}
	d, err := Config()
	if err != nil {
		return "", fmt.Errorf("%w (or %s)", err, EnvData)
	}
	return d, nil
}

// CA is the folder the lab's certificate authority is kept in (labca.Open): the
// configuration folder.
func CA() (string, error) { return Config() }

// Recovery is the path of the live session's autosave: RecoveryFile in the
// configuration folder.
func Recovery() (string, error) {
	d, err := Config()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, RecoveryFile), nil
}
