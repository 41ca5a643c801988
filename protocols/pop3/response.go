package pop3

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxResponseLine bounds a status line, CRLF included. RFC 2449 §4 sets 512;
// the Reader allows more for servers that overstep it, and refuses longer lines
// rather than buffer them.
const MaxResponseLine = 4096

// ErrResponseTooLong is returned for a response line longer than MaxResponseLine,
// and by Reader.ReadBody for a body longer than its limit.
var ErrResponseTooLong = errors.New("pop3: response too long")

// Response is one status line from server to client (RFC 1939 §3): +OK or -ERR
// with a text, or a SASL continuation ("+ ", RFC 5034 §4).
type Response struct {
	OK bool
	// Continue marks a SASL continuation: "+ " and a base64 challenge in Text.
	Continue bool
	// Code is the RFC 2449 §8 response code without its brackets ("IN-USE",
	// "SYS/TEMP"), or "".
	Code string
	// Text is the rest of the line after the status and the code.
	Text string
}

// Status is "+OK", "-ERR" or "+".
func (r Response) Status() string {
	switch {
	case r.Continue:
		return "+"
	case r.OK:
		return "+OK"
	}
	return "-ERR"
}

// String is the line without its CRLF.
func (r Response) String() string {
	s := r.Status()
	if r.Code != "" {
		s += " [" + r.Code + "]"
	}
	if r.Text != "" {
		s += " " + r.Text
	}
	return s
}

// Error lets a -ERR response be returned as an error.
func (r Response) Error() string { return "pop3: " + r.String() }

// ParseResponse parses one status line; a trailing CRLF or LF is optional. The
// status is case-insensitive ("+ok" is seen in the wild); a response code is
// recognised only at the start of the text, as RFC 2449 §8 places it.
func ParseResponse(line []byte) (Response, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	var r Response
	var rest []byte
	switch {
	case hasPrefixFold(line, "+OK"):
		r.OK, rest = true, line[3:]
	case hasPrefixFold(line, "-ERR"):
		rest = line[4:]
	case len(line) >= 1 && line[0] == '+' && (len(line) == 1 || line[1] == ' '):
		r.OK, r.Continue = true, true
		r.Text = string(bytes.TrimPrefix(line[1:], []byte(" ")))
		return r, nil
	default:
		return Response{}, ErrBadResponse
	}
	if len(rest) > 0 && rest[0] != ' ' {
		return Response{}, ErrBadResponse
	}
	rest = bytes.TrimPrefix(rest, []byte(" "))
	if len(rest) > 1 && rest[0] == '[' {
		if i := bytes.IndexByte(rest, ']'); i > 1 && validCode(rest[1:i]) {
			r.Code = string(rest[1:i])
			rest = bytes.TrimPrefix(rest[i+1:], []byte(" "))
		}
	}
	r.Text = string(rest)
	return r, nil
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// validCode reports whether b is a resp-code's inside: resp-levels of printable
// ASCII letters, digits and hyphens, separated by "/" (RFC 2449 §8).
func validCode(b []byte) bool {
	for _, level := range bytes.Split(b, []byte("/")) {
		if len(level) == 0 {
			return false
		}
		for _, c := range level {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Multiline reports whether a positive response to cmd carries a multi-line body
// after its status line (RFC 1939 §3): LIST and UIDL without an argument, RETR,
// TOP and CAPA; AUTH without a mechanism lists the mechanisms (RFC 5034 §4).
func Multiline(cmd Command) bool {
	switch cmd.Keyword {
	case "LIST", "UIDL", "AUTH":
		return len(cmd.Args) == 0
	case "RETR", "TOP", "CAPA":
		return true
	}
	return false
}

// Reader reads responses and their multi-line bodies from a server. It is not
// safe for concurrent use.
type Reader struct {
	r *bufio.Reader
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader {
	if br, ok := r.(*bufio.Reader); ok {
		return &Reader{r: br}
	}
	return &Reader{r: bufio.NewReader(r)}
}

// readLine reads one line of at most max bytes and returns it without its CRLF
// (or LF).
func (r *Reader) readLine(max int) ([]byte, error) {
	var line []byte
	for {
		frag, err := r.r.ReadSlice('\n')
		if len(line)+len(frag) > max {
			return nil, ErrResponseTooLong
		}
		line = append(line, frag...)
		switch {
		case err == nil:
			line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}

// ReadResponse reads one status line. A -ERR response is returned as the
// Response, with a nil error: the caller decides whether it is one.
func (r *Reader) ReadResponse() (Response, error) {
	line, err := r.readLine(MaxResponseLine)
	if err != nil {
		return Response{}, err
	}
	resp, err := ParseResponse(line)
	if err != nil {
		return Response{}, fmt.Errorf("%w: %q", err, line[:min(len(line), 80)])
	}
	return resp, nil
}

// ReadBody reads a multi-line body up to its terminating line "." and returns it
// with the dot-stuffing undone (RFC 1939 §3) and every line ending in CRLF. A
// body longer than max bytes is read to its end and refused with
// ErrResponseTooLong, so the connection stays usable.
func (r *Reader) ReadBody(max int64) ([]byte, error) {
	var body []byte
	var total int64
	tooLong := false
	for {
		line, err := r.readLine(1 << 20)
		if err != nil {
			return nil, err
		}
		if len(line) == 1 && line[0] == '.' {
			break
		}
		line = bytes.TrimPrefix(line, []byte("."))
		total += int64(len(line)) + 2
		if total > max {
			tooLong, body = true, nil
			continue
		}
		body = append(body, line...)
		body = append(body, '\r', '\n')
	}
	if tooLong {
		return nil, ErrResponseTooLong
	}
	return body, nil
}

// ReadLines reads a multi-line body of short lines (LIST, UIDL, CAPA), at most
// max of them, and returns them without their line endings.
func (r *Reader) ReadLines(max int) ([]string, error) {
	var lines []string
	for {
		line, err := r.readLine(MaxResponseLine)
		if err != nil {
			return nil, err
		}
		if len(line) == 1 && line[0] == '.' {
			return lines, nil
		}
		if len(lines) >= max {
			continue
		}
		lines = append(lines, string(bytes.TrimPrefix(line, []byte("."))))
	}
}

// WriteMultiline writes body as a multi-line body: every line ends in CRLF (a
// bare LF is taken as a line ending), a line that begins with "." gets one more
// (dot-stuffing), and the line "." ends it (RFC 1939 §3).
func WriteMultiline(w *bufio.Writer, body []byte) error {
	for len(body) > 0 {
		line := body
		next := []byte(nil)
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, next = body[:i], body[i+1:]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > 0 && line[0] == '.' {
			w.WriteByte('.')
		}
		w.Write(line)
		w.WriteString("\r\n")
		body = next
	}
	_, err := w.WriteString(".\r\n")
	return err
}
