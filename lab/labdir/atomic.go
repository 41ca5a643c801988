package labdir

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File is a file being written atomically in place of path: writes go to a
// temporary file ".NAME.tmp…" beside it (Name), which Commit puts in place and
// Abort removes. Until Commit, path is as it was. A File is for one goroutine.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts writing path atomically: it makes the temporary file, with
// mode, in path's folder (which must exist).
func Create(path string, mode os.FileMode) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"*")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{File: f, path: path}, nil
}

// Commit syncs what was written to the disk, renames the temporary file over
// path and syncs the folder, so that the rename itself survives a crash. On
// failure the temporary file is removed and path is as it was.
func (f *File) Commit() error {
	if f.done {
		return errors.New("labdir: Commit of a file already committed or aborted")
	}
	f.done = true
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	if d, err := os.Open(filepath.Dir(f.path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Abort removes the temporary file, leaving path as it was. After Commit it
// does nothing, so `defer f.Abort()` is the way to clean up on every error.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// WriteFile writes data to path atomically, with mode.
func WriteFile(path string, data []byte, mode os.FileMode) error {
	f, err := Create(path, mode)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// Write writes what write writes to path atomically, with mode, through a
// buffer. An error of write is returned as it is; any other names path. On any
// error path is left as it was.
func Write(path string, mode os.FileMode, write func(io.Writer) error) error {
	f, err := Create(path, mode)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer f.Abort()
	bw := bufio.NewWriterSize(f, 256<<10)
	if err := write(bw); err != nil {
		return err
	}
	err = bw.Flush()
	if err == nil {
		err = f.Commit()
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// RemoveStaleTemps removes what atomic writes of path that were killed or lost
// power left behind: temporary files beside it older than age (a younger one
// may be a write under way in another process).
func RemoveStaleTemps(path string, age time.Duration) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), globEscape(tempPrefix(path))+"*"))
	for _, m := range matches {
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > age {
			os.Remove(m)
		}
	}
}

// tempPrefix is how the names of path's temporary files begin: hidden, and
// named after it.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp" }

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
