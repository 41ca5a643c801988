package ftpserver

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

func (ss *session) cmdRETR(arg string) bool {
	p, ok := ss.path("RETR", arg)
	if !ok {
		return true
	}
	f, err := ss.fs.root.Open(p.rel)
	if err != nil {
		ss.fail("RETR", p, arg, err)
		return true
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		f.Close()
		ss.reply(550, "%s: not a regular file.", arg)
		return true
	}
	if err != nil {
		f.Close()
		ss.fail("RETR", p, arg, err)
		return true
	}
	offset := ss.rest
	ss.rest = 0
	if offset > fi.Size() {
		f.Close()
		ss.reply(554, "REST %d is beyond the end of %s (%d bytes).", offset, arg, fi.Size())
		return true
	}
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			ss.fail("RETR", p, arg, err)
			return true
		}
	}
	if !ss.ready() {
		f.Close()
		return true
	}
	binary := ss.binary
	ss.reply(150, "Opening %s mode data connection for %s (%d bytes).", modeName(binary), p.base(), fi.Size()-offset)
	ss.start("RETR "+arg, func(c net.Conn, x *transfer) (string, error) {
		defer f.Close()
		var w io.Writer = &progress{w: c, x: x, d: ss.srv.dataTimeout(), c: c}
		if !binary {
			w = newToCRLF(w)
		}
		n, err := io.CopyBuffer(w, struct{ io.Reader }{f}, make([]byte, 256<<10))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Transfer complete: %d bytes sent.", n), nil
	}, func() { f.Close() })
	return true
}

func modeName(binary bool) string {
	if binary {
		return "BINARY"
	}
	return "ASCII"
}

// progress counts the bytes of a transfer and renews the data deadline as they move.
type progress struct {
	w io.Writer
	c net.Conn
	x *transfer
	d time.Duration
}

func (p *progress) Write(b []byte) (int, error) {
	p.c.SetWriteDeadline(time.Now().Add(p.d))
	n, err := p.w.Write(b)
	p.x.n.Add(int64(n))
	return n, err
}

// progressReader counts the bytes of an upload and renews the data deadline.
type progressReader struct {
	c net.Conn
	x *transfer
	d time.Duration
}

func (p *progressReader) Read(b []byte) (int, error) {
	p.c.SetReadDeadline(time.Now().Add(p.d))
	n, err := p.c.Read(b)
	p.x.n.Add(int64(n))
	return n, err
}

func (ss *session) cmdSTOR(arg string) bool { return ss.store("STOR", arg, false) }
func (ss *session) cmdAPPE(arg string) bool { return ss.store("APPE", arg, true) }

// store receives a file into a temporary file beside its target, which is renamed
// into place only when the whole upload has arrived. STOR after REST n keeps the
// first n bytes of the existing file; APPE keeps all of it.
func (ss *session) store(verb, arg string, appending bool) bool {
	p, ok := ss.path(verb, arg)
	if !ok || !ss.writable() {
		return true
	}
	offset := ss.rest
	ss.rest = 0
	if p.rel == "." || strings.HasSuffix(arg, "/") {
		ss.reply(553, "%s: not a file name.", arg)
		return true
	}
	fi, err := ss.fs.root.Stat(p.rel)
	switch {
	case err == nil && !fi.Mode().IsRegular():
		ss.reply(553, "%s: not a regular file.", arg)
		return true
	case err != nil && !os.IsNotExist(err):
		ss.fail(verb, p, arg, err)
		return true
	case err != nil && offset > 0:
		ss.reply(554, "REST %d: %s does not exist yet.", offset, arg)
		return true
	case err == nil && offset > fi.Size():
		ss.reply(554, "REST %d is beyond the end of %s (%d bytes).", offset, arg, fi.Size())
		return true
	}
	keep := offset
	if appending && err == nil {
		keep = fi.Size()
	}
	tmp, f, err := ss.tempFile(p)
	if err != nil {
		ss.fail(verb, p, arg, err)
		return true
	}
	if keep > 0 {
		src, err := ss.fs.root.Open(p.rel)
		if err == nil {
			_, err = io.CopyN(f, src, keep)
			src.Close()
		}
		if err != nil {
			f.Close()
			ss.fs.root.Remove(tmp)
			ss.fail(verb, p, arg, err)
			return true
		}
	}
	if !ss.ready() {
		f.Close()
		ss.fs.root.Remove(tmp)
		return true
	}
	binary := ss.binary
	ss.reply(150, "Opening %s mode data connection for %s.", modeName(binary), p.base())
	ss.start(verb+" "+arg, func(c net.Conn, x *transfer) (string, error) {
		committed := false
		defer func() {
			if !committed {
				f.Close()
				ss.fs.root.Remove(tmp)
			}
		}()
		var w io.Writer = f
		if !binary {
			w = newFromCRLF(f)
		}
		n, err := io.CopyBuffer(w, &progressReader{c: c, x: x, d: ss.srv.dataTimeout()}, make([]byte, 256<<10))
		if err == nil {
			if fl, ok := w.(*fromCRLF); ok {
				err = fl.Flush()
			}
		}
		if err != nil || x.wasAborted() {
			return "", err
		}
		if err := f.Close(); err != nil {
			return "", err
		}
		committed = true
		if err := ss.fs.root.Rename(tmp, p.rel); err != nil {
			ss.fs.root.Remove(tmp)
			return "", err
		}
		return fmt.Sprintf("Transfer complete: %d bytes received into %s.", n, p.v), nil
	}, func() {
		f.Close()
		ss.fs.root.Remove(tmp)
	})
	return true
}

// tempFile creates the upload's temporary file in the target's folder.
func (ss *session) tempFile(p vpath) (string, *os.File, error) {
	for range 10 {
		var b [6]byte
		rand.Read(b[:])
		name := path.Join(p.dir().rel, "."+p.base()+".upload-"+hex.EncodeToString(b[:]))
		f, err := ss.fs.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil || !os.IsExist(err) {
			return name, f, err
		}
	}
	return "", nil, fs.ErrExist
}

func (ss *session) cmdABOR(string) bool {
	x := ss.current()
	if x == nil {
		ss.closeDataMode()
		ss.reply(225, "No transfer to abort.")
		return true
	}
	x.abort()
	<-x.done
	ss.reply(226, "ABOR successful: the data connection is closed.")
	return true
}

// listing formats what arg names, a folder's entries or one file, with format.
func (ss *session) listing(verb, arg string, format func(name string, fi fs.FileInfo, now time.Time) string) (vpath, []string, bool) {
	p, ok := ss.path(verb, arg)
	if !ok {
		return p, nil, false
	}
	fi, err := ss.fs.root.Stat(p.rel)
	if err != nil {
		ss.fail(verb, p, arg, err)
		return p, nil, false
	}
	now := time.Now()
	if !fi.IsDir() {
		return p, []string{format(p.base(), fi, now)}, true
	}
	d, err := ss.fs.root.Open(p.rel)
	if err != nil {
		ss.fail(verb, p, arg, err)
		return p, nil, false
	}
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		ss.fail(verb, p, arg, err)
		return p, nil, false
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	lines := make([]string, 0, len(entries))
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue
		}
		lines = append(lines, format(e.Name(), info, now))
	}
	return p, lines, true
}

// listArg drops ls-style options ("-la") that clients put before LIST's path.
func listArg(arg string) string {
	for strings.HasPrefix(arg, "-") {
		_, rest, _ := strings.Cut(arg, " ")
		arg = strings.TrimSpace(rest)
	}
	return arg
}

func (ss *session) cmdLIST(arg string) bool {
	return ss.list("LIST", arg, formatLIST)
}

func (ss *session) cmdNLST(arg string) bool {
	return ss.list("NLST", arg, func(name string, _ fs.FileInfo, _ time.Time) string { return name + "\r\n" })
}

func (ss *session) cmdMLSD(arg string) bool {
	if arg != "" {
		p, ok := ss.path("MLSD", arg)
		if !ok {
			return true
		}
		if fi, err := ss.fs.root.Stat(p.rel); err == nil && !fi.IsDir() {
			ss.reply(501, "%s: not a directory: MLSD lists folders; use MLST for a file.", arg)
			return true
		}
	}
	return ss.list("MLSD", arg, func(name string, fi fs.FileInfo, _ time.Time) string {
		return ss.mlstOff.facts(fi, ss.acct.Write) + " " + name + "\r\n"
	})
}

// list sends a listing over a data connection.
func (ss *session) list(verb, arg string, format func(string, fs.FileInfo, time.Time) string) bool {
	arg = listArg(arg)
	_, lines, ok := ss.listing(verb, arg, format)
	if !ok || !ss.ready() {
		return true
	}
	label := verb
	if arg != "" {
		label += " " + arg
	}
	ss.reply(150, "Opening ASCII mode data connection for the listing (%d entries).", len(lines))
	ss.start(label, func(c net.Conn, x *transfer) (string, error) {
		bw := bufio.NewWriter(&progress{w: c, x: x, d: ss.srv.dataTimeout(), c: c})
		for _, l := range lines {
			bw.WriteString(l)
		}
		if err := bw.Flush(); err != nil {
			return "", err
		}
		return "Listing sent.", nil
	}, nil)
	return true
}

func (ss *session) cmdMLST(arg string) bool {
	p, ok := ss.path("MLST", arg)
	if !ok {
		return true
	}
	fi, err := ss.fs.root.Stat(p.rel)
	if err != nil {
		ss.fail("MLST", p, arg, err)
		return true
	}
	ss.reply(250, "Listing %s\n %s %s\nEnd", p.v, ss.mlstOff.facts(fi, ss.acct.Write), p.v)
	return true
}

// formatLIST is one line of LIST in the form of ls -l, which clients parse.
func formatLIST(name string, fi fs.FileInfo, now time.Time) string {
	mode := fi.Mode()
	kind := byte('-')
	switch {
	case mode.IsDir():
		kind = 'd'
	case mode&fs.ModeSymlink != 0:
		kind = 'l'
	}
	perm := mode.Perm().String()[1:]
	t := fi.ModTime()
	when := t.Format("Jan _2 15:04")
	if now.Sub(t) > 180*24*time.Hour || t.Sub(now) > time.Hour {
		when = t.Format("Jan _2  2006")
	}
	return fmt.Sprintf("%c%s 1 ftp ftp %12d %s %s\r\n", kind, perm, fi.Size(), when, name)
}

func sortStrings(s []string) { sort.Strings(s) }

// toCRLF converts a file's line endings to TYPE A's CRLF on the wire: a bare LF
// becomes CRLF; a CRLF stays.
type toCRLF struct {
	w      io.Writer
	lastCR bool
	buf    []byte
}

func newToCRLF(w io.Writer) *toCRLF { return &toCRLF{w: w} }

func (t *toCRLF) Write(b []byte) (int, error) {
	out := t.buf[:0]
	for _, c := range b {
		if c == '\n' && !t.lastCR {
			out = append(out, '\r')
		}
		out = append(out, c)
		t.lastCR = c == '\r'
	}
	t.buf = out
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// fromCRLF converts TYPE A's CRLF from the wire to the LF of files here. A CR
// at the end of one write waits for the next; Flush writes it.
type fromCRLF struct {
	w       io.Writer
	pending bool // a CR waits for what follows
	buf     []byte
}

func newFromCRLF(w io.Writer) *fromCRLF { return &fromCRLF{w: w} }

func (t *fromCRLF) Write(b []byte) (int, error) {
	out := t.buf[:0]
	for _, c := range b {
		if t.pending {
			t.pending = false
			if c != '\n' {
				out = append(out, '\r')
			}
		}
		if c == '\r' {
			t.pending = true
			continue
		}
		out = append(out, c)
	}
	t.buf = out
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Flush writes a CR that ended the input.
func (t *fromCRLF) Flush() error {
	if !t.pending {
		return nil
	}
	t.pending = false
	_, err := t.w.Write([]byte{'\r'})
	return err
}
