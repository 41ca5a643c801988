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
	verb, arg, err := splitCommand(line)
	if err != nil {
		return Command{}, err
	}
	return Command{Verb: strings.ToUpper(string(verb)), Arg: string(arg)}, nil
}

// parseCommand is ParseCommand for the analyzer's hot path: a verb it knows
// is the one string commands holds, and the argument's text is kept in the
// analyzer's arena.
func (a *Analyzer) parseCommand(line []byte) (Command, error) {
	verb, arg, err := splitCommand(line)
	if err != nil {
		return Command{}, err
	}
	var up [12]byte
	for i, c := range verb {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	cmd := Command{Arg: a.arena.String(arg)}
	if c, ok := commands[string(up[:len(verb)])]; ok {
		cmd.Verb = c.verb
	} else {
		cmd.Verb = string(up[:len(verb)])
	}
	return cmd, nil
}

// splitCommand checks one command line and splits it into its verb (1 to 12
// ASCII letters) and argument.
func splitCommand(line []byte) (verb, arg []byte, err error) {
	if len(line) > MaxLine {
		return nil, nil, ErrLineTooLong
	}
	line = trimEOL(line)
	if len(bytes.TrimSpace(line)) == 0 {
		return nil, nil, ErrEmpty
	}
	verb, arg, _ = bytes.Cut(line, []byte(" "))
	if len(verb) == 0 || len(verb) > 12 {
		return nil, nil, ErrBadVerb
	}
	for _, c := range verb {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return nil, nil, ErrBadVerb
		}
	}
	for _, c := range arg {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return nil, nil, ErrBadArg
		}
	}
	return verb, arg, nil
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
	code, enh, n, err := scanReply(b, func(text []byte) { r.Lines = append(r.Lines, string(text)) })
	if err != nil {
		return Reply{}, n, err
	}
	r.Code, r.Enhanced = code, string(enh)
	return r, n, nil
}

// scanReply reads the reply at the start of b as ParseReply does, giving each
// line's text (its enhanced code cut off) to line as it goes, without keeping
// any: line's text is valid during the call.
func scanReply(b []byte, line func(text []byte)) (code int, enh []byte, n int, err error) {
	for {
		i := bytes.IndexByte(b[n:], '\n')
		if i < 0 {
			if len(b)-n >= MaxLine || len(b) >= MaxReply {
				return 0, nil, 0, ErrLineTooLong
			}
			return 0, nil, 0, ErrIncomplete
		}
		l := trimEOL(b[n : n+i+1])
		n += i + 1
		if i+1 > MaxLine || n > MaxReply {
			return 0, nil, n, ErrLineTooLong
		}
		c, more, text, ok := parseLine(l)
		if !ok || (code != 0 && c != code) {
			return 0, nil, n, ErrBadReply
		}
		if code == 0 {
			code = c
			if k := enhancedLen(text, code); k > 0 {
				enh = text[:k]
			}
		}
		if enh != nil {
			if k := enhancedLen(text, code); k > 0 && bytes.Equal(text[:k], enh) {
				text = afterSpace(text, k)
			}
		}
		line(text)
		if !more {
			return code, enh, n, nil
		}
	}
}

// afterSpace is what follows the k bytes of text and the space after them.
func afterSpace[T string | []byte](text T, k int) T {
	if k < len(text) {
		return text[k+1:]
	}
	return text[k:]
}

// parseLine parses one reply line: "250-text", "250 text" or "250".
func parseLine(line []byte) (code int, more bool, text []byte, ok bool) {
	if len(line) < 3 || !digits(line[:3]) || line[0] < '2' || line[0] > '5' {
		return 0, false, nil, false
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	switch {
	case len(line) == 3:
		return code, false, line[3:], true
	case line[3] == ' ':
		return code, false, line[4:], true
	case line[3] == '-':
		return code, true, line[4:], true
	}
	return 0, false, nil, false
}

// splitEnhanced splits an enhanced status code ("5.7.1 ") off the start of a
// reply's text; the class must match the reply code's (RFC 3463 §2, RFC 2034 §4).
func splitEnhanced(text string, code int) (enh, rest string) {
	k := enhancedLen(text, code)
	if k == 0 {
		return "", text
	}
	return text[:k], afterSpace(text, k)
}

// enhancedLen is the length of the enhanced status code text starts with,
// up to the first space: class.subject.detail, the class the reply code's, each
// part 1 to 3 digits and the last two without a leading zero; 0 if none.
func enhancedLen[T string | []byte](text T, code int) int {
	end := len(text)
	for i := 0; i < len(text); i++ {
		if text[i] == ' ' {
			end = i
			break
		}
	}
	if end < 5 || text[0]-'0' != byte(code/100) || text[1] != '.' {
		return 0
	}
	part, dots := 0, 0
	for i := 2; i <= end; i++ {
		if i < end && text[i] != '.' {
			if text[i] < '0' || text[i] > '9' {
				return 0
			}
			part++
			continue
		}
		if part == 0 || part > 3 || (part > 1 && text[i-part] == '0') {
			return 0
		}
		part = 0
		if i < end {
			dots++
		}
	}
	if dots != 1 {
		return 0
	}
	return end
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
