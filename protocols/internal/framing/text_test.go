package framing

import "testing"

// TestByteCountAndBinary: counts read as English, and only the control bytes
// text does not use make bytes binary.
func TestByteCountAndBinary(t *testing.T) {
	for n, want := range map[int]string{0: "0 bytes", 1: "1 byte", 2: "2 bytes", 1460: "1460 bytes"} {
		if got := ByteCount(n); got != want {
			t.Errorf("ByteCount(%d) = %q, want %q", n, got, want)
		}
	}
	for c := range 256 {
		want := c < 0x20 && c != '\b' && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' && c != 0x1b
		if got := Binary([]byte{'a', byte(c)}); got != want {
			t.Errorf("Binary(%q) = %v, want %v", []byte{'a', byte(c)}, got, want)
		}
	}
}
