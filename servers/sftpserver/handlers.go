package sftpserver

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"

	"github.com/protocollab/protolab/internal/safepath"
	"github.com/protocollab/protolab/lab"
)

// The sections of draft-ietf-secsh-filexfer-02 (SFTP version 3) each operation is in.
const (
	refOpen    = "draft-ietf-secsh-filexfer-02 §6.3"
	refReadW   = "draft-ietf-secsh-filexfer-02 §6.4"
	refRemove  = "draft-ietf-secsh-filexfer-02 §6.5"
	refDir     = "draft-ietf-secsh-filexfer-02 §6.6"
	refList    = "draft-ietf-secsh-filexfer-02 §6.7"
	refStat    = "draft-ietf-secsh-filexfer-02 §6.8"
	refSetstat = "draft-ietf-secsh-filexfer-02 §6.9"
	refLinks   = "draft-ietf-secsh-filexfer-02 §6.10"
)

// uploadPrefix begins the names of the temporary files uploads are written to;
// listings leave them out.
const uploadPrefix = ".protolab-upload-"

// handlers are one SFTP session's request handlers (pkg/sftp's Handlers) over the
// server's root. Every path they get is already cleaned to an absolute one ("/a/b",
// with ".." resolved against "/"), and is taken inside the root.
type handlers struct {
	srv  *Server
	root jail
	conv *lab.Conversation
}

var (
	_ sftp.FileReader           = (*handlers)(nil)
	_ sftp.FileWriter           = (*handlers)(nil)
	_ sftp.PosixRenameFileCmder = (*handlers)(nil)
	_ sftp.LstatFileLister      = (*handlers)(nil)
)

// rel turns a client's path into one relative to the root: "/a/b" is "a/b", "/" is ".".
func rel(p string) string {
	p = strings.TrimLeft(path.Clean("/"+p), "/")
	if p == "" {
		return "."
	}
	return p
}

// display is a client's path as the reports show it.
func display(p string) string { return path.Clean("/" + p) }

// escapes reports whether err is os.Root's refusal of a path that leads outside it
// (through a symbolic link, since ".." and absolute paths are already inside).
func escapes(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

// fail turns err into what the client is told, and reports the refusal: a path that
// leads outside the root is "permission denied"; a name Windows treats specially
// is a failure that says why.
func (h *handlers) fail(p string, err error) error {
	if escapes(err) {
		h.srv.logf("sftpserver: refused %s: it leads outside the root folder", display(p))
		return fmt.Errorf("%s leads outside the served folder: %w", display(p), sftp.ErrSSHFxPermissionDenied)
	}
	var se *safepath.Error
	if errors.As(err, &se) {
		// SSH_FX_FAILURE, not PERMISSION_DENIED: clients show a failure's message
		// (pkg/sftp turns PERMISSION_DENIED into a bare os.ErrPermission), and the
		// message is what says why.
		h.srv.logf("sftpserver: refused %s: %v", display(p), se)
		return fmt.Errorf("%s: %w; the lab refuses names Windows treats specially, on every system: %w",
			display(p), se, sftp.ErrSSHFxFailure)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		// os.Root's errors name the path relative to the root; name it as the client does.
		return &fs.PathError{Op: pe.Op, Path: display(p), Err: pe.Err}
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return &os.LinkError{Op: le.Op, Old: display(le.Old), New: display(le.New), Err: le.Err}
	}
	return err
}

// result is how an operation's outcome reads in a report.
func result(err error) string {
	if err == nil {
		return "ok"
	}
	if errors.Is(err, sftp.ErrSSHFxPermissionDenied) || errors.Is(err, safepath.ErrUnsafe) {
		return "refused: " + err.Error()
	}
	return "failed: " + err.Error()
}

// report publishes one operation: summary, meaning and section, the path, the
// outcome. A failed operation's summary says so.
func (h *handlers) report(summary, meaning, ref string, err error, fields ...lab.Field) {
	if err != nil {
		summary += " — " + result(err)
	}
	fields = append(fields, lab.Field{Name: "result", Value: result(err)})
	report(h.conv, lab.Message{Summary: summary, Meaning: meaning, Ref: ref, Fields: fields})
}

// Fileread opens a file for reading (SSH_FXP_OPEN with SSH_FXF_READ).
func (h *handlers) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	p := r.Filepath
	f, err := h.root.Open(rel(p))
	if err == nil {
		if fi, serr := f.Stat(); serr == nil && fi.IsDir() {
			f.Close()
			err = &fs.PathError{Op: "open", Path: p, Err: errors.New("is a folder: list it instead")}
		}
	}
	if err != nil {
		err = h.fail(p, err)
	}
	h.report("open "+display(p)+" for reading",
		"The client opens a file to read it (SSH_FXP_OPEN with the READ flag); the server answers with a handle, "+
			"which the client then reads from in pieces (SSH_FXP_READ), each with its own offset.",
		refOpen, err, lab.Field{Name: "path", Value: display(p)}, lab.Field{Name: "flags", Value: flags(r.Pflags())})
	if err != nil {
		return nil, err
	}
	return &download{h: h, f: f, path: display(p), start: time.Now()}, nil
}

// download is an open file being read.
type download struct {
	h      *handlers
	f      *os.File
	path   string
	start  time.Time
	n      atomic.Int64 // bytes read; pkg/sftp reads a handle from several goroutines at once
	failed error        // set by TransferError, which comes before Close
}

func (d *download) ReadAt(b []byte, off int64) (int, error) {
	n, err := d.f.ReadAt(b, off)
	d.n.Add(int64(n))
	return n, err
}

func (d *download) TransferError(err error) { d.failed = err }

// Close reports how much was read.
func (d *download) Close() error {
	err := d.f.Close()
	n := d.n.Load()
	summary := "read " + size(n) + " from " + d.path
	if d.failed != nil {
		summary += " (the connection ended first)"
	}
	d.h.report(summary,
		"The client read the file (SSH_FXP_READ, in pieces of up to 32 KiB) and closed its handle (SSH_FXP_CLOSE).",
		refReadW, err, lab.Field{Name: "path", Value: d.path}, lab.Field{Name: "bytes", Value: fmt.Sprint(n)},
		lab.Field{Name: "time", Value: time.Since(d.start).Round(time.Millisecond).String()})
	return err
}

// flags lists an SSH_FXP_OPEN's pflags.
func flags(f sftp.FileOpenFlags) string {
	var l []string
	for _, x := range []struct {
		on   bool
		name string
	}{{f.Read, "READ"}, {f.Write, "WRITE"}, {f.Append, "APPEND"}, {f.Creat, "CREAT"}, {f.Trunc, "TRUNC"}, {f.Excl, "EXCL"}} {
		if x.on {
			l = append(l, x.name)
		}
	}
	return strings.Join(l, "|")
}

// Filelist answers SSH_FXP_OPENDIR/READDIR ("List"), SSH_FXP_STAT ("Stat") and
// SSH_FXP_READLINK ("Readlink", refused).
func (h *handlers) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	p := r.Filepath
	switch r.Method {
	case "List":
		list, err := h.list(p)
		summary := "list " + display(p)
		if err == nil {
			summary += fmt.Sprintf(": %d entries", len(list))
		}
		h.report(summary, "The client reads a folder (SSH_FXP_OPENDIR, then SSH_FXP_READDIR until SSH_FX_EOF): "+
			"each entry comes with its name, a line like ls -l prints, and its attributes.",
			refList, err, lab.Field{Name: "path", Value: display(p)})
		if err != nil {
			return nil, err
		}
		return lister(list), nil
	case "Stat":
		return h.stat(p, "stat", h.root.Stat)
	case "Readlink":
		err := fmt.Errorf("%s: this server does not read links: %w", display(p), sftp.ErrSSHFxOpUnsupported)
		h.report("readlink "+display(p), "The client asks where a symbolic link points.", refLinks, err)
		return nil, err
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

// Lstat answers SSH_FXP_LSTAT: a symbolic link's own attributes.
func (h *handlers) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	return h.stat(r.Filepath, "lstat", h.root.Lstat)
}

func (h *handlers) stat(p, op string, stat func(string) (os.FileInfo, error)) (sftp.ListerAt, error) {
	fi, err := stat(rel(p))
	if err != nil {
		err = h.fail(p, err)
	}
	summary := op + " " + display(p)
	if err == nil {
		summary += ": " + kind(fi)
	}
	h.report(summary, "The client asks for a file's attributes (size, permissions, owner, times) without opening it: "+
		"clients do this before nearly everything, to know whether a name is a file or a folder.",
		refStat, err, lab.Field{Name: "path", Value: display(p)})
	if err != nil {
		return nil, err
	}
	return lister{fi}, nil
}

func kind(fi os.FileInfo) string {
	switch {
	case fi.IsDir():
		return "folder"
	case fi.Mode()&fs.ModeSymlink != 0:
		return "symbolic link"
	case fi.Mode().IsRegular():
		return "file, " + size(fi.Size())
	}
	return "special file"
}

func (h *handlers) list(p string) ([]os.FileInfo, error) {
	f, err := h.root.Open(rel(p))
	if err != nil {
		return nil, h.fail(p, err)
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, h.fail(p, err)
	}
	list := make([]os.FileInfo, 0, len(entries))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), uploadPrefix) {
			continue
		}
		if fi, err := e.Info(); err == nil {
			list = append(list, fi)
		}
	}
	return list, nil
}

// lister serves a listing as pkg/sftp asks for it, in pieces.
type lister []os.FileInfo

func (l lister) ListAt(dst []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[off:])
	if n < len(dst) {
		return n, io.EOF
	}
	return n, nil
}

// size is a byte count the way a person reads it: "512 bytes", "12.3 KiB".
func size(n int64) string {
	switch {
	case n == 1:
		return "1 byte"
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}
