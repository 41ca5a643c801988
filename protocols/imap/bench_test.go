package imap

import (
	"fmt"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkFetch measures the analyzer alone on a selected mailbox's UID
// FETCH of a short mail's BODY[] and its answer (the FETCH response with the
// mail as a literal, and the tagged completion), as a client that opens mail
// after mail sends them. An op is one command and its answer framed.
//
//	go test -run '^$' -bench Fetch -benchmem ./protocols/imap/
func BenchmarkFetch(b *testing.B) {
	mail := "From: Bob <bob@beta.test>\r\nTo: alice@alpha.test\r\nSubject: Note 1\r\nDate: Mon, 02 Jun 2025 10:00:00 +0000\r\n\r\nHello 1.\r\nBye.\r\n"
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	for _, s := range []struct {
		dir  lab.Dir
		data string
	}{{lab.ServerToClient, "* OK [CAPABILITY IMAP4rev1 IMAP4rev2] ready\r\n"},
		{lab.ClientToServer, "T1 LOGIN alice alice\r\n"}, {lab.ServerToClient, "T1 OK LOGIN completed\r\n"},
		{lab.ClientToServer, "T2 SELECT INBOX\r\n"}, {lab.ServerToClient, "* 1 EXISTS\r\n* FLAGS (\\Seen)\r\nT2 OK [READ-WRITE] SELECT completed\r\n"}} {
		a.Feed(s.dir, []byte(s.data), time.Time{})
	}
	if a.State() != StateSelected {
		b.Fatalf("state %q", a.State())
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		// Fresh slices, as a tap hands the analyzer bytes of its own.
		cmd := fmt.Appendf(nil, "T%d UID FETCH 1 (UID BODY[])\r\n", n)
		answer := fmt.Appendf(nil, "* 1 FETCH (UID 1 FLAGS (\\Seen) BODY[] {%d}\r\n%s)\r\nT%d OK UID FETCH completed\r\n", len(mail), mail, n)
		a.Feed(lab.ClientToServer, cmd, time.Time{})
		if got := a.Feed(lab.ServerToClient, answer, time.Time{}); len(got) != 2 {
			b.Fatalf("%d messages", len(got))
		}
	}
}
