package ftpclient

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
)

// maxReply bounds one reply, all its lines together: a STAT or HELP reply is a
// few kilobytes, and a server that sends an endless line must not fill memory.
const maxReply = 64 << 10

// Error is a reply that refused or failed a command (RFC 959 §4.2: 4xx means
// try again later, 5xx means the command cannot succeed as given).
type Error struct {
	Code    int    // the reply code, 550
	Message string // the server's text, lines joined by "\n"
	Command string // the command as sent, "RETR notes.txt" (a password is masked)
}

// Error reads like "550 Failed to open file. (RETR notes.txt)".
func (e *Error) Error() string {
	s := strconv.Itoa(e.Code) + " " + e.Message
	if e.Command != "" {
		s += " (" + e.Command + ")"
	}
	return s
}

// Temporary reports whether the failure is transient (4xx): the same command may
// succeed later.
func (e *Error) Temporary() bool { return e.Code/100 == 4 }

// ErrClosed is returned by a Client's methods after Close or Quit.
var ErrClosed = errors.New("ftpclient: the connection is closed")

// reply is one reply of the server (RFC 959 §4.2).
type reply struct {
	Code int
	Text string // lines joined by "\n", without codes on the first and last
}

func (r reply) String() string { return strconv.Itoa(r.Code) + " " + firstLine(r.Text) }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// budget is an io.Reader that gives at most n bytes until it is refilled; it
// bounds what one reply may take from the connection.
type budget struct {
	r io.Reader
	n int
}

var errReplyTooLong = fmt.Errorf("ftpclient: the server's reply is longer than %d bytes — this is not an FTP server, or it misbehaves", maxReply)

func (b *budget) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errReplyTooLong
	}
	if len(p) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= n
	return n, err
}

// replyReader reads replies with net/textproto, which knows RFC 959's multi-line
// form ("211-Features:" ... "211 End"), within maxReply bytes each.
type replyReader struct {
	b  *budget
	tp *textproto.Reader
}

func newReplyReader(r io.Reader) *replyReader {
	b := &budget{r: r}
	return &replyReader{b: b, tp: textproto.NewReader(bufio.NewReaderSize(b, 4096))}
}

// read reads one whole reply.
func (rr *replyReader) read() (reply, error) {
	rr.b.n = maxReply
	code, text, err := rr.tp.ReadResponse(0)
	if err != nil {
		var pe textproto.ProtocolError
		if errors.As(err, &pe) {
			return reply{}, fmt.Errorf("ftpclient: the server's reply is not FTP (%v) — is this an FTP server?", err)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return reply{}, errors.New("ftpclient: the server closed the control connection")
		}
		return reply{}, err
	}
	if code < 100 || code > 599 {
		return reply{}, fmt.Errorf("ftpclient: the server's reply code %d is not one of FTP's (100 to 599)", code)
	}
	return reply{Code: code, Text: text}, nil
}
