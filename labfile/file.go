package labfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Extension is the file name extension of lab sessions.
const Extension = ".protolab"

// wrapTemp lets tests fail or stop a save part-way (a full disk, a kill).
var wrapTemp = func(w io.Writer) io.Writer { return w }

// Save writes s to path atomically: to a temporary file in the same folder,
// synced to the disk, then renamed over path. A crash or a full disk part-way
// leaves the file that was at path as it was, and no part of a new one under
// path. The file is readable by its owner only: it may hold passwords and the
// secrets that decrypt TLS.
func Save(path string, s *Session) error {
	tmp, err := writeAtomic(path, 0o600, 1<<20, func(w io.Writer) error { return Write(w, s) })
	if err != nil {
		if tmp == "" {
			return fmt.Errorf("labfile: cannot save in %s: %w", filepath.Dir(path), err)
		}
		return fmt.Errorf("labfile: saving %s: %w (the file there, if any, is unchanged)", path, err)
	}
	removeStaleTemps(path, tmp)
	return nil
}

// WriteFileAtomic writes what write writes to path, with mode, so that a reader
// sees the old file or the new one, never part of one: as Save does, through a
// buffered temporary file beside path, synced, then renamed over it. An error
// from write is returned as it is; on any error path is left as it was.
func WriteFileAtomic(path string, mode os.FileMode, write func(io.Writer) error) error {
	var werr error
	_, err := writeAtomic(path, mode, 256<<10, func(w io.Writer) error { werr = write(w); return werr })
	if err != nil && err != werr {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return err
}

// writeAtomic writes path through a temporary file ".NAME.tmp…" in its folder,
// buffered by bufSize, synced, renamed over path, and the folder synced. It
// returns the temporary file's name, "" when it could not be made; on failure
// the temporary file is removed.
func writeAtomic(path string, mode os.FileMode, bufSize int, write func(io.Writer) error) (tmp string, err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	tmp = f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(mode); err != nil {
		return tmp, err
	}
	bw := bufio.NewWriterSize(wrapTemp(f), bufSize)
	if err = write(bw); err != nil {
		return tmp, err
	}
	if err = bw.Flush(); err != nil {
		return tmp, err
	}
	if err = f.Sync(); err != nil {
		return tmp, err
	}
	if err = f.Close(); err != nil {
		return tmp, err
	}
	if err = os.Rename(tmp, path); err != nil {
		return tmp, err
	}
	if d, err := os.Open(dir); err == nil { // make the rename itself durable
		d.Sync()
		d.Close()
	}
	return tmp, nil
}

// staleTemp is how old a leftover temporary file of an interrupted save must be
// before a later save of the same file removes it (a younger one may be a save
// under way in another process).
const staleTemp = time.Minute

// removeStaleTemps removes what saves of path that were killed or lost power
// left behind: ".NAME.tmp…" files beside it, older than staleTemp.
func removeStaleTemps(path, except string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+globEscape(filepath.Base(path))+".tmp*"))
	for _, m := range matches {
		if m == except {
			continue
		}
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTemp {
			os.Remove(m)
		}
	}
}

// globEscape escapes the characters filepath.Match treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

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
