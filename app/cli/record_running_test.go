package cli

import (
	"strings"
	"testing"

	"github.com/protocollab/protolab/labfile"
)

// TestServeRecordKeepsRunning checks that a session recorded by serve saves the
// servers it ran as running, with where they listened, and the others as
// stopped: reopened, the lab starts what was serving.
func TestServeRecordKeepsRunning(t *testing.T) {
	file, lines := recordSession(t)
	s, err := labfile.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	http, ok := s.Bench.Servers["http"]
	if !ok || !http.Running {
		t.Fatalf("the HTTP server serve ran is saved as %+v, want running", http)
	}
	if http.Addr == "" || !strings.Contains(lines[0], http.Addr) {
		t.Errorf("saved address %q, but serve said %q", http.Addr, lines[0])
	}
	for name, ss := range s.Bench.Servers {
		if name != "http" && ss.Running {
			t.Errorf("%s is saved as running; serve --only http never started it", name)
		}
	}
}
