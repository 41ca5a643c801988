package labfile

import (
	"bytes"
	"testing"
)

// TestViewSaved writes a session with a display filter and one without: the
// filter reads back as written, and a session without one has no "view" in its
// header (a file as older versions wrote it).
func TestViewSaved(t *testing.T) {
	for _, filter := range []string{`smtp and code >= 400`, `tls.sni == "www.lab.test"`, ""} {
		s := synthetic(20)
		s.View.Filter = filter
		var buf bytes.Buffer
		if err := Write(&buf, s); err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(buf.Bytes(), []byte(`"view":`)); got != (filter != "") {
			t.Errorf("filter %q: the header has a view: %v", filter, got)
		}
		got, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if got.View.Filter != filter {
			t.Errorf("View.Filter read back = %q, want %q", got.View.Filter, filter)
		}
	}
}
