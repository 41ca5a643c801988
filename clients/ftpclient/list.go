package ftpclient

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// Entry is one file or folder of a listing.
type Entry struct {
	Name  string
	Size  int64     // bytes; 0 for folders on most servers
	Time  time.Time // last modified; zero when unknown. LIST's times are the server's local time, read as UTC
	IsDir bool
	// Target is where a symbolic link points (LIST's "name -> target"), else "".
	Target string
	// Raw is the listing's line as the server sent it.
	Raw string
}

// maxLine bounds one line of a listing that is parsed; longer lines are skipped.
const maxLine = 4096

func lines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte{'\n'})
		b = rest
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 || len(line) > maxLine || bytes.ContainsAny(line, "\r\x00") {
			continue // a name with a CR or NUL could not be sent back in a command
		}
		out = append(out, string(line))
	}
	return out
}

// parseMLSD reads MLSD's lines (RFC 3659 §7.2): "fact=value;fact=value; name".
// The folder itself and its parent (type=cdir, pdir) are left out.
func parseMLSD(b []byte) []Entry {
	var out []Entry
	for _, l := range lines(b) {
		if e, ok := parseMLSxLine(l); ok {
			out = append(out, e)
		}
	}
	return out
}

func parseMLSxLine(l string) (Entry, bool) {
	facts, name, ok := strings.Cut(l, " ")
	if !ok || name == "" {
		return Entry{}, false
	}
	e := Entry{Name: name, Raw: l}
	for f := range strings.SplitSeq(facts, ";") {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		switch strings.ToLower(k) {
		case "type":
			switch strings.ToLower(v) {
			case "cdir", "pdir":
				return Entry{}, false
			case "dir":
				e.IsDir = true
			}
		case "size":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
				e.Size = n
			}
		case "modify":
			e.Time = parseMLSxTime(v)
		}
	}
	return e, true
}

// parseMLSxTime reads YYYYMMDDHHMMSS[.sss], always UTC (RFC 3659 §2.3).
func parseMLSxTime(v string) time.Time {
	if len(v) < 14 {
		return time.Time{}
	}
	t, err := time.Parse("20060102150405", v[:14])
	if err != nil {
		return time.Time{}
	}
	if len(v) > 15 && v[14] == '.' {
		if frac, err := strconv.ParseFloat("0"+v[14:], 64); err == nil && frac < 1 {
			t = t.Add(time.Duration(frac * float64(time.Second)))
		}
	}
	return t
}

// parseLIST reads LIST's lines: Unix "ls -l" lines, and the DOS lines of some
// Windows servers. Lines of other forms ("total 8") are left out. now decides the
// year of recent files, which "ls -l" shows with a time of day instead.
func parseLIST(b []byte, now time.Time) []Entry {
	var out []Entry
	for _, l := range lines(b) {
		if e, ok := parseUnixLine(l, now); ok {
			out = append(out, e)
		} else if e, ok := parseDOSLine(l); ok {
			out = append(out, e)
		}
	}
	return out
}

var months = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

// field is a word of a line and where it starts.
type field struct {
	s   string
	off int
}

func fields(l string) []field {
	var out []field
	for i := 0; i < len(l); {
		for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
			i++
		}
		j := i
		for j < len(l) && l[j] != ' ' && l[j] != '\t' {
			j++
		}
		if j > i {
			out = append(out, field{l[i:j], i})
		}
		i = j
	}
	return out
}

// parseUnixLine reads "drwxr-xr-x 2 owner group 4096 Nov 23 17:10 name": a mode
// of ten characters, then, wherever the owner and group columns end, a size, a
// month, a day, a time or year, and the name (which may hold spaces).
func parseUnixLine(l string, now time.Time) (Entry, bool) {
	f := fields(l)
	if len(f) < 6 || len(f[0].s) < 10 || !strings.ContainsRune("-dlcbps", rune(f[0].s[0])) {
		return Entry{}, false
	}
	for m := 2; m+3 < len(f); m++ {
		mon, ok := months[strings.ToLower(f[m].s)]
		if !ok {
			continue
		}
		size, err := strconv.ParseInt(f[m-1].s, 10, 64)
		if err != nil || size < 0 {
			continue
		}
		day, err := strconv.Atoi(f[m+1].s)
		if err != nil || day < 1 || day > 31 {
			continue
		}
		t, ok := unixTime(mon, day, f[m+2].s, now)
		if !ok {
			continue
		}
		name := l[f[m+3].off:]
		e := Entry{Name: name, Size: size, Time: t, IsDir: f[0].s[0] == 'd', Raw: l}
		if f[0].s[0] == 'l' {
			if n, target, ok := strings.Cut(name, " -> "); ok {
				e.Name, e.Target = n, target
			}
		}
		if e.Name == "." || e.Name == ".." {
			return Entry{}, false
		}
		return e, true
	}
	return Entry{}, false
}

// unixTime reads "17:10" (within the last half year: this year, or last year if
// that would be in the future) or "2023".
func unixTime(mon time.Month, day int, s string, now time.Time) (time.Time, bool) {
	if h, m, ok := strings.Cut(s, ":"); ok {
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
			return time.Time{}, false
		}
		t := time.Date(now.Year(), mon, day, hh, mm, 0, 0, time.UTC)
		if t.After(now.AddDate(0, 0, 2)) {
			t = t.AddDate(-1, 0, 0)
		}
		return t, true
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1900 || y > 9999 {
		return time.Time{}, false
	}
	return time.Date(y, mon, day, 0, 0, 0, 0, time.UTC), true
}

// parseDOSLine reads "11-23-25  05:10PM  <DIR>  name" or "... 1234 name".
func parseDOSLine(l string) (Entry, bool) {
	f := fields(l)
	if len(f) < 4 {
		return Entry{}, false
	}
	t, err := time.Parse("01-02-06 03:04PM", f[0].s+" "+strings.ToUpper(f[1].s))
	if err != nil {
		return Entry{}, false
	}
	e := Entry{Name: l[f[3].off:], Time: t, Raw: l}
	if f[2].s == "<DIR>" {
		e.IsDir = true
	} else if n, err := strconv.ParseInt(f[2].s, 10, 64); err == nil && n >= 0 {
		e.Size = n
	} else {
		return Entry{}, false
	}
	return e, true
}
