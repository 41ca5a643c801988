package smtp

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxLine bounds a command or reply line, CRLF included. RFC 5321 §4.5.3.1.4–5
// sets 512 for commands and replies; extensions (AUTH's initial response)
// make lines longer, so the lab accepts up to 4096.
const MaxLine = 4096

// MaxReply bounds a whole reply, its lines together (an EHLO reply is a few
// hundred bytes).
const MaxReply = 64 << 10

// Errors of the parsers.
var (
	ErrEmpty       = errors.New("smtp: empty line")
	ErrLineTooLong = fmt.Errorf("smtp: line longer than %d bytes", MaxLine)
	ErrBadVerb     = errors.New("smtp: a command begins with a verb of 1 to 12 ASCII letters")
	ErrBadArg      = errors.New("smtp: a command's argument holds a control character")
	ErrBadReply    = errors.New("smtp: a reply begins with a three-digit code from 200 to 599")
	ErrIncomplete  = errors.New("smtp: incomplete reply")
)

// Command is one command line from client to server (RFC 5321 §4.1).
type Command struct {
	Verb string // upper-cased: "MAIL"
	Arg  string // everything after the first space, as sent
}

// String is the command as a line without its CRLF; AUTH's initial response is
// masked.
func (c Command) String() string {
	if c.Arg == "" {
		return c.Verb
	}
	if c.Verb == "AUTH" {
		mech, resp, ok := strings.Cut(c.Arg, " ")
		if ok && resp != "" && resp != "=" {
			return "AUTH " + mech + " ****"
		}
	}
	return c.Verb + " " + c.Arg
}

// ParseCommand parses one command line; a trailing CRLF or LF is optional.
func ParseCommand(line []byte) (Command, error) {
	if len(line) > MaxLine {
		return Command{}, ErrLineTooLong
	}
	line = trimEOL(line)
	if len(bytes.TrimSpace(line)) == 0 {
		return Command{}, ErrEmpty
	}
	verb, arg, _ := bytes.Cut(line, []byte(" "))
	if len(verb) == 0 || len(verb) > 12 {
		return Command{}, ErrBadVerb
	}
	for _, c := range verb {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return Command{}, ErrBadVerb
		}
	}
	for _, c := range arg {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return Command{}, ErrBadArg
		}
	}
	return Command{Verb: strings.ToUpper(string(verb)), Arg: string(arg)}, nil
}

// Reply is one reply from server to client (RFC 5321 §4.2): a three-digit code,
// an optional enhanced status code (RFC 3463) and one or more lines of text.
type Reply struct {
	Code     int
	Enhanced string   // "2.1.0", or "" when the reply carries none
	Lines    []string // each line's text without code, separator and enhanced code
}

// Text is the reply's text, its lines joined by "\n".
func (r Reply) Text() string { return strings.Join(r.Lines, "\n") }

// String is the reply's first line, with its codes.
func (r Reply) String() string {
	s := strconv.Itoa(r.Code)
	if r.Enhanced != "" {
		s += " " + r.Enhanced
	}
	if len(r.Lines) > 0 && r.Lines[0] != "" {
		s += " " + r.Lines[0]
	}
	return s
}

// Class is the reply's first digit: 2 done, 3 go on, 4 try later, 5 refused.
func (r Reply) Class() int { return r.Code / 100 }

// ParseReply parses the reply at the start of b and returns it with the number
// of bytes it took. Lines end in CRLF (a bare LF is accepted); a multi-line
// reply has "code-" on every line but the last, "code " (RFC 5321 §4.2.1). When
// b holds only part of a reply the error is ErrIncomplete; when a line is no
// reply line the error is ErrBadReply and n is the length of the lines up to and
// including it, so a reader can skip them.
func ParseReply(b []byte) (r Reply, n int, err error) {
	for {
		i := bytes.IndexByte(b[n:], '\n')
		if i < 0 {
			if len(b)-n >= MaxLine || len(b) >= MaxReply {
				return Reply{}, 0, ErrLineTooLong
			}
			return Reply{}, 0, ErrIncomplete
		}
		line := trimEOL(b[n : n+i+1])
		n += i + 1
		if i+1 > MaxLine || n > MaxReply {
			return Reply{}, n, ErrLineTooLong
		}
		code, more, text, ok := parseLine(line)
		if !ok || (r.Code != 0 && code != r.Code) {
			return Reply{}, n, ErrBadReply
		}
		if r.Code == 0 {
			r.Code = code
			r.Enhanced, _ = splitEnhanced(text, code)
		}
		if r.Enhanced != "" {
			if e, rest := splitEnhanced(text, code); e == r.Enhanced {
				text = rest
			}
		}
		r.Lines = append(r.Lines, text)
		if !more {
			return r, n, nil
		}
	}
}

// parseLine parses one reply line: "250-text", "250 text" or "250".
func parseLine(line []byte) (code int, more bool, text string, ok bool) {
	if len(line) < 3 || !digits(line[:3]) || line[0] < '2' || line[0] > '5' {
		return 0, false, "", false
	}
	code, _ = strconv.Atoi(string(line[:3]))
	switch {
	case len(line) == 3:
		return code, false, "", true
	case line[3] == ' ':
		return code, false, string(line[4:]), true
	case line[3] == '-':
		return code, true, string(line[4:]), true
	}
	return 0, false, "", false
}

// splitEnhanced splits an enhanced status code ("5.7.1 ") off the start of a
// reply's text; the class must match the reply code's (RFC 3463 §2, RFC 2034 §4).
func splitEnhanced(text string, code int) (enh, rest string) {
	f, rest, _ := strings.Cut(text, " ")
	parts := strings.Split(f, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || parts[0][0]-'0' != byte(code/100) {
		return "", text
	}
	for i, p := range parts {
		if p == "" || len(p) > 3 || !digits([]byte(p)) || (i > 0 && len(p) > 1 && p[0] == '0') {
			return "", text
		}
	}
	return f, rest
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// trimEOL removes a line's LF and a CR before it.
func trimEOL(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}
