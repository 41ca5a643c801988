package ui

import (
	"context"
	"io"
	"path"
	"sort"
	"time"

	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/ftp"
)

// fileEntry is one line of a remote folder's listing.
type fileEntry struct {
	Name  string
	Size  int64
	Time  time.Time
	IsDir bool
}

// fileSession is what the file pane needs of a file-transfer client: FTP and
// SFTP, behind one set of operations on absolute paths.
type fileSession interface {
	Pwd() (string, error)
	List(dir string) ([]fileEntry, error)
	Get(p string, w io.Writer, progress func(done, total int64)) error
	Put(p string, r io.Reader, size int64, progress func(done, total int64)) error
	Delete(p string) error
	Mkdir(p string) error
	Rmdir(p string) error
	Rename(from, to string) error
	Close() error
	Conversation() lab.ConvID
}

// modeSetter is a fileSession whose data connections have modes (FTP's).
type modeSetter interface{ setMode(ftpclient.Mode) }

// sortEntries puts folders first, then names in order.
func sortEntries(es []fileEntry) {
	sort.Slice(es, func(i, j int) bool {
		if es[i].IsDir != es[j].IsDir {
			return es[i].IsDir
		}
		return es[i].Name < es[j].Name
	})
}

// fileClient is what the file pane's registration tells it of its protocol:
// how to log in, and whether data connections have FTP's two modes.
type fileClient struct {
	dial func(ctx context.Context, pc PaneContext, l fileLogin) (fileSession, error)
	// modes: each listing or file has a data connection of its own, opened
	// by the client (passive) or the server (active) as the person chooses.
	modes bool
	// data names the protocol the data connections are captured as.
	data string
}

// The file pane's protocols.
var (
	ftpFiles  = fileClient{dial: dialFTP, modes: true, data: ftp.DataName}
	sftpFiles = fileClient{dial: dialSFTP}
)

// ftpSession is the FTP client as a fileSession.
type ftpSession struct{ c *ftpclient.Client }

// fileLogin is what the file pane logs in with.
type fileLogin struct {
	addr, user, pass string
	mode             ftpclient.Mode // FTP: who opens the data connections
	dataTap          *lab.Tap       // FTP: captures the data connections; nil captures nothing
}

// dialFTP logs in over FTP.
func dialFTP(ctx context.Context, pc PaneContext, l fileLogin) (fileSession, error) {
	opts := ftpclient.Options{Dialer: pc.Dialer(), Mode: l.mode, DataTap: l.dataTap}
	c, err := ftpclient.Dial(ctx, l.addr, opts)
	if err != nil {
		return nil, err
	}
	if err := c.Login(l.user, l.pass); err != nil {
		c.Close()
		return nil, err
	}
	return &ftpSession{c}, nil
}

func (s *ftpSession) Pwd() (string, error) { return s.c.Pwd() }
func (s *ftpSession) List(dir string) ([]fileEntry, error) {
	es, err := s.c.List(dir)
	out := make([]fileEntry, 0, len(es))
	for _, e := range es {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		out = append(out, fileEntry{Name: e.Name, Size: e.Size, Time: e.Time, IsDir: e.IsDir})
	}
	sortEntries(out)
	return out, err
}
func (s *ftpSession) Get(p string, w io.Writer, progress func(done, total int64)) error {
	return s.c.Retr(p, w, progress)
}
func (s *ftpSession) Put(p string, r io.Reader, size int64, progress func(done, total int64)) error {
	return s.c.Stor(p, r, size, progress)
}
func (s *ftpSession) Delete(p string) error        { return s.c.Delete(p) }
func (s *ftpSession) Mkdir(p string) error         { return s.c.MakeDir(p) }
func (s *ftpSession) Rmdir(p string) error         { return s.c.RemoveDir(p) }
func (s *ftpSession) Rename(from, to string) error { return s.c.Rename(from, to) }
func (s *ftpSession) Conversation() lab.ConvID     { return s.c.Conversation() }
func (s *ftpSession) setMode(m ftpclient.Mode)     { s.c.SetMode(m) }
func (s *ftpSession) Close() error                 { s.c.Quit(); return s.c.Close() }

// sftpSession is the SFTP client as a fileSession.
type sftpSession struct{ c *sftpclient.Client }

// dialSFTP logs in over SFTP, whose files cross inside the one SSH connection.
func dialSFTP(ctx context.Context, pc PaneContext, l fileLogin) (fileSession, error) {
	c, err := sftpclient.Dial(ctx, l.addr, sftpclient.Options{Dialer: pc.Dialer(), User: l.user, Password: l.pass})
	if err != nil {
		return nil, err
	}
	return &sftpSession{c}, nil
}

func (s *sftpSession) Pwd() (string, error) { return s.c.Pwd() }
func (s *sftpSession) List(dir string) ([]fileEntry, error) {
	fis, err := s.c.List(dir)
	out := make([]fileEntry, 0, len(fis))
	for _, fi := range fis {
		out = append(out, fileEntry{Name: fi.Name(), Size: fi.Size(), Time: fi.ModTime(), IsDir: fi.IsDir()})
	}
	sortEntries(out)
	return out, err
}
func (s *sftpSession) Get(p string, w io.Writer, progress func(done, total int64)) error {
	_, err := s.c.Get(p, w, progress)
	return err
}
func (s *sftpSession) Put(p string, r io.Reader, size int64, progress func(done, total int64)) error {
	_, err := s.c.Put(p, r, size, progress)
	return err
}
func (s *sftpSession) Delete(p string) error        { return s.c.Remove(p) }
func (s *sftpSession) Mkdir(p string) error         { return s.c.Mkdir(p) }
func (s *sftpSession) Rmdir(p string) error         { return s.c.RemoveDir(p) }
func (s *sftpSession) Rename(from, to string) error { return s.c.Rename(from, to) }
func (s *sftpSession) Close() error                 { return s.c.Close() }
func (s *sftpSession) Conversation() lab.ConvID {
	if conv := lab.ConnConversation(s.c.Conn()); conv != nil {
		return conv.ID()
	}
	return 0
}

// remotePath joins a name to a remote folder.
func remotePath(dir, name string) string {
	if path.IsAbs(name) {
		return path.Clean(name)
	}
	return path.Join(dir, name)
}
