// Package payload shows the application data a message carries — an MQTT
// PUBLISH's or a NATS PUB's payload — as a person reads it: as quoted text
// when it is text, in hex when it is not.
package payload

import (
	"strconv"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// Show is a field's view of b: up to 200 bytes quoted when b is text (Text),
// otherwise up to 64 bytes in hex followed by "(hex)"; "(empty)" for none.
func Show(b []byte) string {
	switch {
	case len(b) == 0:
		return "(empty)"
	case Text(b):
		return lab.Preview(b, 200)
	}
	return lab.HexPreview(b, 64) + " (hex)"
}

// BriefMax is how many bytes of a text payload Brief shows.
const BriefMax = 40

// Brief is a summary's view of b: up to BriefMax bytes quoted when b is text,
// otherwise its size.
func Brief(b []byte) string {
	return string(AppendBrief(make([]byte, 0, min(len(b), BriefMax)+8), b))
}

// AppendBrief appends Brief(b) to dst, for a summary built in one allocation.
func AppendBrief(dst, b []byte) []byte {
	switch {
	case len(b) == 0:
		return append(dst, "(empty)"...)
	case Text(b):
		return lab.AppendPreview(dst, b, BriefMax)
	case len(b) == 1:
		return append(dst, "1 byte"...)
	}
	return append(strconv.AppendInt(dst, int64(len(b)), 10), " bytes"...)
}

// Text reports whether b is UTF-8 without control characters other than tab
// and line ends.
func Text(b []byte) bool {
	i := 0
	for i < len(b) && b[i] >= 0x20 && b[i] < 0x7f { // printable ASCII, the usual case
		i++
	}
	b = b[i:]
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 || r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return false
		}
		b = b[size:]
	}
	return true
}
