// Package safepath decides whether a name a client or a person gives is one
// every platform holds as a plain file name, and says why not. The lab's file
// servers (the FTP and SFTP jails, the HTTP docroot) and its saved sessions ask
// it before they open, create or rename anything, so that a name Windows treats
// specially is refused on every OS the lab runs on, not only on Windows:
//
//   - a backslash, which Windows reads as a folder separator (a\..\..\x);
//   - a drive letter (C:\x, C:x, c:/x);
//   - a UNC or device path (\\host\share, \\?\C:\, \\.\COM1);
//   - a reserved device name (CON, PRN, AUX, NUL, CONIN$, CONOUT$, COM0–COM9,
//     LPT0–LPT9 and COM¹ COM² COM³ LPT¹ LPT² LPT³), in any case, with or without
//     an extension (nul.txt, Com1.tar.gz);
//   - a colon, which names an alternate data stream (file.txt::$DATA,
//     file.txt:stream);
//   - a trailing dot or space, which Windows drops, so that "secret.txt." would
//     open "secret.txt";
//   - a control character (U+0000–U+001F) or one of < > " | ? *.
//
// The rules follow Microsoft's "Naming Files, Paths, and Namespaces". Ordinary
// names pass as they are: report.v2.txt, "a b.txt", con-notes.txt, COM10,
// .hidden, names in any script.
//
// A folder may still hold a file whose name Windows could not hold, made on
// Linux or macOS. The servers list such a file as it is, so a person sees what
// the folder holds, but refuse to open, change or create it by that name: a
// listing never hides a file, and no request reaches it.
//
// Name checks one element of a path; Path checks a slash-separated path as a
// protocol carries it; Fix turns any name into one that passes, for the name a
// save dialog proposes.
package safepath

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsafe is what every refusal wraps: errors.Is(err, ErrUnsafe).
var ErrUnsafe = errors.New("a name Windows treats specially")

// Rule is the reason a name is refused.
type Rule int

// The rules, in the order they are tried: the first that applies is reported.
const (
	Empty        Rule = iota + 1 // "" is no name
	DotName                      // "." and ".." name folders, not files
	DevicePath                   // \\?\… and \\.\…
	UNCPath                      // \\host\share
	DriveLetter                  // C:\x, C:x, c:/x
	Backslash                    // a\..\x
	Slash                        // a/b as one name
	Control                      // U+0000–U+001F
	Stream                       // file.txt:stream, file.txt::$DATA
	ReservedChar                 // < > " | ? *
	TrailingDot                  // "secret.txt." and "secret.txt "
	ReservedName                 // CON, nul.txt, COM1, LPT¹
)

// String says what the rule refuses, as a clause that follows the name.
func (r Rule) String() string {
	switch r {
	case Empty:
		return "is empty"
	case DotName:
		return "names a folder relative to another, not a file"
	case DevicePath:
		return `is a Windows device path (\\?\ or \\.\)`
	case UNCPath:
		return `is a UNC path (\\host\share), which Windows reads as another computer's share`
	case DriveLetter:
		return "begins with a drive letter (C:), which Windows reads as another disk"
	case Backslash:
		return "has a backslash, which Windows reads as a folder separator"
	case Slash:
		return "has a slash, which every platform reads as a folder separator"
	case Control:
		return "has a control character"
	case Stream:
		return "has a colon, which Windows reads as an alternate data stream (file.txt:stream)"
	case ReservedChar:
		return `has a character Windows does not allow in names (< > " | ? *)`
	case TrailingDot:
		return "ends with a dot or a space, which Windows drops, so it would name another file"
	case ReservedName:
		return "is a device name Windows reserves (CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9), with or without an extension"
	}
	return fmt.Sprintf("safepath.Rule(%d)", int(r))
}

// Error is a refused name and the rule that refuses it.
type Error struct {
	Name string // the path or element refused
	Rule Rule
}

// Error reads `"CON.txt" is a device name Windows reserves (…)`.
func (e *Error) Error() string { return fmt.Sprintf("%q %s", e.Name, e.Rule) }

// Is makes every *Error match ErrUnsafe.
func (e *Error) Is(target error) bool { return target == ErrUnsafe }

// Name checks one element of a path: a file's or a folder's name. It returns
// nil or an *Error.
func Name(name string) error {
	if r := nameRule(name); r != 0 {
		return &Error{Name: name, Rule: r}
	}
	return nil
}

// Path checks a path as a protocol carries it, with "/" between the elements:
// first the forms that concern the whole path (device and UNC paths, a drive
// letter), then each element with Name. Empty, "." and ".." elements are left to
// the caller's own resolution, which keeps the path inside its root.
func Path(p string) error {
	if r := prefixRule(p); r != 0 {
		return &Error{Name: p, Rule: r}
	}
	for elem := range strings.SplitSeq(p, "/") {
		if elem == "" || elem == "." || elem == ".." {
			continue
		}
		if err := Name(elem); err != nil {
			return err
		}
	}
	return nil
}

// prefixRule is the rule a whole path breaks by how it begins, or 0.
func prefixRule(p string) Rule {
	switch {
	case strings.HasPrefix(p, `\\?\`), strings.HasPrefix(p, `\\.\`),
		strings.HasPrefix(p, `\??\`):
		return DevicePath
	case strings.HasPrefix(p, `\\`):
		return UNCPath
	case hasDrive(p):
		return DriveLetter
	}
	return 0
}

// hasDrive reports whether s begins with a drive letter and a colon.
func hasDrive(s string) bool {
	return len(s) >= 2 && s[1] == ':' && ('a' <= s[0]|0x20 && s[0]|0x20 <= 'z')
}

// nameRule is the first rule name breaks, or 0.
func nameRule(name string) Rule {
	switch name {
	case "":
		return Empty
	case ".", "..":
		return DotName
	}
	if r := prefixRule(name); r != 0 {
		return r
	}
	stream, reserved := false, false
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '\\':
			return Backslash
		case c == '/':
			return Slash
		case c < 0x20:
			return Control
		case c == ':':
			stream = true
		case strings.IndexByte(`<>"|?*`, c) >= 0:
			reserved = true
		}
	}
	switch last := name[len(name)-1]; {
	case stream:
		return Stream
	case reserved:
		return ReservedChar
	case last == '.' || last == ' ':
		return TrailingDot
	case isDevice(name):
		return ReservedName
	}
	return 0
}

// isDevice reports whether name is a reserved device name: its part before the
// first dot, less trailing spaces, is one in any case ("nul.txt", "CON .log").
func isDevice(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.TrimRight(stem, " ")
	if len(stem) < 3 {
		return false
	}
	head := strings.ToUpper(stem[:3])
	switch tail := stem[3:]; head {
	case "CON":
		return tail == "" || strings.EqualFold(tail, "IN$") || strings.EqualFold(tail, "OUT$")
	case "PRN", "AUX", "NUL":
		return tail == ""
	case "COM", "LPT":
		return len(tail) == 1 && '0' <= tail[0] && tail[0] <= '9' ||
			tail == "¹" || tail == "²" || tail == "³"
	}
	return false
}

// Fix returns name made into one that passes Name, for the name a save dialog
// proposes: each character Windows refuses becomes "_", trailing dots and spaces
// go, and a device name gains a leading "_" ("_CON.txt"). A name that passes is
// returned as it is.
func Fix(name string) string {
	if nameRule(name) == 0 {
		return name
	}
	b := []byte(name)
	for i, c := range b {
		if c < 0x20 || strings.IndexByte(`\/:<>"|?*`, c) >= 0 {
			b[i] = '_'
		}
	}
	name = strings.TrimRight(string(b), ". ")
	if name == "" {
		return "_"
	}
	if isDevice(name) {
		name = "_" + name
	}
	return name
}
