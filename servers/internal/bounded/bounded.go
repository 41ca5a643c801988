// Package bounded reads what a client sends in units no larger than a bound:
// the lab's own line-based servers (FTP, POP3, TCP chat) read their command
// lines with Lines, and uploads with Reader. A unit over its bound is refused
// once the bound is read and before another byte is: memory stays bounded, in
// the server and in the lab's capture of the connection alike, however much the
// client sends. The server answers with its protocol's error (FTP 500, POP3
// -ERR) and closes the connection, as go-smtp does for SMTP, and the bytes the
// client goes on sending are never read.
//
// The servers built on libraries have their bounds configured instead: go-smtp
// (MaxLineLength, MaxMessageBytes), go-imap (its command and literal limits),
// net/http (MaxHeaderBytes, http.MaxBytesReader), gorilla/websocket
// (SetReadLimit), miekg/dns and x/crypto/ssh (their message and packet sizes).
package bounded

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ErrTooLong is what a TooLongError is: errors.Is(err, ErrTooLong).
var ErrTooLong = errors.New("bounded: too long")

// TooLongError says that a unit the client sent is over its bound.
type TooLongError struct {
	Unit  string // "line", "upload"
	Limit int64  // the bound, in bytes
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("bounded: %s longer than %d bytes", e.Unit, e.Limit)
}

// Is makes errors.Is(err, ErrTooLong) hold.
func (e *TooLongError) Is(target error) bool { return target == ErrTooLong }

// Lines reads lines of at most a bound of bytes, LF included. A Lines is not
// safe for concurrent use.
type Lines struct {
	r   *bufio.Reader
	max int
}

// minLine is the smallest bound Lines takes (bufio's smallest buffer).
const minLine = 16

// NewLines returns a reader of r's lines, each at most n bytes long, LF
// included (at least 16). It reads at most n bytes ahead of the line it
// returns.
func NewLines(r io.Reader, n int) *Lines {
	n = max(n, minLine)
	return &Lines{r: bufio.NewReaderSize(r, n), max: n}
}

// Max is the bound of a line, LF included.
func (l *Lines) Max() int { return l.max }

// ReadLine returns the next line, its LF included. The line is valid until the
// next call. A line not ended within Max bytes is a *TooLongError, with nothing
// of it returned and nothing past the bound read: the caller answers and ends
// the session (reading on would mean reading everything the client sends). A
// last line without LF is returned as it is, with io.EOF only on the next call.
func (l *Lines) ReadLine() ([]byte, error) {
	line, err := l.r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, &TooLongError{Unit: "line", Limit: int64(l.max)}
	case err == io.EOF && len(line) > 0:
		return line, nil
	}
	return line, err
}

// Buffered is the number of bytes read from the connection but not yet
// returned: a client that pipelines commands, or one that sends plain text
// after asking for TLS.
func (l *Lines) Buffered() int { return l.r.Buffered() }

// Reset discards what is buffered and reads from r from now on (after STARTTLS,
// the TLS connection).
func (l *Lines) Reset(r io.Reader) { l.r.Reset(r) }

// Reader reads at most a bound of bytes from R: past Limit bytes, Read returns
// a *TooLongError instead of more data (io.LimitReader would end the data
// there, as if the client had sent no more). It reads at most Limit+1 bytes
// from R.
type Reader struct {
	R     io.Reader
	Limit int64
	Unit  string // what the bytes are, for the error: "upload"

	n int64 // bytes returned so far
}

// NewReader returns a Reader of at most limit bytes of r, unit naming them.
func NewReader(r io.Reader, limit int64, unit string) *Reader {
	return &Reader{R: r, Limit: limit, Unit: unit}
}

func (r *Reader) Read(p []byte) (int, error) {
	if r.n > r.Limit {
		return 0, &TooLongError{Unit: r.Unit, Limit: r.Limit}
	}
	if left := r.Limit + 1 - r.n; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := r.R.Read(p)
	r.n += int64(n)
	if r.n > r.Limit {
		// The byte past the bound is not given: the data is cut at the bound.
		n -= int(r.n - r.Limit)
		return n, &TooLongError{Unit: r.Unit, Limit: r.Limit}
	}
	return n, err
}
