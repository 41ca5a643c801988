package pgsql

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// malformedTests are messages that break the protocol, each after a session
// is ready and followed by a Sync: the bad one must be named, and the Sync
// framed after it, except after a length nothing can be framed by.
var malformedTests = []struct {
	name    string
	bad     step
	summary string
	then    bool // the Sync after it is framed
}{
	{"negative length", step{c2s, "Q\xff\xff\xff\xfe"}, "malformed: Query with length -2", false},
	{"length under 4", step{c2s, "Q\x00\x00\x00\x02"}, "malformed: Query with length 2", false},
	{"length over a gigabyte", step{c2s, "d\x7f\x00\x00\x00"}, "malformed: CopyData with length 2130706432", false},
	{"server's length under 4", step{s2c, "Z\x00\x00\x00\x00"}, "malformed: ReadyForQuery with length 0", false},
	{"unknown type", step{c2s, "\x01\x00\x00\x00\x06ab"}, "malformed: unknown message type 0x01", true},
	{"unknown server type", step{s2c, "y\x00\x00\x00\x04"}, "malformed: unknown message type 'y'", true},
	{"bytes after the last field", step{c2s, "S\x00\x00\x00\x05!"}, "malformed Sync: 1 bytes after its last field", true},
	{"cut short", step{c2s, "E\x00\x00\x00\x06p\x00"}, "malformed Execute: the length ends before its maximum rows", true},
	{"unended string", step{c2s, "Q\x00\x00\x00\x07abc"}, "malformed Query: the length ends before its query", true},
	{"bad Describe target", step{c2s, "D\x00\x00\x00\x06X\x00"}, "malformed Describe: target 'X', not 'S' or 'P'", true},
	{"bad transaction status", step{s2c, "Z\x00\x00\x00\x05X"}, "malformed ReadyForQuery: transaction status 'X'", true},
	{"bad authentication code", step{s2c, "R\x00\x00\x00\x08\x00\x00\x00\x63"}, "malformed Authentication: code 99", true},
}

func TestMalformed(t *testing.T) {
	for _, tt := range malformedTests {
		for _, chunk := range []int{0, 1} {
			a := NewAnalyzer()
			a.Opened(lab.OpenInfo{})
			analyzertest.Feed(a, login(t), 0)
			msgs := analyzertest.Feed(a, []step{tt.bad, {tt.bad.Dir, "S\x00\x00\x00\x04"}}, chunk)
			want := []string{tt.summary}
			if tt.then {
				want = append(want, map[lab.Dir]string{c2s: "Sync", s2c: "ParameterStatus"}[tt.bad.Dir])
			}
			got := analyzertest.Summaries(msgs)
			if len(got) == 2 && strings.HasPrefix(got[1], "malformed ParameterStatus") {
				got[1] = "ParameterStatus" // a server's "S" is a ParameterStatus, cut short here
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s, chunks of %d: %q, want %q", tt.name, chunk, got, want)
				continue
			}
			m := msgs[0]
			if m.Meaning == "" || m.Ref == "" || m.NextState != "" || m.Dir != tt.bad.Dir {
				t.Errorf("%s: meaning %q, ref %q, next %q, dir %v", tt.name, m.Meaning, m.Ref, m.NextState, m.Dir)
			}
			if a.State() != StateIdle {
				t.Errorf("%s: state %q", tt.name, a.State())
			}
			analyzertest.CheckSpans(t, msgs)
			if !tt.then && (a.Pending(tt.bad.Dir) != 0 || a.dirs[tt.bad.Dir].ignored == 0) {
				t.Errorf("%s: %d pending, %d ignored", tt.name, a.Pending(tt.bad.Dir), a.dirs[tt.bad.Dir].ignored)
			}
		}
	}
}

// startupTests are bad first messages: each is named and leaves the session
// in startup, and a StartupMessage after it (when one can be framed) starts it.
var startupTests = []struct {
	name, first, summary string
	then                 bool
}{
	{"a Query first", "Q\x00\x00\x00\x0dSELECT 1\x00", "malformed: Query before the StartupMessage", true},
	{"protocol 2.0", "\x00\x00\x00\x12\x00\x02\x00\x00user\x00lab\x00\x00", "malformed StartupMessage: unknown protocol version 2.0", true},
	{"startup length 2", "\x00\x00\x00\x02\x00\x03\x00\x00", "malformed startup packet: length 2", false},
	{"startup of 1 MB", "\x00\x10\x00\x00\x00\x03\x00\x00", "malformed startup packet: length 1048576", false},
	{"no user", "\x00\x00\x00\x09\x00\x03\x00\x00\x00", `malformed StartupMessage user "" database "": no user`, true},
	{"unended parameters", "\x00\x00\x00\x0d\x00\x03\x00\x00user\x00", `malformed StartupMessage user "" database "": the parameters do not end with an empty name`, true},
	{"SSLRequest of 12 bytes", "\x00\x00\x00\x0c\x04\xd2\x16\x2f\x00\x00\x00\x00", "malformed SSLRequest: 12 bytes, not 8", true},
}

func TestBadStartup(t *testing.T) {
	start := enc(t, startupMsg())
	for _, tt := range startupTests {
		for _, chunk := range []int{0, 1} {
			a := NewAnalyzer()
			a.Opened(lab.OpenInfo{})
			msgs := analyzertest.Feed(a, []step{{c2s, tt.first}, {c2s, start}}, chunk)
			want := []string{tt.summary}
			if tt.then {
				want = append(want, `StartupMessage user "lab" database "lab"`)
			}
			if got := analyzertest.Summaries(msgs); !slices.Equal(got, want) {
				t.Errorf("%s, chunks of %d: %q, want %q", tt.name, chunk, got, want)
				continue
			}
			if msgs[0].Meaning == "" || msgs[0].Ref == "" {
				t.Errorf("%s: meaning %q, ref %q", tt.name, msgs[0].Meaning, msgs[0].Ref)
			}
			analyzertest.CheckSpans(t, msgs)
		}
	}
}

func TestTooBig(t *testing.T) {
	a, _ := feed(t, copyInOut(t)[:len(login(t))+2])
	big := enc(t, &pgproto3.CopyData{Data: []byte(strings.Repeat("x", MaxMessage))})
	msgs := analyzertest.Feed(a, []step{{c2s, big + enc(t, &pgproto3.CopyDone{})}}, 1<<16)
	want := []string{"CopyData of " + strconv.Itoa(len(big)) + " bytes, not held", "CopyDone"}
	if got := analyzertest.Summaries(msgs); !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
	if len(msgs[0].Raw) > keptBig || a.Pending(c2s) != 0 {
		t.Errorf("kept %d bytes, %d pending", len(msgs[0].Raw), a.Pending(c2s))
	}
}

func TestFatal(t *testing.T) {
	a, msgs := feed(t, []step{
		client(t, startupMsg()),
		server(t, &pgproto3.AuthenticationCleartextPassword{}),
		client(t, &pgproto3.PasswordMessage{Password: "wrong"}),
		server(t, &pgproto3.ErrorResponse{Severity: "FATAL", Code: "28P01", Message: `password authentication failed for user "lab"`}),
	})
	m := msgs[len(msgs)-1]
	if m.NextState != StateTerminated || !strings.Contains(m.Meaning, "invalid_password") || m.Pair != "1" {
		t.Errorf("%q: next %q, pair %q, meaning %q", m.Summary, m.NextState, m.Pair, m.Meaning)
	}
	if end := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN}); len(end) != 0 {
		t.Errorf("after FATAL: %q", analyzertest.Summaries(end))
	}
}

func TestGSSENC(t *testing.T) {
	a, msgs := feed(t, []step{client(t, &pgproto3.GSSEncRequest{}), {s2c, "G"}, {c2s, "\x00\x00\x01\x00sealed"}})
	if got := analyzertest.Summaries(msgs); !slices.Equal(got, []string{"GSSENCRequest", "'G': GSSAPI encryption accepted"}) {
		t.Errorf("%q", got)
	}
	if a.dirs[c2s].ignored != 10 {
		t.Errorf("%d bytes counted after 'G'", a.dirs[c2s].ignored)
	}
	_, msgs = feed(t, append([]step{client(t, &pgproto3.GSSEncRequest{}), {s2c, "N"}}, login(t)...))
	if got := analyzertest.Summaries(msgs); len(got) < 3 || got[1] != "'N': no GSSAPI encryption" || got[2] != loginSummaries[0] {
		t.Errorf("%q", got)
	}
}

func TestHugePasswordMasked(t *testing.T) {
	secret := strings.Repeat("p", 2*maxMasked)
	_, msgs := feed(t, []step{client(t, startupMsg()), server(t, &pgproto3.AuthenticationCleartextPassword{}),
		client(t, &pgproto3.PasswordMessage{Password: secret})})
	m := msgs[len(msgs)-1]
	if len(m.Raw) > 5 || m.Summary != "PasswordMessage (masked)" || analyzertest.Field(m, "password") != masked {
		t.Errorf("%q: %d raw bytes, password %q", m.Summary, len(m.Raw), analyzertest.Field(m, "password"))
	}
}

// TestSSLUnanswered: a connection that ends before the answer to its
// SSLRequest shows what the client sent after it.
func TestSSLUnanswered(t *testing.T) {
	a, _ := feed(t, []step{client(t, &pgproto3.SSLRequest{}), client(t, startupMsg())})
	end := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})
	want := []string{`StartupMessage user "lab" database "lab"`, "connection closed"}
	if got := analyzertest.Summaries(end); !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}
