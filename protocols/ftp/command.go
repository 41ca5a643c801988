package ftp

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// MaxLine bounds a command or reply line, CRLF included. RFC 959 sets no limit;
// real commands are far shorter, and a longer line is refused rather than buffered.
const MaxLine = 4096

// Errors of the parsers.
var (
	ErrEmpty       = errors.New("ftp: empty line")
	ErrLineTooLong = fmt.Errorf("ftp: line longer than %d bytes", MaxLine)
	ErrBadVerb     = errors.New("ftp: a command begins with a verb of 1 to 8 ASCII letters")
	ErrBadArg      = errors.New("ftp: a command's argument holds a control character")
	ErrBadReply    = errors.New("ftp: a reply begins with a three-digit code from 100 to 599")
	ErrIncomplete  = errors.New("ftp: incomplete reply")
)

// Command is one command line from client to server (RFC 959 §4.1, §5.3.1).
type Command struct {
	Verb string // upper-cased: "RETR"
	Arg  string // everything after the first space, as sent (may be empty or hold spaces)
}

// String is the command as a line without its CRLF, PASS's argument masked.
func (c Command) String() string {
	if c.Arg == "" {
		return c.Verb
	}
	if c.Verb == "PASS" {
		return "PASS ****"
	}
	return c.Verb + " " + c.Arg
}

// ParseCommand parses one command line. A trailing CRLF or LF is optional; Telnet
// IAC sequences before the verb (the IP and DM a client sends before ABOR, RFC 959
// §4.1.3) are skipped. The verb is 1 to 8 ASCII letters, case-insensitive; a single
// space separates it from the argument, which may not hold control characters (a
// bare CR or LF would let one line smuggle a second command).
func ParseCommand(line []byte) (Command, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line)+2 > MaxLine {
		// MaxLine counts the CRLF, whether this line came with it or not.
		return Command{}, ErrLineTooLong
	}
	line = skipTelnet(line)
	if len(line) == 0 {
		return Command{}, ErrEmpty
	}
	verb, arg, _ := bytes.Cut(line, []byte(" "))
	if len(verb) == 0 || len(verb) > 8 {
		return Command{}, ErrBadVerb
	}
	for _, c := range verb {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return Command{}, ErrBadVerb
		}
	}
	for _, c := range arg {
		if c < 0x20 || c == 0x7f {
			return Command{}, ErrBadArg
		}
	}
	return Command{Verb: strings.ToUpper(string(verb)), Arg: string(arg)}, nil
}

// skipTelnet drops Telnet commands (IAC x) and a stray Data Mark before the verb.
func skipTelnet(b []byte) []byte {
	for len(b) > 0 {
		switch {
		case b[0] == 0xff && len(b) >= 2:
			b = b[2:]
		case b[0] == 0xff || b[0] == 0xf2:
			b = b[1:]
		default:
			return b
		}
	}
	return b
}
