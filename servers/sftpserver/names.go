package sftpserver

import (
	"io/fs"
	"os"
	"time"

	"github.com/protocollab/protolab/internal/safepath"
)

// jail is the served folder as the handlers use it: os.Root's operations, each
// of which first refuses a name Windows treats specially (safepath), on every
// system, with an *fs.PathError wrapping the *safepath.Error. Listings are
// os.Root's own: a file with such a name, made on another system, is listed as
// it is, but not opened, changed or removed by that name.
type jail struct{ root *os.Root }

// check refuses a name safepath refuses.
func check(op, name string) error {
	if err := safepath.Path(name); err != nil {
		return &fs.PathError{Op: op, Path: name, Err: err}
	}
	return nil
}

func (j jail) Open(name string) (*os.File, error) {
	if err := check("open", name); err != nil {
		return nil, err
	}
	return j.root.Open(name)
}

func (j jail) OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	if err := check("open", name); err != nil {
		return nil, err
	}
	return j.root.OpenFile(name, flag, perm)
}

func (j jail) Stat(name string) (fs.FileInfo, error) {
	if err := check("stat", name); err != nil {
		return nil, err
	}
	return j.root.Stat(name)
}

func (j jail) Lstat(name string) (fs.FileInfo, error) {
	if err := check("lstat", name); err != nil {
		return nil, err
	}
	return j.root.Lstat(name)
}

func (j jail) Mkdir(name string, perm fs.FileMode) error {
	if err := check("mkdir", name); err != nil {
		return err
	}
	return j.root.Mkdir(name, perm)
}

func (j jail) Remove(name string) error {
	if err := check("remove", name); err != nil {
		return err
	}
	return j.root.Remove(name)
}

func (j jail) Rename(from, to string) error {
	if err := check("rename", from); err != nil {
		return err
	}
	if err := check("rename", to); err != nil {
		return err
	}
	return j.root.Rename(from, to)
}

func (j jail) Chmod(name string, mode fs.FileMode) error {
	if err := check("chmod", name); err != nil {
		return err
	}
	return j.root.Chmod(name, mode)
}

func (j jail) Chtimes(name string, atime, mtime time.Time) error {
	if err := check("chtimes", name); err != nil {
		return err
	}
	return j.root.Chtimes(name, atime, mtime)
}
