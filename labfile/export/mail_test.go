package export_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/labfile/export"
)

// dataEvents are a conversation's bytes: c2s and s2c as seen by the server's tap.
func dataEvents(id lab.ConvID, cs, sc string) []lab.Event {
	t0 := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	return []lab.Event{
		{Seq: 1, At: t0, Conv: id, Kind: lab.KindData, Dir: lab.ServerToClient, Side: lab.SideServer, Data: []byte(sc)},
		{Seq: 2, At: t0, Conv: id, Kind: lab.KindData, Dir: lab.ClientToServer, Side: lab.SideServer, Data: []byte(cs)},
	}
}

var mailTests = []struct {
	name     string
	proto    string
	cs, sc   string
	want     []string
	from     string
	complete bool
}{
	{"smtp DATA", "smtp",
		"EHLO me\r\nMAIL FROM:<alice@alpha.test> SIZE=40\r\nRCPT TO:<bob@beta.test>\r\nDATA\r\nSubject: hi\r\n\r\n..dot\r\nline\r\n.\r\nQUIT\r\n",
		"220 hi\r\n", []string{"Subject: hi\r\n\r\n.dot\r\nline\r\n"}, "alice@alpha.test", true},
	{"smtp BDAT", "smtp-beta",
		"EHLO me\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT 5\r\nHelloBDAT 9 LAST\r\n, world\r\nQUIT\r\n",
		"", []string{"Hello, world\r\n"}, "a@b.test", true},
	{"smtp DATA cut short", "smtp", "MAIL FROM:<a@b>\r\nDATA\r\nSubject: x\r\n\r\nbody", "", []string{"Subject: x\r\n\r\nbody"}, "a@b", false},
	{"pop3 RETR", "pop3",
		"USER bob\r\nPASS x\r\nLIST\r\nRETR 1\r\nRETR 9\r\nQUIT\r\n",
		"+OK ready\r\n+OK\r\n+OK in\r\n+OK 1 messages\r\n1 20\r\n.\r\n+OK 20 octets\r\nSubject: a\r\n\r\n..x\r\n.\r\n-ERR no such message\r\n+OK bye\r\n",
		[]string{"Subject: a\r\n\r\n.x\r\n"}, "", true},
	{"imap FETCH", "imap",
		"a1 FETCH 1 BODY[]\r\n",
		"* OK hi\r\n* 1 FETCH (UID 4 BODY[] {12}\r\nSubject: z\r\n)\r\na1 OK done\r\n* 2 FETCH (RFC822.SIZE 5)\r\n* 3 FETCH (RFC822 {5}\r\nab",
		[]string{"Subject: z\r\n", "ab"}, "", true},
}

func TestMails(t *testing.T) {
	for _, tt := range mailTests {
		t.Run(tt.name, func(t *testing.T) {
			c := lab.ConvInfo{ID: 5, Protocol: tt.proto, Transport: "tcp", Client: "127.0.0.1:1", Server: "127.0.0.1:2"}
			mails := export.Mails(wire.Registry(), []lab.ConvInfo{c}, dataEvents(5, tt.cs, tt.sc))
			if len(mails) != len(tt.want) {
				t.Fatalf("%d mails, want %d: %+v", len(mails), len(tt.want), mails)
			}
			for i, m := range mails {
				if string(m.Raw) != tt.want[i] {
					t.Errorf("mail %d = %q, want %q", i, m.Raw, tt.want[i])
				}
				if m.Conv != 5 {
					t.Errorf("mail %d conv = %d, want 5", i, m.Conv)
				}
			}
			if mails[0].From != tt.from {
				t.Errorf("From = %q, want %q", mails[0].From, tt.from)
			}
			if mails[0].Complete != tt.complete {
				t.Errorf("Complete = %v, want %v", mails[0].Complete, tt.complete)
			}
		})
	}
}

func TestEML(t *testing.T) {
	var b bytes.Buffer
	if err := export.EML(&b, []byte("Subject: a\r\n\r\nno end")); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "Subject: a\r\n\r\nno end\r\n"; got != want {
		t.Errorf("EML = %q, want %q", got, want)
	}
}

func FuzzMails(f *testing.F) {
	for _, tt := range mailTests {
		f.Add(tt.cs, tt.sc)
	}
	f.Fuzz(func(t *testing.T, cs, sc string) {
		var convs []lab.ConvInfo
		var events []lab.Event
		for i, p := range []string{"smtp", "pop3", "imap"} {
			id := lab.ConvID(i + 1)
			convs = append(convs, lab.ConvInfo{ID: id, Protocol: p, Client: "127.0.0.1:1", Server: "127.0.0.1:2"})
			events = append(events, dataEvents(id, cs, sc)...)
		}
		for _, m := range export.Mails(wire.Registry(), convs, events) {
			if len(m.Raw) > len(cs)+len(sc)+2*bytes.Count([]byte(cs+sc), []byte("\n"))+2 {
				t.Fatalf("a mail of %d bytes from %d", len(m.Raw), len(cs)+len(sc))
			}
		}
	})
}
