package sftpserver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/pkg/sftp"

	"github.com/protocollab/protolab/lab"
)

// Filecmd carries out the requests that answer with a status only: SSH_FXP_SETSTAT,
// RENAME, REMOVE, MKDIR and RMDIR. Links (SYMLINK, hardlink@openssh.com) are refused.
func (h *handlers) Filecmd(r *sftp.Request) error {
	p := r.Filepath
	pf := lab.Field{Name: "path", Value: display(p)}
	switch r.Method {
	case "Rename":
		return h.rename(r, false)
	case "Remove":
		err := h.remove(p, false)
		h.report("remove "+display(p), "The client deletes a file (SSH_FXP_REMOVE); a folder needs RMDIR instead.", refRemove, err, pf)
		return err
	case "Mkdir":
		err := h.root.Mkdir(rel(p), 0o755)
		if err != nil {
			err = h.fail(p, err)
		}
		h.report("mkdir "+display(p), "The client makes a folder (SSH_FXP_MKDIR).", refDir, err, pf)
		return err
	case "Rmdir":
		err := h.remove(p, true)
		h.report("rmdir "+display(p), "The client removes a folder (SSH_FXP_RMDIR); it must be empty.", refDir, err, pf)
		return err
	case "Setstat":
		what, err := h.setstat(r)
		h.report("setstat "+display(p)+": "+what, "The client changes a file's attributes (SSH_FXP_SETSTAT): its size "+
			"(truncating it), permissions or times. Clients do this after an upload to keep the original's mode and time.",
			refSetstat, err, pf)
		return err
	case "Symlink", "Link":
		err := fmt.Errorf("this server does not make links: %w", sftp.ErrSSHFxOpUnsupported)
		h.report(strings.ToLower(r.Method)+" "+display(r.Target)+" → "+display(p),
			"The client asks for a link; this server refuses links, so none can point out of its folder.",
			refLinks, err, pf, lab.Field{Name: "target", Value: display(r.Target)})
		return err
	}
	return sftp.ErrSSHFxOpUnsupported
}

// PosixRename is posix-rename@openssh.com: a rename that replaces an existing target.
func (h *handlers) PosixRename(r *sftp.Request) error { return h.rename(r, true) }

// rename moves r.Filepath to r.Target. SFTP version 3's RENAME fails when the
// target exists (draft-ietf-secsh-filexfer-02 §6.5); posix-rename replaces it.
func (h *handlers) rename(r *sftp.Request, replace bool) error {
	from, to := r.Filepath, r.Target
	var err error
	if rel(from) == "." || rel(to) == "." {
		err = fmt.Errorf("the root folder cannot be renamed, nor replaced: %w", sftp.ErrSSHFxPermissionDenied)
	} else if _, serr := h.root.Lstat(rel(to)); serr == nil && !replace {
		err = &fs.PathError{Op: "rename", Path: display(to), Err: fs.ErrExist}
	} else if err = h.root.Rename(rel(from), rel(to)); err != nil {
		err = h.fail(from, err)
	}
	meaning := "The client renames or moves a file or folder (SSH_FXP_RENAME); in SFTP version 3 this fails if the new name is taken."
	ref := refRemove
	if replace {
		meaning = "The client renames or moves a file or folder with OpenSSH's posix-rename@openssh.com extension, which replaces a file already there."
		ref += ", draft-ietf-secsh-filexfer-02 §8 (extensions)"
	}
	h.report("rename "+display(from)+" → "+display(to), meaning, ref, err,
		lab.Field{Name: "from", Value: display(from)}, lab.Field{Name: "to", Value: display(to)})
	return err
}

func (h *handlers) remove(p string, dir bool) error {
	name := rel(p)
	if name == "." {
		return fmt.Errorf("the root folder cannot be removed: %w", sftp.ErrSSHFxPermissionDenied)
	}
	fi, err := h.root.Lstat(name)
	if err != nil {
		return h.fail(p, err)
	}
	switch {
	case dir && !fi.IsDir():
		return &fs.PathError{Op: "rmdir", Path: display(p), Err: errors.New("not a folder: use remove")}
	case !dir && fi.IsDir():
		return &fs.PathError{Op: "remove", Path: display(p), Err: errors.New("is a folder: use rmdir")}
	}
	if err := h.root.Remove(name); err != nil {
		return h.fail(p, err)
	}
	return nil
}

// setstat applies an SSH_FXP_SETSTAT and says what it changed.
func (h *handlers) setstat(r *sftp.Request) (string, error) {
	name := rel(r.Filepath)
	flags, attrs := r.AttrFlags(), r.Attributes()
	var did []string
	if flags.Size {
		did = append(did, "size "+size(int64(attrs.Size)))
		f, err := h.root.OpenFile(name, os.O_WRONLY, 0)
		if err == nil {
			err = f.Truncate(int64(attrs.Size))
			f.Close()
		}
		if err != nil {
			return strings.Join(did, ", "), h.fail(r.Filepath, err)
		}
	}
	if flags.Permissions {
		mode := attrs.FileMode().Perm()
		did = append(did, "mode "+mode.String())
		if err := h.root.Chmod(name, mode); err != nil {
			return strings.Join(did, ", "), h.fail(r.Filepath, err)
		}
	}
	if flags.Acmodtime {
		did = append(did, "modified "+attrs.ModTime().UTC().Format("2006-01-02 15:04:05 UTC"))
		if err := h.root.Chtimes(name, attrs.AccessTime(), attrs.ModTime()); err != nil {
			return strings.Join(did, ", "), h.fail(r.Filepath, err)
		}
	}
	if flags.UidGid {
		did = append(did, "owner left as it is (the lab does not change owners)")
	}
	if len(did) == 0 {
		return "nothing", nil
	}
	return strings.Join(did, ", "), nil
}
