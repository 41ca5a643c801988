package lab

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends r as one line of JSON, newline included: byte for byte
// what a json.Encoder with SetEscapeHTML(false) writes for it, the form
// `protolab serve --json` prints, without reflection or an allocation of its
// own, as the log keeps pace with busy servers. A time encoding/json refuses
// (a year past 9999) is left to encoding/json, which says why.
func (r *Record) AppendJSON(dst []byte) ([]byte, error) {
	if !r.Time.IsZero() && !jsonTime(r.Time) {
		var b bytes.Buffer // which refuses it
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			return dst, err
		}
		return append(dst, b.Bytes()...), nil
	}
	dst = append(dst, `{"event":`...)
	dst = appendJSONString(dst, r.Event)
	dst = appendStringField(dst, `,"protocol":`, r.Protocol)
	dst = appendStringField(dst, `,"addr":`, r.Addr)
	dst = appendStringField(dst, `,"needed_by":`, r.NeededBy)
	if r.Seq != 0 {
		dst = strconv.AppendUint(append(dst, `,"seq":`...), r.Seq, 10)
	}
	if !r.Time.IsZero() {
		dst = append(dst, `,"time":"`...)
		dst = append(r.Time.AppendFormat(dst, time.RFC3339Nano), '"')
	}
	if r.Conv != 0 {
		dst = strconv.AppendUint(append(dst, `,"conv":`...), uint64(r.Conv), 10)
	}
	dst = appendStringField(dst, `,"client":`, r.Client)
	dst = appendStringField(dst, `,"server":`, r.Server)
	dst = appendStringField(dst, `,"side":`, r.Side)
	dst = appendStringField(dst, `,"dir":`, r.Dir)
	dst = appendStringField(dst, `,"layer":`, r.Layer)
	if r.Len != 0 {
		dst = strconv.AppendInt(append(dst, `,"len":`...), int64(r.Len), 10)
	}
	if len(r.Data) > 0 {
		dst = append(dst, `,"data":"`...)
		dst = append(base64.StdEncoding.AppendEncode(dst, r.Data), '"')
	}
	dst = appendStringField(dst, `,"summary":`, r.Summary)
	dst = appendStringField(dst, `,"meaning":`, r.Meaning)
	dst = appendStringField(dst, `,"ref":`, r.Ref)
	if len(r.Fields) > 0 {
		dst = append(dst, `,"fields":[`...)
		for i, f := range r.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(append(dst, `{"Name":`...), f.Name)
			dst = appendJSONString(append(dst, `,"Value":`...), f.Value)
			dst = strconv.AppendInt(append(dst, `,"Off":`...), int64(f.Off), 10)
			dst = append(strconv.AppendInt(append(dst, `,"Len":`...), int64(f.Len), 10), '}')
		}
		dst = append(dst, ']')
	}
	if r.Handshake {
		dst = append(dst, `,"handshake":true`...)
	}
	if r.Teardown {
		dst = append(dst, `,"teardown":true`...)
	}
	dst = appendStringField(dst, `,"from":`, r.From)
	dst = appendStringField(dst, `,"to":`, r.To)
	dst = appendStringField(dst, `,"text":`, r.Text)
	dst = appendStringField(dst, `,"error":`, r.Error)
	if r.Missed != 0 {
		dst = strconv.AppendUint(append(dst, `,"missed":`...), r.Missed, 10)
	}
	return append(dst, "}\n"...), nil
}

// jsonTime reports whether t is a time encoding/json writes (time.Time's
// MarshalJSON: RFC 3339, so a four-digit year and an offset under a day).
func jsonTime(t time.Time) bool {
	if y := t.Year(); y < 0 || y > 9999 {
		return false
	}
	_, off := t.Zone()
	return off > -24*3600 && off < 24*3600
}

// appendStringField appends name and s as JSON when s is not empty (omitempty).
func appendStringField(dst []byte, name, s string) []byte {
	if s == "" {
		return dst
	}
	return appendJSONString(append(dst, name...), s)
}

// jsonPlain marks the bytes a JSON string holds as they are: printable
// ASCII but for " and \ (0x7f too, as encoding/json leaves it).
var jsonPlain = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// appendJSONString appends s quoted as encoding/json quotes a string without
// HTML escaping: ", \ and control characters escaped, invalid UTF-8 as
// U+FFFD, and U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if jsonPlain[b] {
			i++
			continue
		}
		if b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', lowerHex[b>>4], lowerHex[b&0xf])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(append(dst, s[start:i]...), `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(append(dst, s[start:i]...), '\\', 'u', '2', '0', '2', lowerHex[c&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(dst, s[start:]...), '"')
}
