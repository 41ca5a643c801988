package framing

import "testing"

func TestJoined(t *testing.T) {
	read := []byte("MSG a 1 1\r\nx\r\nMSG a 1 1\r\ny\r\nPING\r\n")
	a, b, c := read[:14:14], read[14:28:28], read[28:]
	if !Follows(a, b) || !Follows(b, c) || Follows(a, c) || Follows(b, a) {
		t.Error("Follows is wrong about frames cut one after another")
	}
	if other := []byte("MSG a 1 1\r\ny\r\n"); Follows(a, other) {
		t.Error("a copy of the next frame follows the first")
	}
	if got := string(Joined(a, b)); got != string(read[:28]) {
		t.Errorf("Joined = %q", got)
	}
	if got := string(Joined(a, a)); got != string(a) {
		t.Errorf("Joined of one frame = %q", got)
	}
}
