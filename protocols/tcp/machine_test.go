package tcp

import (
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
)

var (
	clientAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}
	serverAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7000}
)

// step is one thing that happens to a connection in a state-machine test.
type step struct {
	open  lab.Side // a tap saw the connection open (the first one, or joining)
	join  bool
	close *lab.CloseInfo
}

func opened(s lab.Side) step { return step{open: s} }
func joined(s lab.Side) step { return step{open: s, join: true} }
func fin(by lab.Side, first bool) step {
	return step{close: &lab.CloseInfo{By: by, How: lab.HowFIN, First: first, Seen: by}}
}
func rst(by lab.Side) step {
	return step{close: &lab.CloseInfo{By: by, How: lab.HowRST, Seen: by}}
}

var machineTests = []struct {
	name      string
	steps     []step
	path      []string // the states the tracked endpoint entered
	summaries []string // message summaries, up to the first " ·"
}{
	{
		name:      "client view, client closes first",
		steps:     []step{opened(lab.SideClient), fin(lab.SideClient, true), fin(lab.SideServer, false)},
		path:      []string{StateSynSent, StateEstablished, StateFinWait1, StateFinWait2, StateTimeWait},
		summaries: []string{"SYN", "SYN-ACK", "ACK", "FIN", "ACK of the client's FIN", "FIN", "ACK of the server's FIN"},
	},
	{
		name:  "client view, server closes first",
		steps: []step{opened(lab.SideClient), fin(lab.SideServer, true), fin(lab.SideClient, false)},
		path:  []string{StateSynSent, StateEstablished, StateCloseWait, StateLastAck, StateClosed},
	},
	{
		name:  "server view, client closes first",
		steps: []step{opened(lab.SideServer), fin(lab.SideClient, true), fin(lab.SideServer, false)},
		path:  []string{StateSynReceived, StateEstablished, StateCloseWait, StateLastAck, StateClosed},
	},
	{
		name:  "server view, server closes first",
		steps: []step{opened(lab.SideServer), fin(lab.SideServer, true), fin(lab.SideClient, false)},
		path:  []string{StateSynReceived, StateEstablished, StateFinWait1, StateFinWait2, StateTimeWait},
	},
	{
		name:      "client resets",
		steps:     []step{opened(lab.SideClient), rst(lab.SideClient)},
		path:      []string{StateSynSent, StateEstablished, StateClosed},
		summaries: []string{"SYN", "SYN-ACK", "ACK", "RST"},
	},
	{
		name:  "server resets after the client's FIN",
		steps: []step{opened(lab.SideClient), fin(lab.SideClient, true), rst(lab.SideServer)},
		path:  []string{StateSynSent, StateEstablished, StateFinWait1, StateFinWait2, StateClosed},
	},
	{
		name: "server view joined by the client follows the client",
		steps: []step{opened(lab.SideServer), joined(lab.SideClient),
			fin(lab.SideClient, true), fin(lab.SideServer, false)},
		path:      []string{StateSynReceived, StateEstablished, StateFinWait1, StateFinWait2, StateTimeWait},
		summaries: []string{"SYN", "SYN-ACK", "ACK", "FIN", "ACK of the client's FIN", "FIN", "ACK of the server's FIN"},
	},
	{
		name: "client view joined by the server stays with the client",
		steps: []step{opened(lab.SideClient), joined(lab.SideServer),
			fin(lab.SideServer, true), fin(lab.SideClient, false)},
		path: []string{StateSynSent, StateEstablished, StateCloseWait, StateLastAck, StateClosed},
	},
	{
		name:  "a reset after both FINs ends TIME-WAIT",
		steps: []step{opened(lab.SideClient), fin(lab.SideClient, true), fin(lab.SideServer, false), rst(lab.SideServer)},
		path:  []string{StateSynSent, StateEstablished, StateFinWait1, StateFinWait2, StateTimeWait, StateClosed},
	},
}

// emitter does what the Hub's conversation does with an analyzer's messages: it
// records each state change a message's NextState causes, then State's.
type emitter struct {
	t     *testing.T
	state string
	path  []string
	msgs  []lab.Message
}

func (e *emitter) emit(a lab.Analyzer, msgs []lab.Message) {
	e.t.Helper()
	for _, m := range msgs {
		e.msgs = append(e.msgs, m)
		if m.NextState != "" && m.NextState != e.state {
			e.change(m.NextState, m.Summary)
		}
	}
	if s := a.State(); s != e.state {
		e.t.Errorf("State() = %q after the messages, but they led to %q", s, e.state)
		e.change(s, "State()")
	}
}

func (e *emitter) change(to, why string) {
	e.t.Helper()
	if e.state != "" && !slices.Contains(transitions, [2]string{e.state, to}) && to != StateClosed {
		e.t.Errorf("%s → %s (by %q) is not an arrow of RFC 9293 Figure 5", e.state, to, why)
	}
	e.state = to
	e.path = append(e.path, to)
}

func TestStateMachine(t *testing.T) {
	for _, tt := range machineTests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnalyzer()
			e := &emitter{t: t}
			for _, s := range tt.steps {
				switch {
				case s.close != nil:
					e.emit(a, a.Closed(*s.close))
				default:
					info := lab.OpenInfo{Side: s.open, Client: clientAddr, Server: serverAddr}
					if s.join {
						info.Joined, info.JoinedSide = true, s.open
					}
					e.emit(a, a.Opened(info))
				}
			}
			if !slices.Equal(e.path, tt.path) {
				t.Errorf("path = %q, want %q", e.path, tt.path)
			}
			if tt.summaries != nil {
				var got []string
				for _, m := range e.msgs {
					s, _, _ := strings.Cut(m.Summary, " ·")
					got = append(got, s)
				}
				if !slices.Equal(got, tt.summaries) {
					t.Errorf("summaries = %q, want %q", got, tt.summaries)
				}
			}
			for _, m := range e.msgs {
				if m.Observed {
					t.Errorf("%q is marked observed, but each side saw its own close", m.Summary)
				}
				if m.Handshake == m.Teardown {
					t.Errorf("%q: Handshake %v, Teardown %v; want exactly one", m.Summary, m.Handshake, m.Teardown)
				}
				if !strings.HasPrefix(m.Ref, "RFC 9293 §3.") || m.Meaning == "" {
					t.Errorf("%q: Ref %q, Meaning %q", m.Summary, m.Ref, m.Meaning)
				}
			}
		})
	}
}

var handshakeTests = []struct {
	side       lab.Side
	dirs       []lab.Dir
	path       []string
	seen       string // the "seen as" field of the SYN
	kernelWant bool
}{
	{lab.SideClient, []lab.Dir{lab.ClientToServer, lab.ServerToClient, lab.ClientToServer},
		[]string{"SYN-SENT", "ESTABLISHED", ""}, "the client's connect() succeeded", true},
	{lab.SideServer, []lab.Dir{lab.ClientToServer, lab.ServerToClient, lab.ClientToServer},
		[]string{"SYN-RECEIVED", "", "ESTABLISHED"}, "the server's accept() returned this connection", false},
}

func TestHandshake(t *testing.T) {
	for _, tt := range handshakeTests {
		t.Run(tt.side.String(), func(t *testing.T) {
			info := lab.OpenInfo{Side: tt.side, Client: clientAddr, Server: serverAddr}
			if tt.kernelWant {
				info.Connect = 85_000 // ns
				info.Kernel = &lab.TCPInfo{State: "ESTABLISHED", SndMSS: 65483, SACK: true, Timestamps: true,
					WindowScaling: true, SndWScale: 7, RcvWScale: 7}
			}
			msgs := NewAnalyzer().Opened(info)
			if len(msgs) != 3 {
				t.Fatalf("Opened gave %d messages, want 3", len(msgs))
			}
			for i, m := range msgs {
				if m.Dir != tt.dirs[i] || m.NextState != tt.path[i] || !m.Handshake || m.Observed || m.Ref != "RFC 9293 §3.5" {
					t.Errorf("message %d %q: dir %v, next %q, handshake %v, observed %v, ref %q; want %v, %q, true, false, RFC 9293 §3.5",
						i, m.Summary, m.Dir, m.NextState, m.Handshake, m.Observed, m.Ref, tt.dirs[i], tt.path[i])
				}
			}
			if got := field(msgs[0], "seen as"); got != tt.seen {
				t.Errorf("SYN seen as %q, want %q", got, tt.seen)
			}
			if got := field(msgs[0], "from"); got != "127.0.0.1:50000 (client)" {
				t.Errorf("SYN from %q, want 127.0.0.1:50000 (client)", got)
			}
			if got := field(msgs[1], "flags"); got != "SYN, ACK" {
				t.Errorf("SYN-ACK flags %q, want SYN, ACK", got)
			}
			if tt.kernelWant {
				if got := field(msgs[1], "MSS"); got != "send 65483, receive 0 bytes" {
					t.Errorf("SYN-ACK MSS field %q, want the kernel's", got)
				}
				if msgs[1].Summary != "SYN-ACK · mss 65483, SACK, timestamps, wscale 7/7" {
					t.Errorf("SYN-ACK summary %q lacks what was negotiated", msgs[1].Summary)
				}
				if got := msgs[2].Summary; got != "ACK · handshake complete · connect took 85µs" {
					t.Errorf("ACK summary %q, want the connect time", got)
				}
			} else if field(msgs[1], "MSS") != "" || field(msgs[2], "connect took") != "" {
				t.Error("kernel fields shown without the kernel's word")
			}
		})
	}
}

// field is the value of m's field name as a reader sees it (built when
// asked for, lab.Message.Detail), "" if it has none.
func field(m lab.Message, name string) string {
	fields, _ := m.Detail()
	for _, f := range fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func TestJoinRepeatsNothing(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{Side: lab.SideServer})
	if a.Side() != lab.SideServer {
		t.Fatalf("Side() = %v, want server", a.Side())
	}
	if msgs := a.Opened(lab.OpenInfo{Side: lab.SideServer, Joined: true, JoinedSide: lab.SideClient}); len(msgs) != 0 {
		t.Errorf("joined Opened gave %d messages, want none", len(msgs))
	}
	if a.Side() != lab.SideClient || a.State() != StateEstablished {
		t.Errorf("after the client joined: side %v state %q, want client ESTABLISHED", a.Side(), a.State())
	}
	if msgs := a.Opened(lab.OpenInfo{Side: lab.SideClient}); len(msgs) != 0 {
		t.Errorf("a second Opened gave %d messages, want none", len(msgs))
	}
}

func TestObservedClose(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{Side: lab.SideServer})
	msgs := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN, First: true, Seen: lab.SideServer})
	if len(msgs) != 2 || !msgs[0].Observed || msgs[1].Observed {
		t.Fatalf("Closed = %+v, want an observed FIN and an inferred ACK", msgs)
	}
	if got := field(msgs[0], "seen as"); got != "end-of-file on the server's read" {
		t.Errorf("FIN seen as %q", got)
	}
	if msgs := a.Closed(lab.CloseInfo{By: lab.SideNone, How: lab.HowIdle}); len(msgs) != 0 {
		t.Errorf("idle close gave %d messages, want none", len(msgs))
	}
}
