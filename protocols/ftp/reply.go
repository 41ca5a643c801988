package ftp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxReply bounds a whole reply, all its lines together, for ParseReply and
// ReplyReader. A STAT or HELP reply is a few kilobytes.
const MaxReply = 1 << 20

// Reply is one reply from server to client (RFC 959 §4.2): a three-digit code and
// one or more lines of text.
type Reply struct {
	Code int
	// Lines is the text of each line with the line ending removed: of the first
	// and last lines without their code and separator, of the lines between as
	// sent (RFC 959 lets them begin with anything but the code and a space).
	Lines []string
}

// Text is the reply's text, its lines joined by "\n".
func (r Reply) Text() string { return strings.Join(r.Lines, "\n") }

// String is the reply's first line, with its code.
func (r Reply) String() string {
	if len(r.Lines) == 0 || r.Lines[0] == "" {
		return strconv.Itoa(r.Code)
	}
	return strconv.Itoa(r.Code) + " " + r.Lines[0]
}

// Multiline reports whether the reply spans more than one line.
func (r Reply) Multiline() bool { return len(r.Lines) > 1 }

// Error lets a failed reply (4xx, 5xx) be returned as an error.
func (r Reply) Error() string { return "ftp: " + r.String() }

// Class is the reply's first digit: 1 preliminary, 2 completed, 3 intermediate,
// 4 transient failure, 5 permanent failure.
func (r Reply) Class() int { return r.Code / 100 }

// FormatReply returns the wire form of a reply: one line "code text", or, when
// text holds newlines, a multi-line reply "code-first", the middle lines, "code
// last". A middle line that begins with a digit is indented by a space, so that
// no client mistakes it for the last line (RFC 959 §4.2).
func FormatReply(code int, text string) []byte {
	lines := strings.Split(strings.ReplaceAll(text, "\r", ""), "\n")
	var b bytes.Buffer
	if len(lines) == 1 {
		fmt.Fprintf(&b, "%03d %s\r\n", code, lines[0])
		return b.Bytes()
	}
	fmt.Fprintf(&b, "%03d-%s\r\n", code, lines[0])
	for _, l := range lines[1 : len(lines)-1] {
		if l != "" && '0' <= l[0] && l[0] <= '9' {
			b.WriteByte(' ')
		}
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "%03d %s\r\n", code, lines[len(lines)-1])
	return b.Bytes()
}

// parseFirst parses a reply's first line (without its ending): the code, whether
// the reply continues ("123-"), and the text.
func parseFirst(line []byte) (code int, more bool, text string, err error) {
	if len(line) < 3 || !digits(line[:3]) || line[0] < '1' || line[0] > '5' {
		return 0, false, "", ErrBadReply
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	switch {
	case len(line) == 3:
		return code, false, "", nil
	case line[3] == ' ':
		return code, false, string(line[4:]), nil
	case line[3] == '-':
		return code, true, string(line[4:]), nil
	}
	return 0, false, "", ErrBadReply
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isLast reports whether line ends the multi-line reply with code, and its text.
func isLast(line []byte, code int) (string, bool) {
	if len(line) < 3 || !digits(line[:3]) {
		return "", false
	}
	c := int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if c != code {
		return "", false
	}
	if len(line) == 3 {
		return "", true
	}
	if line[3] == ' ' {
		return string(line[4:]), true
	}
	return "", false
}

// trimEOL removes a line's LF and a CR before it.
func trimEOL(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}

// ParseReply parses the reply at the start of b and returns it with the number of
// bytes it took. Lines end in CRLF (a bare LF is accepted). When b holds only part
// of a reply the error is ErrIncomplete; when the first line is no reply the error
// is ErrBadReply and n is that line's length (0 if its end is not in b yet), so a
// reader can skip it. A line over MaxLine bytes, the first or any after it, is
// ErrLineTooLong, as ReplyReader reads it: n is the bytes up to that line's end
// (0 if its end is not in b yet), so a reader can skip them. A reply over
// MaxReply bytes is ErrLineTooLong too, with n 0.
func ParseReply(b []byte) (r Reply, n int, err error) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if len(b) >= MaxLine {
			return Reply{}, 0, ErrLineTooLong
		}
		return Reply{}, 0, ErrIncomplete
	}
	if i+1 > MaxLine {
		return Reply{}, i + 1, ErrLineTooLong
	}
	code, more, text, err := parseFirst(trimEOL(b[:i+1]))
	if err != nil {
		return Reply{}, i + 1, err
	}
	r = Reply{Code: code, Lines: []string{text}}
	n = i + 1
	for more {
		j := bytes.IndexByte(b[n:], '\n')
		if j < 0 {
			if len(b) >= MaxReply || len(b)-n >= MaxLine {
				return Reply{}, 0, ErrLineTooLong
			}
			return Reply{}, 0, ErrIncomplete
		}
		if j+1 > MaxLine {
			return Reply{}, n + j + 1, ErrLineTooLong
		}
		line := trimEOL(b[n : n+j+1])
		n += j + 1
		if n > MaxReply {
			return Reply{}, 0, ErrLineTooLong
		}
		if last, ok := isLast(line, code); ok {
			r.Lines = append(r.Lines, last)
			break
		}
		r.Lines = append(r.Lines, string(line))
	}
	return r, n, nil
}

// ReplyReader reads replies from a control connection, one at a time. It buffers
// what it reads, so the connection should be read only through it. It is not safe
// for concurrent use.
type ReplyReader struct {
	br *bufio.Reader
}

// NewReplyReader returns a reader of the replies in r.
func NewReplyReader(r io.Reader) *ReplyReader {
	return &ReplyReader{br: bufio.NewReaderSize(r, MaxLine)}
}

// readLine reads one line, bounded by MaxLine.
func (rr *ReplyReader) readLine() ([]byte, error) {
	line, err := rr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, ErrLineTooLong
	}
	if err == io.EOF && len(line) > 0 {
		err = io.ErrUnexpectedEOF
	}
	return trimEOL(line), err
}

// ReadReply reads the next whole reply, multi-line replies included. A malformed
// first line is ErrBadReply; a connection closed inside a reply is
// io.ErrUnexpectedEOF.
func (rr *ReplyReader) ReadReply() (Reply, error) {
	line, err := rr.readLine()
	if err != nil {
		return Reply{}, err
	}
	code, more, text, err := parseFirst(line)
	if err != nil {
		return Reply{}, fmt.Errorf("%w: %q", ErrBadReply, line)
	}
	r := Reply{Code: code, Lines: []string{text}}
	size := len(line)
	for more {
		line, err := rr.readLine()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return Reply{}, err
		}
		if size += len(line) + 2; size > MaxReply {
			return Reply{}, ErrLineTooLong
		}
		if last, ok := isLast(line, code); ok {
			r.Lines = append(r.Lines, last)
			break
		}
		r.Lines = append(r.Lines, string(line))
	}
	return r, nil
}
