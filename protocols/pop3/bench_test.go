package pop3

import (
	"fmt"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkRetr measures the analyzer alone on a logged-in session's RETR of
// a short mail and its answer, as a client that fetches mail over and over
// sends them. An op is one command and its answer framed.
//
//	go test -run '^$' -bench Retr -benchmem ./protocols/pop3/
func BenchmarkRetr(b *testing.B) {
	mail := "From: Bob <bob@beta.test>\r\nTo: alice@alpha.test\r\nSubject: Note 1\r\n\r\nHello 1.\r\n..A line that begins with a dot.\r\nBye.\r\n"
	answer := []byte(fmt.Sprintf("+OK %d octets\r\n%s.\r\n", len(mail), mail))
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	for _, s := range []struct {
		dir  lab.Dir
		data string
	}{{lab.ServerToClient, "+OK POP3 ready\r\n"}, {lab.ClientToServer, "USER alice\r\n"}, {lab.ServerToClient, "+OK\r\n"},
		{lab.ClientToServer, "PASS alice\r\n"}, {lab.ServerToClient, "+OK logged in\r\n"}} {
		a.Feed(s.dir, []byte(s.data), time.Time{})
	}
	if a.State() != StateTransaction {
		b.Fatalf("state %q", a.State())
	}
	retr := []byte("RETR 1\r\n")
	b.ReportAllocs()
	b.SetBytes(int64(len(retr) + len(answer)))
	for b.Loop() {
		// Fresh slices, as a tap hands the analyzer bytes of its own.
		a.Feed(lab.ClientToServer, append([]byte(nil), retr...), time.Time{})
		if got := a.Feed(lab.ServerToClient, append([]byte(nil), answer...), time.Time{}); len(got) != 1 {
			b.Fatalf("%d messages", len(got))
		}
	}
}
