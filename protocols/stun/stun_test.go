package stun_test

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	pstun "github.com/pion/stun/v4"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
	"github.com/protocollab/protolab/protocols/stun"
)

var tx = [12]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}

// build makes a STUN message with pion's own encoder.
func build(t testing.TB, setters ...pstun.Setter) []byte {
	t.Helper()
	m, err := pstun.Build(append([]pstun.Setter{pstun.NewTransactionIDSetter(tx)}, setters...)...)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), m.Raw...)
}

func check(t testing.TB) []byte {
	return build(t, pstun.BindingRequest, pstun.NewUsername("remote:local"), ice.PriorityAttr(1853824767),
		ice.AttrControlling(0x1122334455667788), ice.UseCandidate(), pstun.NewShortTermIntegrity("secret"), pstun.Fingerprint)
}

func field(m lab.Message, name string) string { return analyzertest.Field(m, name) }

func frame(t testing.TB, b []byte) lab.Message {
	t.Helper()
	m, _ := stun.Frame(lab.ClientToServer, b)
	analyzertest.CheckSpans(t, []lab.Message{m})
	return m
}

func TestCheck(t *testing.T) {
	m := frame(t, check(t))
	if m.Summary != "Binding request (user remote:local, USE-CANDIDATE)" {
		t.Errorf("summary %q", m.Summary)
	}
	for name, want := range map[string]string{
		"USERNAME":           `the receiver's ICE fragment "remote", then the sender's "local"`,
		"PRIORITY":           "1853824767",
		"ICE-CONTROLLING":    "controlling agent, tie-breaker 0x1122334455667788",
		"USE-CANDIDATE":      "nominates",
		"MESSAGE-INTEGRITY":  "HMAC ",
		"FINGERPRINT":        "matches the CRC-32",
		"transaction ID":     "0102030405060708090a0b0c",
		"magic cookie":       "0x2112a442",
		"FINGERPRINT length": "4",
	} {
		if got := field(m, name); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to say %q", name, got, want)
		}
	}
	if m.Role != lab.RoleRequest || m.Pair != "0102030405060708090a0b0c" {
		t.Errorf("role %v pair %q", m.Role, m.Pair)
	}
	// The fingerprint's span is its own 8 bytes at the end.
	if s, ok := analyzertest.Span(m, "FINGERPRINT"); !ok || len(s) != 8 || !bytes.HasSuffix(m.Raw, []byte(s)) {
		t.Errorf("FINGERPRINT spans %x", s)
	}
}

func TestResponses(t *testing.T) {
	for _, c := range []struct {
		b       []byte
		summary string
		field   string
		value   string
	}{
		{build(t, pstun.BindingSuccess, &pstun.XORMappedAddress{IP: net.IPv4(192, 0, 2, 1), Port: 32853}, pstun.Fingerprint),
			"Binding success response (192.0.2.1:32853)", "XOR-MAPPED-ADDRESS", "192.0.2.1:32853 (XORed with the magic cookie,"},
		{build(t, pstun.BindingSuccess, &pstun.XORMappedAddress{IP: net.ParseIP("2001:db8::1"), Port: 9}),
			"Binding success response ([2001:db8::1]:9)", "XOR-MAPPED-ADDRESS", "and transaction ID"},
		{build(t, pstun.BindingSuccess, &pstun.MappedAddress{IP: net.IPv4(10, 0, 0, 1), Port: 5000}),
			"Binding success response (10.0.0.1:5000)", "MAPPED-ADDRESS", "10.0.0.1:5000"},
		{build(t, pstun.BindingError, pstun.ErrorCodeAttribute{Code: 487, Reason: []byte("Role Conflict")}, pstun.NewSoftware("lab")),
			"Binding error response (487 Role Conflict)", "ERROR-CODE", "must switch"},
		{build(t, pstun.NewType(pstun.MethodBinding, pstun.ClassIndication), pstun.Fingerprint),
			"Binding indication", "FINGERPRINT", "matches"},
		{build(t, pstun.BindingRequest, pstun.RawAttribute{Type: 0x7777, Value: []byte{1}}, pstun.RawAttribute{Type: 0xC001, Value: []byte{2, 3}}),
			"Binding request", "attribute 0x7777", "comprehension-required"},
		{build(t, pstun.BindingError, pstun.ErrorCodeAttribute{Code: 420, Reason: []byte("Unknown Attribute")}, pstun.UnknownAttributes{0x7777}),
			"Binding error response (420 Unknown Attribute)", "UNKNOWN-ATTRIBUTES", "attribute 0x7777"},
	} {
		m := frame(t, c.b)
		if m.Summary != c.summary {
			t.Errorf("summary %q, want %q", m.Summary, c.summary)
		}
		if got := field(m, c.field); !strings.Contains(got, c.value) {
			t.Errorf("%s: %s = %q, want it to say %q", c.summary, c.field, got, c.value)
		}
		if m.Role == lab.RoleAnswer && m.Pair != "0102030405060708090a0b0c" {
			t.Errorf("%s: pair %q", c.summary, m.Pair)
		}
	}
}

func TestMalformed(t *testing.T) {
	good := check(t)
	badCookie := append([]byte(nil), good...)
	badCookie[4] = 0
	badLen := append([]byte(nil), good...)
	badLen[3]++
	truncated := append([]byte(nil), good[:len(good)-4]...)
	truncated[3] -= 4 // the header agrees, the FINGERPRINT attribute is cut
	badFP := append([]byte(nil), good...)
	badFP[len(badFP)-1] ^= 1
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{good[:19], "malformed STUN message: 19 bytes are too few"},
		{badCookie, "malformed STUN message: the magic cookie is 0x0012a442"},
		{badLen, "malformed STUN message: the length"},
		{truncated, "malformed Binding request: FINGERPRINT at offset"},
		{badFP, "bad FINGERPRINT"},
		{[]byte{0xc0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "the first two bits are not zero"},
	} {
		m := frame(t, c.b)
		if !strings.Contains(m.Summary, c.want) {
			t.Errorf("summary %q, want it to say %q", m.Summary, c.want)
		}
		if m.Meaning == "" {
			t.Errorf("%q has no meaning", m.Summary)
		}
	}
}

func TestStates(t *testing.T) {
	a := stun.NewAnalyzer()
	plain := build(t, pstun.BindingRequest)
	nominate := check(t)
	ok := build(t, pstun.BindingSuccess, &pstun.XORMappedAddress{IP: net.IPv4(127, 0, 0, 1), Port: 1})
	var states []string
	for _, d := range []struct {
		dir lab.Dir
		b   []byte
	}{{lab.ClientToServer, plain}, {lab.ServerToClient, ok}, {lab.ClientToServer, nominate}, {lab.ServerToClient, ok}} {
		for _, m := range a.Feed(d.dir, d.b, time.Time{}) {
			if m.NextState != "" {
				states = append(states, m.NextState)
			}
		}
	}
	if got := strings.Join(states, " "); got != "checking connected completed" {
		t.Errorf("states %q", got)
	}
}

func FuzzSTUN(f *testing.F) {
	f.Add(check(f))
	f.Add(build(f, pstun.BindingSuccess, &pstun.XORMappedAddress{IP: net.IPv4(192, 0, 2, 1), Port: 1}, pstun.Fingerprint))
	f.Add(build(f, pstun.BindingError, pstun.ErrorCodeAttribute{Code: 401, Reason: []byte("Unauthorized")}))
	var keys lab.KeyLog
	keys.Write([]byte(stun.KeyLogLine("remote", "secret")))
	f.Fuzz(func(t *testing.T, b []byte) {
		a := stun.NewAnalyzer()
		a.UseKeys(&keys)
		state := stun.StateNew // where Feed starts
		for _, dir := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
			msgs := a.Feed(dir, b, time.Time{})
			if len(msgs) != 1 || msgs[0].Summary == "" {
				t.Fatalf("%d messages for a datagram", len(msgs))
			}
			analyzertest.CheckSpans(t, msgs)
			if s := a.State(); s != state {
				if !containsMove(stun.Transitions, state, s) {
					t.Fatalf("move %q → %q", state, s)
				}
				state = s
			}
		}
	})
}

func containsMove(ts [][2]string, from, to string) bool {
	for _, m := range ts {
		if m == [2]string{from, to} {
			return true
		}
	}
	return false
}

func TestClosed(t *testing.T) {
	ok := build(t, pstun.BindingSuccess, &pstun.XORMappedAddress{IP: net.IPv4(127, 0, 0, 1), Port: 1})
	for _, c := range []struct {
		feed [][]byte
		want string
	}{
		{[][]byte{build(t, pstun.BindingRequest)}, "failed"},
		{[][]byte{build(t, pstun.BindingRequest), ok}, "closed"},
	} {
		a := stun.NewAnalyzer()
		for _, b := range c.feed {
			a.Feed(lab.ClientToServer, b, time.Time{})
		}
		msgs := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowClosed})
		if len(msgs) != 1 || msgs[0].NextState != c.want || a.State() != c.want {
			t.Errorf("closed after %d datagrams: %+v, state %q, want %q", len(c.feed), msgs, a.State(), c.want)
		}
		if again := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowClosed}); again != nil {
			t.Errorf("closed twice: %+v", again)
		}
	}
}

// TestIntegrity: with the ICE password in the key log, a check's and its
// answer's MESSAGE-INTEGRITY are checked; with a wrong one, the check is bad.
func TestIntegrity(t *testing.T) {
	answer := build(t, pstun.BindingSuccess, &pstun.XORMappedAddress{IP: net.IPv4(127, 0, 0, 1), Port: 1},
		pstun.NewShortTermIntegrity("secret"), pstun.Fingerprint)
	for _, c := range []struct {
		pwd, summary, field string
	}{
		{"secret", "Binding request (user remote:local, USE-CANDIDATE)", `checks out with the ICE password of "remote"`},
		{"wrong", "Binding request (user remote:local, USE-CANDIDATE) — bad MESSAGE-INTEGRITY", "does not match"},
	} {
		var keys lab.KeyLog
		keys.Write([]byte(stun.KeyLogLine("remote", c.pwd)))
		a := stun.NewAnalyzer()
		a.UseKeys(&keys)
		msgs := append(a.Feed(lab.ClientToServer, check(t), time.Time{}), a.Feed(lab.ServerToClient, answer, time.Time{})...)
		analyzertest.CheckSpans(t, msgs)
		if msgs[0].Summary != c.summary || !strings.Contains(field(msgs[0], "MESSAGE-INTEGRITY"), c.field) {
			t.Errorf("password %q: %q, %q", c.pwd, msgs[0].Summary, field(msgs[0], "MESSAGE-INTEGRITY"))
		}
		if !strings.Contains(field(msgs[1], "MESSAGE-INTEGRITY"), c.field) {
			t.Errorf("password %q: the answer's %q", c.pwd, field(msgs[1], "MESSAGE-INTEGRITY"))
		}
	}
}
