package framing

import "strconv"

// notText marks the control bytes text does not use: all but backspace, tab,
// line feed, vertical tab, form feed, carriage return and escape (terminal
// colours).
var notText = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	for _, c := range []byte{'\b', '\t', '\n', '\v', '\f', '\r', 0x1b} {
		t[c] = false
	}
	return t
}()

// Binary reports whether b holds bytes that text does not use, such as NUL:
// the raw protocols (TCP, UDP) show such bytes in hex, others as text.
func Binary(b []byte) bool {
	for _, c := range b {
		if notText[c] {
			return true
		}
	}
	return false
}

// ByteCount says how many bytes n is: "1 byte", "5 bytes".
func ByteCount(n int) string { return string(AppendByteCount(nil, n)) }

// AppendByteCount appends ByteCount(n), for a summary built in one buffer.
func AppendByteCount(b []byte, n int) []byte { return AppendCount(b, n, "byte") }

// AppendCount appends n and noun, in the plural unless n is 1: "1 column",
// "3 columns".
func AppendCount(b []byte, n int, noun string) []byte {
	b = append(append(strconv.AppendInt(b, int64(n), 10), ' '), noun...)
	if n != 1 {
		b = append(b, 's')
	}
	return b
}
