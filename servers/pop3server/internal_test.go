package pop3server

import "testing"

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
