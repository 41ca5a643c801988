package ftpclient

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"time"
)

// maxListing bounds the bytes of one listing the client reads.
const maxListing = 32 << 20

// copyBuf is the size of a transfer's reads and writes.
const copyBuf = 256 << 10

// List lists a folder ("" for the current one): with MLSD (RFC 3659 §7) when the
// server offers it, whose facts are exact, else with LIST, whose Unix-like "ls
// -l" lines are read as well as they can be.
func (c *Client) List(path string) ([]Entry, error) {
	verb := "LIST"
	if c.has("MLST") {
		verb = "MLSD"
	}
	var buf bytes.Buffer
	err := c.transfer(verb, path, func(data net.Conn, _ reply) error {
		n, err := c.copy(&buf, io.LimitReader(data, maxListing+1), data, nil, -1)
		if err == nil && n > maxListing {
			return fmt.Errorf("ftpclient: %s: the listing is longer than %d MiB", verb, maxListing>>20)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if verb == "MLSD" {
		return parseMLSD(buf.Bytes()), nil
	}
	return parseLIST(buf.Bytes(), time.Now()), nil
}

// Retr downloads a file into w (RETR). progress, if non-nil, is called as bytes
// arrive with the bytes so far and the file's size (-1 when the server tells
// neither by SIZE nor in its 150 reply).
func (c *Client) Retr(path string, w io.Writer, progress func(done, total int64)) error {
	total := int64(-1)
	if c.has("SIZE") {
		if n, err := c.Size(path); err == nil {
			total = n
		} else if errors.Is(err, ErrClosed) {
			return err
		}
	}
	return c.transfer("RETR", path, func(data net.Conn, pre reply) error {
		if total < 0 {
			total = bytesIn150(pre.Text)
		}
		if progress != nil {
			progress(0, total)
		}
		_, err := c.copy(w, data, data, progress, total)
		return err
	})
}

var bytesRE = regexp.MustCompile(`\((\d+) bytes\)`)

// bytesIn150 reads "(1234 bytes)" from a 150 reply, which many servers send.
func bytesIn150(text string) int64 {
	m := bytesRE.FindStringSubmatch(firstLine(text))
	if m == nil {
		return -1
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// Stor uploads r's bytes as a file (STOR), replacing any file of that name.
// size is r's length for progress, or -1 when unknown; progress, if non-nil, is
// called as bytes leave.
func (c *Client) Stor(path string, r io.Reader, size int64, progress func(done, total int64)) error {
	return c.transfer("STOR", path, func(data net.Conn, _ reply) error {
		if progress != nil {
			progress(0, size)
		}
		if _, err := c.copy(data, r, data, progress, size); err != nil {
			return err
		}
		return c.finishUpload(data)
	})
}

// finishUpload ends an upload the way STOR's stream mode does, by closing the
// connection (RFC 959 §3.4.1), in two steps: a half-close (TLS's close_notify, or
// TCP's FIN) that tells the server the file is whole, then reading until the
// server closes too. Closing outright could lose the file's last bytes: a socket
// closed with unread bytes in it (a TLS session ticket) is reset, not closed.
func (c *Client) finishUpload(data net.Conn) error {
	if cw, ok := data.(interface{ CloseWrite() error }); ok {
		if err := cw.CloseWrite(); err != nil {
			return c.dataErr(err, true)
		}
	}
	data.SetDeadline(time.Now().Add(c.timeout))
	if _, err := io.Copy(io.Discard, io.LimitReader(data, 1<<20)); err != nil && !isTimeout(err) {
		return c.dataErr(err, true)
	}
	return nil
}

// copy moves src to dst in large chunks, renewing data's deadline for each and
// reporting progress; a failure of either side is told apart.
func (c *Client) copy(dst io.Writer, src io.Reader, data net.Conn, progress func(done, total int64), total int64) (int64, error) {
	buf := make([]byte, copyBuf)
	var done int64
	for {
		data.SetDeadline(time.Now().Add(c.timeout))
		n, rerr := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return done, c.dataErr(werr, dst == data)
			}
			done += int64(n)
			if progress != nil {
				progress(done, total)
			}
		}
		if rerr == io.EOF {
			return done, nil
		}
		if rerr != nil {
			return done, c.dataErr(rerr, src == io.Reader(data))
		}
	}
}

// dataErr explains a failure on the data connection (onData) or on the local
// reader or writer.
func (c *Client) dataErr(err error, onData bool) error {
	switch {
	case c.isClosed():
		return ErrClosed
	case !onData:
		return fmt.Errorf("ftpclient: transfer stopped: %w", err)
	case isTimeout(err):
		return fmt.Errorf("ftpclient: the data connection was idle for %v: %w", c.timeout, err)
	}
	return fmt.Errorf("ftpclient: the data connection failed: %w", err)
}
