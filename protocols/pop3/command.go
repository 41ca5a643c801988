package pop3

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// MaxCommandLine bounds a command line, CRLF included (RFC 2449 §4).
const MaxCommandLine = 255

// MaxKeyword bounds a command's keyword. RFC 1939 keywords are three or four
// characters; extensions register longer ones, and RFC 2449 §4 bounds them at 40.
const MaxKeyword = 40

// Errors of the parsers.
var (
	ErrEmpty       = errors.New("pop3: empty line")
	ErrLineTooLong = fmt.Errorf("pop3: a command line is longer than %d bytes, CRLF included (RFC 2449 §4)", MaxCommandLine)
	ErrBadKeyword  = fmt.Errorf("pop3: a command begins with a keyword of 1 to %d ASCII letters or digits", MaxKeyword)
	ErrBadArg      = errors.New("pop3: a command's arguments hold a control character")
	ErrBadResponse = errors.New("pop3: a response begins with +OK or -ERR")
)

// Command is one command line from client to server (RFC 1939 §3).
type Command struct {
	Keyword string   // upper-cased: "RETR"
	Args    []string // the arguments, split at single spaces
	// Arg is everything after the keyword's space, as sent: PASS takes it whole,
	// spaces included (RFC 1939 §7).
	Arg string
}

// String is the command as a line without its CRLF, with PASS's argument and the
// credentials of AUTH masked.
func (c Command) String() string {
	switch {
	case c.Arg == "":
		return c.Keyword
	case c.Keyword == "PASS":
		return "PASS ****"
	case c.Keyword == "AUTH" && len(c.Args) > 1:
		return "AUTH " + c.Args[0] + " ****"
	}
	return c.Keyword + " " + c.Arg
}

// ParseCommand parses one command line of at most MaxCommandLine bytes; a
// trailing CRLF or LF is optional. The keyword is 1 to MaxKeyword ASCII letters
// or digits, case-insensitive; a single space separates it and each argument.
// Arguments may not hold control characters: a bare CR or LF would let one line
// smuggle a second command.
func ParseCommand(line []byte) (Command, error) {
	if len(line) > MaxCommandLine {
		return Command{}, ErrLineTooLong
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return Command{}, ErrEmpty
	}
	kw, arg, hasArg := bytes.Cut(line, []byte(" "))
	if len(kw) == 0 || len(kw) > MaxKeyword {
		return Command{}, ErrBadKeyword
	}
	for _, c := range kw {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return Command{}, ErrBadKeyword
		}
	}
	for _, c := range arg {
		if c < 0x20 || c == 0x7f {
			return Command{}, ErrBadArg
		}
	}
	cmd := Command{Keyword: strings.ToUpper(string(kw))}
	if hasArg && len(arg) > 0 {
		cmd.Arg = string(arg)
		cmd.Args = strings.Split(cmd.Arg, " ")
	}
	return cmd, nil
}
