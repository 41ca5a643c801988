package sftpserver

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/bounded"
)

// Filewrite opens a file for writing (SSH_FXP_OPEN with SSH_FXF_WRITE). The bytes
// go to a hidden temporary file in the same folder, which takes the file's name
// when the client closes the handle; an upload cut short is removed, so no half
// file ever has the final name. Without TRUNC the temporary file starts as a copy of
// the existing one; with APPEND every write lands after the existing content.
func (h *handlers) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	p := r.Filepath
	fl := r.Pflags()
	u, err := h.openUpload(p, fl)
	if err != nil {
		err = h.fail(p, err)
	}
	h.report("open "+display(p)+" for writing",
		"The client opens a file to write it (SSH_FXP_OPEN with the WRITE flag, usually with CREAT and TRUNC "+
			"to make or empty it); it then sends the bytes in pieces (SSH_FXP_WRITE), each with its offset. "+
			"This server writes them to a hidden temporary file that takes the name only when the file is closed.",
		refOpen, err, lab.Field{Name: "path", Value: display(p)}, lab.Field{Name: "flags", Value: flags(fl)})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func (h *handlers) openUpload(p string, fl sftp.FileOpenFlags) (*upload, error) {
	name := rel(p)
	if name == "." {
		return nil, &fs.PathError{Op: "open", Path: p, Err: errors.New("is the root folder")}
	}
	old, err := h.root.Stat(name)
	switch {
	case err == nil && old.IsDir():
		return nil, &fs.PathError{Op: "open", Path: p, Err: errors.New("is a folder")}
	case err == nil && fl.Excl:
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrExist}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, err
	case err != nil && !fl.Creat:
		return nil, err
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := path.Join(path.Dir(name), uploadPrefix+hex.EncodeToString(rnd[:])+"-"+path.Base(name))
	f, err := h.root.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	u := &upload{h: h, f: f, name: name, tmp: tmp, path: display(p), start: time.Now()}
	if old != nil && !fl.Trunc {
		// Keep the existing bytes: the client may write only part of the file.
		src, err := h.root.Open(name)
		if err == nil {
			u.base, err = io.Copy(f, src)
			src.Close()
		}
		if err != nil {
			f.Close()
			h.root.Remove(tmp)
			return nil, err
		}
		if !fl.Append {
			u.base = 0
		}
	}
	return u, nil
}

// upload is a file being written under a temporary name.
type upload struct {
	h      *handlers
	f      *os.File
	name   string // the final name, relative to the root
	tmp    string // the temporary one
	path   string // as the client names it
	base   int64  // APPEND: where the client's offset 0 lands
	start  time.Time
	n      atomic.Int64 // bytes written; pkg/sftp writes a handle from several goroutines at once
	failed error        // set by TransferError, which comes before Close
	over   atomic.Bool  // a write went past MaxUploadBytes
}

func (u *upload) WriteAt(b []byte, off int64) (int, error) {
	if limit := u.h.srv.maxUpload(); u.base+off+int64(len(b)) > limit {
		u.over.Store(true)
		return 0, &bounded.TooLongError{Unit: "upload", Limit: limit}
	}
	n, err := u.f.WriteAt(b, u.base+off)
	u.n.Add(int64(n))
	return n, err
}

func (u *upload) TransferError(err error) { u.failed = err }

// Close gives the temporary file the final name, or removes it when the upload
// was cut short.
func (u *upload) Close() error {
	err := u.f.Close()
	n := u.n.Load()
	fields := []lab.Field{{Name: "path", Value: u.path}, {Name: "bytes", Value: fmt.Sprint(n)},
		{Name: "time", Value: time.Since(u.start).Round(time.Millisecond).String()}}
	if u.over.Load() {
		u.h.root.Remove(u.tmp)
		err = &bounded.TooLongError{Unit: "upload", Limit: u.h.srv.maxUpload()}
		u.h.report("upload of "+u.path+" refused past "+size(u.h.srv.maxUpload())+": nothing written under that name",
			"The file would have grown past the server's bound (MaxUploadBytes): the server refused the write "+
				"that went past it (SSH_FX_FAILURE) and removed the temporary file.", refReadW, err, fields...)
		return err
	}
	if u.failed != nil || err != nil {
		u.h.root.Remove(u.tmp)
		if err == nil {
			err = fmt.Errorf("the connection ended before the file was closed: %w", u.failed)
		}
		u.h.report("upload of "+u.path+" abandoned after "+size(n)+": nothing written under that name",
			"The upload did not end with SSH_FXP_CLOSE, so the server removed the temporary file: the folder "+
				"holds the old file or none, never half of the new one.", refReadW, err, fields...)
		return err
	}
	if err = u.h.root.Rename(u.tmp, u.name); err != nil {
		u.h.root.Remove(u.tmp)
		err = u.h.fail(u.path, err)
	}
	u.h.report("write "+size(n)+" to "+u.path,
		"The client sent the file's bytes (SSH_FXP_WRITE, in pieces of up to 32 KiB) and closed the handle "+
			"(SSH_FXP_CLOSE); the server then gave the finished file its name in one step (a rename).",
		refReadW, err, fields...)
	return err
}
