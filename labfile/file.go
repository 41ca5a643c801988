package labfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/protocollab/protolab/internal/safepath"
	"github.com/protocollab/protolab/lab/labdir"
)

// Extension is the file name extension of lab sessions.
const Extension = ".protolab"

// wrapTemp lets tests fail or stop a save part-way (a full disk, a kill).
var wrapTemp = func(w io.Writer) io.Writer { return w }

// Save writes s to path atomically: to a temporary file in the same folder,
// synced to the disk, then renamed over path (labdir.Create). A crash or a full
// disk part-way leaves the file that was at path as it was, and no part of a new
// one under path. The file is readable by its owner only: it may hold passwords
// and the secrets that decrypt TLS.
//
// A file name Windows treats specially (CON.protolab, a:b.protolab,
// "lab.protolab.", a backslash; internal/safepath has them all) is refused on
// every system, with an error that names the rule and wraps safepath.ErrUnsafe:
// a session saved on one system opens on every other. Load opens any file
// that exists.
func Save(path string, s *Session) error {
	return save(path, s, sliceEvents(s.Events))
}

// save is Save with the events from src.
func save(path string, s *Session, src eventSource) error {
	if err := checkName(path); err != nil {
		return err
	}
	f, err := labdir.Create(path, 0o600)
	if err != nil {
		return fmt.Errorf("labfile: cannot save in %s: %w", filepath.Dir(path), err)
	}
	defer f.Abort()
	bw := bufio.NewWriterSize(wrapTemp(f), 1<<20)
	err = write(bw, s, src)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Commit()
	}
	if err != nil {
		return fmt.Errorf("labfile: saving %s: %w (the file there, if any, is unchanged)", path, err)
	}
	labdir.RemoveStaleTemps(path, staleTemp)
	return nil
}

// checkName refuses a session file name Windows treats specially.
func checkName(path string) error {
	if err := safepath.Name(filepath.Base(path)); err != nil {
		return fmt.Errorf("labfile: cannot save as %w; choose another name", err)
	}
	return nil
}

// staleTemp is how old a leftover temporary file of an interrupted save must be
// before a later save of the same file removes it (a younger one may be a save
// under way in another process).
const staleTemp = time.Minute

// Load reads the session saved at path: all of it, or an error that names the
// file and says what is wrong (wrapping ErrNotSession, ErrNewer or ErrDamaged).
func Load(path string) (*Session, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("labfile: %w", err)
	}
	defer f.Close()
	s, err := Read(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Stat reads what the session at path holds, checking the whole file but
// decoding only its header.
func Stat(path string) (*SessionInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("labfile: %w", err)
	}
	defer f.Close()
	info, err := ReadInfo(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}
