package pop3server

import (
	"testing"
	"time"
)

func TestAuthDelay(t *testing.T) {
	for _, tt := range []struct {
		base time.Duration
		n    int
		want time.Duration
	}{
		{0, 1, DefaultAuthDelay},
		{0, 2, 2 * DefaultAuthDelay},
		{0, 3, 4 * DefaultAuthDelay},
		{0, 50, MaxAuthDelay},
		{time.Second, 4, MaxAuthDelay},
		{-1, 5, 0},
	} {
		if got := authDelay(tt.base, tt.n); got != tt.want {
			t.Errorf("authDelay(%v, %d) = %v, want %v", tt.base, tt.n, got, tt.want)
		}
	}
}

func TestTop(t *testing.T) {
	raw := []byte("A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\nthree\r\n")
	for _, tt := range []struct {
		n    int
		want string
	}{
		{0, "A: 1\r\nB: 2\r\n\r\n"},
		{2, "A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\n"},
		{10, string(raw)},
	} {
		if got := string(top(raw, tt.n)); got != tt.want {
			t.Errorf("top(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := string(top([]byte("A: 1\r\n"), 3)); got != "A: 1\r\n" {
		t.Errorf("top of headers only = %q", got)
	}
}
