package websocket

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

// The handshake of RFC 6455 §1.3's example.
const (
	testKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	testAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
	upgradeGET = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n"
	switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + testAccept + "\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
)

// frameBytes builds one frame; a non-nil key masks it.
func frameBytes(fin bool, op byte, key []byte, payload []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	b := []byte{b0}
	var mask byte
	if key != nil {
		mask = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b = append(b, mask|byte(n))
	case n < 1<<16:
		b = append(b, mask|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, mask|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if key == nil {
		return append(b, payload...)
	}
	b = append(b, key...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}

var key = []byte{0x37, 0xfa, 0x21, 0x3d}

func closePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

type step struct {
	Dir  lab.Dir
	Data string
}

func s(b []byte) string { return string(b) }

var sessionTests = []struct {
	name  string
	steps []step
	want  []string
	state string
}{
	{"text, ping, close", []step{
		{c2s, upgradeGET},
		{s2c, switching},
		{c2s, s(frameBytes(true, opText, key, []byte("Hello")))},
		{s2c, s(frameBytes(true, opText, nil, []byte("Hello")))},
		{c2s, s(frameBytes(true, opPing, key, []byte("hb")))},
		{s2c, s(frameBytes(true, opPong, nil, []byte("hb")))},
		{c2s, s(frameBytes(true, opBinary, key, make([]byte, 300)))},
		{c2s, s(frameBytes(true, opClose, key, closePayload(1000, "bye")))},
		{s2c, s(frameBytes(true, opClose, nil, closePayload(1000, "bye")))},
	}, []string{
		"GET /chat HTTP/1.1 (WebSocket upgrade)",
		"101 Switching Protocols (WebSocket, accept ✓)",
		`text "Hello"`, `text "Hello"`, `ping "hb"`, `pong "hb"`, "binary 300 bytes",
		`close 1000 normal closure "bye"`, `close 1000 normal closure "bye"`,
	}, StateClosed},
	{"fragments with a ping between", []step{
		{c2s, upgradeGET},
		{s2c, switching + s(frameBytes(false, opText, nil, []byte("Hel"))) + s(frameBytes(true, opPing, nil, nil)) +
			s(frameBytes(false, opContinuation, nil, []byte("lo, "))) + s(frameBytes(true, opContinuation, nil, []byte("world")))},
	}, []string{
		"GET /chat HTTP/1.1 (WebSocket upgrade)",
		"101 Switching Protocols (WebSocket, accept ✓)",
		"text, fragment 1 (more follow), 3 bytes", "ping",
		"continuation, fragment 2 of a text message, 4 bytes",
		`continuation, last of 3 fragments: text message of 12 bytes "Hello, world"`,
	}, StateOpen},
	{"wrong accept and protocol errors", []step{
		{c2s, upgradeGET},
		{s2c, strings.Replace(switching, testAccept, "AAAA", 1)},
		{c2s, s(frameBytes(true, opText, nil, []byte("x")))},
		{s2c, s(frameBytes(true, opText, key, []byte("y")))},
		{s2c, s(frameBytes(true, opPing, nil, make([]byte, 126)))},
		{s2c, s(frameBytes(false, opPong, nil, nil))},
		{s2c, s(frameBytes(true, opContinuation, nil, nil))},
		{s2c, s(frameBytes(true, opText, nil, []byte{0xff}))},
		{s2c, s(frameBytes(true, 0x3, nil, nil))},
		{s2c, s(frameBytes(true, opClose, nil, closePayload(1005, "")))},
	}, []string{
		"GET /chat HTTP/1.1 (WebSocket upgrade)",
		"101 Switching Protocols (WebSocket, accept ✗)",
		`malformed WebSocket frame: a client must mask every frame it sends (§5.1); the server must close the connection with 1002 (text "x")`,
		`malformed WebSocket frame: a server must not mask its frames (§5.1); the client must close the connection with 1002 (text "y")`,
		"malformed WebSocket frame: a control frame's payload may be at most 125 bytes (§5.5); this one has 126 (ping 126 bytes)",
		"malformed WebSocket frame: a control frame must not be fragmented: its FIN must be 1 (§5.5) (pong)",
		"malformed WebSocket frame: a continuation frame with no fragmented message to continue (§5.4) (continuation frame, 0 bytes)",
		`malformed WebSocket frame: the text message is not valid UTF-8 (§8.1); the receiver must fail the connection with 1007 (text "\xff")`,
		"malformed WebSocket frame: the opcode 0x3 is reserved (§5.2); the receiver must fail the connection (reserved data frame, 0 bytes)",
		"malformed WebSocket frame: the status code 1005 is reserved for APIs and must never be sent in a close frame (RFC 6455 §7.4.1) (close 1005 no status received)",
	}, StateClosing},
	{"refused", []step{
		{c2s, upgradeGET},
		{s2c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"},
	}, []string{"GET /chat HTTP/1.1 (WebSocket upgrade)", "400 Bad Request (0 bytes) (WebSocket handshake refused)"}, StateClosed},
	{"plain http", []step{
		{c2s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
		{s2c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"},
	}, []string{"GET / HTTP/1.1", "200 OK (2 bytes)"}, ""},
	{"64-bit length", []step{
		{c2s, upgradeGET},
		{s2c, switching + "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00"},
	}, []string{"GET /chat HTTP/1.1 (WebSocket upgrade)", "101 Switching Protocols (WebSocket, accept ✓)",
		"malformed WebSocket frame: the 64-bit payload length has its most significant bit set, which §5.2 forbids; the frame's end cannot be found, so the lab stops reading this direction"}, StateOpen},
}

// run feeds steps to a in pieces of n bytes (whole steps if n is 0).
func run(a lab.Analyzer, steps []step, n int, check func()) []lab.Message {
	var out []lab.Message
	for _, st := range steps {
		b := []byte(st.Data)
		for len(b) > 0 {
			k := len(b)
			if n > 0 {
				k = min(k, n)
			}
			out = append(out, a.Feed(st.Dir, b[:k:k], time.Time{})...)
			b = b[k:]
			if check != nil {
				check()
			}
		}
	}
	return out
}

func TestSessions(t *testing.T) {
	for _, tt := range sessionTests {
		for _, n := range []int{0, 1, 2, 5, 1000} {
			a := NewAnalyzer()
			last := ""
			check := func() {
				if st := a.State(); st != last {
					if !slices.Contains(Transitions, [2]string{last, st}) && last != "" {
						t.Errorf("%s, pieces of %d: %s → %s is not a transition", tt.name, n, last, st)
					}
					last = st
				}
			}
			out := run(a, tt.steps, n, check)
			if got, want := strings.Join(analyzertest.Summaries(out), "\n"), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("%s, pieces of %d: messages\n%s\nwant\n%s", tt.name, n, got, want)
			}
			if got := a.State(); got != tt.state {
				t.Errorf("%s, pieces of %d: State = %q, want %q", tt.name, n, got, tt.state)
			}
			a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})
			check()
			if a.State() != StateClosed && tt.state != "" {
				t.Errorf("%s: State after close = %q", tt.name, a.State())
			}
		}
	}
}

func fieldValue(m lab.Message, name string) string {
	fields, _ := m.Detail() // built when asked, as the inspector asks
	for _, f := range fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func TestHandshakeFields(t *testing.T) {
	if got := AcceptKey(testKey); got != testAccept {
		t.Fatalf("AcceptKey = %q, want %q", got, testAccept)
	}
	out := analyzertest.Feed(NewAnalyzer(), sessionTests[0].steps[:3], 0)
	req, resp, text := out[0], out[1], out[2]
	if !req.Handshake || req.Layer != Layer || req.NextState != StateConnecting || fieldValue(req, "WebSocket key") != testKey {
		t.Errorf("request = %+v", req)
	}
	for name, want := range map[string]string{"expected accept": testAccept, "received accept": testAccept, "subprotocol": "chat"} {
		if got := fieldValue(resp, name); got != want {
			t.Errorf("101 %s = %q, want %q", name, got, want)
		}
	}
	if !strings.HasPrefix(fieldValue(resp, "accept check"), "✓ matches") || !resp.Handshake || resp.NextState != StateOpen {
		t.Errorf("101 = %+v", resp)
	}
	for name, want := range map[string]string{"FIN": "1 (the last frame of its message)", "opcode": "0x1 text",
		"MASK": "1 (the payload is masked)", "masking key": "37 fa 21 3d", "payload length": "5 bytes (7-bit length field)", "payload": `"Hello"`} {
		if got := fieldValue(text, name); got != want {
			t.Errorf("text frame %s = %q, want %q", name, got, want)
		}
	}
	if text.Layer != Layer || text.Ref != "RFC 6455 §5.6" || len(text.Raw) != 11 {
		t.Errorf("text frame layer %q ref %q raw %d", text.Layer, text.Ref, len(text.Raw))
	}
}

func TestCloseWithoutHandshake(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, sessionTests[0].steps[:4], 0)
	out := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowRST})
	if len(out) != 1 || !strings.Contains(out[0].Summary, "1006") || out[0].NextState != StateClosed {
		t.Errorf("close = %q", analyzertest.Summaries(out))
	}
}

// TestLongFrame streams a frame with a 64-bit length through in pieces and
// checks that the analyzer holds a bounded amount.
func TestLongFrame(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, sessionTests[0].steps[:2], 0)
	const total = 80 << 20
	hdr := []byte{0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}
	binary.BigEndian.PutUint64(hdr[2:], total)
	a.Feed(c2s, hdr, time.Time{})
	piece := make([]byte, 256<<10)
	var out []lab.Message
	for sent := 0; sent < total; sent += len(piece) {
		out = append(out, a.Feed(c2s, piece, time.Time{})...)
		if p := a.Pending(c2s); p > MaxKeptBytes+3*PreviewBytes {
			t.Fatalf("pending %d after %d bytes", p, sent)
		}
	}
	if len(out) != 1 || out[0].Summary != "binary 83886080 bytes" || len(out[0].Raw) != MaxKeptBytes {
		t.Fatalf("got %q raw %d", analyzertest.Summaries(out), len(out[0].Raw))
	}
	if got := fieldValue(out[0], "payload length"); got != "83886080 bytes (64-bit length field)" {
		t.Errorf("payload length = %q", got)
	}
}

func TestHTTPAnalyzer(t *testing.T) {
	a := NewHTTPAnalyzer()
	out := analyzertest.Feed(a, sessionTests[0].steps, 3)
	if got := a.State(); got != "switched" {
		t.Errorf("State = %q, want HTTP's switched", got)
	}
	for _, m := range out {
		if m.Layer != Layer {
			t.Errorf("%q has layer %q, want ws", m.Summary, m.Layer)
		}
	}
	out = analyzertest.Feed(a, []step{{c2s, "GET / HTTP/1.1\r\n\r\n"}}, 0)
	if len(out) != 0 {
		t.Errorf("after the upgrade, HTTP bytes gave %q", analyzertest.Summaries(out))
	}
	out = analyzertest.Feed(NewHTTPAnalyzer(), sessionTests[4].steps, 0)
	if len(out) != 2 || out[0].Layer != "" {
		t.Errorf("plain HTTP = %+v", out)
	}
}

func TestCloseCodes(t *testing.T) {
	for code, want := range map[int]string{1000: "normal closure", 1001: "going away", 1006: "abnormal closure", 1011: "internal error", 3000: "registered code", 4001: "private code", 999: "invalid code"} {
		if got, _ := CloseCodeText(code); got != want {
			t.Errorf("CloseCodeText(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestProtocol(t *testing.T) {
	p := Protocol()
	if p.Name != "ws" || p.Title != "WebSocket" || p.DefaultPort != 8081 || p.Transport != "tcp" || p.NewAnalyzer == nil || p.About == "" {
		t.Errorf("Protocol() = %+v", p)
	}
	for _, tr := range p.Transitions {
		if !slices.Contains(p.States, tr[0]) || !slices.Contains(p.States, tr[1]) {
			t.Errorf("transition %v leaves the States", tr)
		}
	}
}

// TestFragmentFieldsAsTheyWere: a data frame's fields, built when someone
// looks, show the frame and its message as they were when it was framed,
// not as later frames left them.
func TestFragmentFieldsAsTheyWere(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, sessionTests[0].steps[:2], 0)
	var out []lab.Message
	for _, f := range [][]byte{
		frameBytes(false, opText, key, []byte("Hel")), frameBytes(false, opContinuation, key, []byte("lo, ")),
		frameBytes(true, opContinuation, key, []byte("world")), frameBytes(true, opText, key, []byte("next")),
		frameBytes(true, opBinary, key, []byte{0, 1, 2}),
	} {
		out = append(out, a.Feed(c2s, f, time.Time{})...)
	}
	if len(out) != 5 {
		t.Fatalf("messages %q", analyzertest.Summaries(out))
	}
	for i, want := range []map[string]string{
		{"FIN": "0 (more fragments follow)", "opcode": "0x1 text", "payload": `"Hel"`, "message": ""},
		{"opcode": "0x0 continuation", "payload": `"lo, "`, "message": ""},
		{"FIN": "1 (the last frame of its message)", "payload": `"world"`, "message": "text, 3 fragments, 12 bytes", "message payload": `"Hello, world"`},
		{"payload": `"next"`, "message": "", "masking key": "37 fa 21 3d"},
		{"opcode": "0x2 binary", "payload (hex)": "00 01 02", "payload length": "3 bytes (7-bit length field)"},
	} {
		if !out[i].Deferred() {
			t.Errorf("message %d (%s) built at once", i, out[i].Summary)
		}
		full := out[i].Built()
		for name, v := range want {
			if got := fieldValue(*full, name); got != v {
				t.Errorf("message %d (%s): %s = %q, want %q", i, out[i].Summary, name, got, v)
			}
		}
		if !strings.Contains(full.Meaning, "masked the payload") || !strings.HasPrefix(full.Meaning, "A") && !strings.HasPrefix(full.Meaning, "The") {
			t.Errorf("message %d meaning %q", i, full.Meaning)
		}
	}
}

// TestRawInPlace: a frame that came whole in one feed is those very bytes (no
// copy); one that goes on in the next feed is copied from there, and the fed
// bytes, even with room after them, are never written.
func TestRawInPlace(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, sessionTests[0].steps[:2], 0)
	first := frameBytes(true, opBinary, nil, []byte("whole"))
	second := frameBytes(true, opBinary, nil, []byte("in two"))
	buf := append(make([]byte, 0, 64), first...)
	buf = append(buf, second[:4]...)
	room := buf[len(buf):cap(buf)]
	for i := range room {
		room[i] = '#'
	}
	fed := string(buf)
	out := a.Feed(s2c, buf, time.Time{})
	if len(out) != 1 || string(out[0].Raw) != string(first) || &out[0].Raw[0] != &buf[0] || cap(out[0].Raw) != len(first) {
		t.Fatalf("first frame: %d messages, raw %q (cap %d), want the fed bytes themselves", len(out), out[0].Raw, cap(out[0].Raw))
	}
	out = a.Feed(s2c, second[4:], time.Time{})
	if len(out) != 1 || string(out[0].Raw) != string(second) {
		t.Fatalf("second frame: %d messages, raw %q", len(out), out[0].Raw)
	}
	if string(buf) != fed || strings.Trim(string(room), "#") != "" {
		t.Errorf("the fed bytes changed: %q, room after them %q", buf, room)
	}
}

// TestPreviewsKeptApart: frames whose previews and summaries share the
// analyzer's room each keep their own, however many came after.
func TestPreviewsKeptApart(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, sessionTests[0].steps[:2], 0)
	var out []lab.Message
	for i := range 300 {
		p := []byte(fmt.Sprintf("message %d %s", i, strings.Repeat("x", i%40)))
		if i%7 == 0 {
			p = []byte(strings.Repeat("é", 150)) // past the preview: cut, and quoted with escapes
		}
		out = append(out, a.Feed(c2s, frameBytes(true, opText, key, p), time.Time{})...)
	}
	if len(out) != 300 {
		t.Fatalf("%d messages, want 300", len(out))
	}
	for i, m := range out {
		p := []byte(fmt.Sprintf("message %d %s", i, strings.Repeat("x", i%40)))
		if i%7 == 0 {
			p = []byte(strings.Repeat("é", 150))
		}
		if want := "text " + lab.Preview(p, 60); m.Summary != want {
			t.Errorf("message %d: summary %q, want %q", i, m.Summary, want)
		}
		if got, want := fieldValue(*m.Built(), "payload"), lab.Preview(p[:min(len(p), PreviewBytes)], PreviewBytes); got != want {
			t.Errorf("message %d: payload %q, want %q", i, got, want)
		}
	}
}

// TestUnmask: unmasking eight bytes at a time is the byte-by-byte XOR of
// §5.3, from any offset into the payload, for any length.
func TestUnmask(t *testing.T) {
	k := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	for got := uint64(0); got < 8; got++ {
		for n := 0; n < 40; n++ {
			b := make([]byte, n)
			want := make([]byte, n)
			for i := range b {
				b[i] = byte(i*7 + n)
				want[i] = b[i] ^ k[(got+uint64(i))&3]
			}
			unmask(b, k, got)
			if string(b) != string(want) {
				t.Fatalf("offset %d, %d bytes: % x, want % x", got, n, b, want)
			}
		}
	}
}

// TestUTF8Check: text checked in pieces, runes split between them included,
// is valid exactly when the whole is.
func TestUTF8Check(t *testing.T) {
	for _, s := range []string{"", "plain", "é", "日本語 text", "\xff", "a\xc3", "\xed\xa0\x80", "ok\xe2\x82"} {
		whole := []byte(s)
		for cut := 0; cut <= len(whole); cut++ {
			var u utf8Check
			u.write(whole[:cut])
			u.write(whole[cut:])
			if got, want := u.valid(), utf8.Valid(whole); got != want {
				t.Errorf("%q cut at %d: valid %v, want %v", s, cut, got, want)
			}
		}
	}
}

// TestUnmaskedPreviewInPlace: a server's frame's preview is its fed bytes
// while the frame came in one piece, and a copy once it goes on in the next
// feed; the fed bytes stay as they were.
func TestUnmaskedPreviewInPlace(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, sessionTests[0].steps[:2], 0)
	whole := frameBytes(true, opText, nil, []byte("whole"))
	split := frameBytes(true, opText, nil, []byte("split in two"))
	fed := append(append([]byte{}, whole...), split[:8]...)
	kept := string(fed)
	out := a.Feed(s2c, fed, time.Time{})
	out = append(out, a.Feed(s2c, append([]byte{}, split[8:]...), time.Time{})...)
	if len(out) != 2 {
		t.Fatalf("%d messages", len(out))
	}
	for i, want := range []string{`"whole"`, `"split in two"`} {
		if got := fieldValue(*out[i].Built(), "payload"); got != want {
			t.Errorf("message %d: payload %s, want %s", i, got, want)
		}
		if want := "text " + want; out[i].Summary != want {
			t.Errorf("message %d: summary %q, want %q", i, out[i].Summary, want)
		}
	}
	if string(fed) != kept {
		t.Errorf("the fed bytes changed: %q", fed)
	}
	// What each costs the bound beside the data events: the fed frame its
	// fields' room only; the split one its copies of the frame and preview too.
	room := int(unsafe.Sizeof(keptFrame{}))
	if got := out[0].Held(); got != room {
		t.Errorf("the whole frame holds %d bytes, want %d (its preview is the fed bytes)", got, room)
	}
	if got, want := out[1].Held(), room+len(split)+len("split in two"); got != want {
		t.Errorf("the split frame holds %d bytes, want %d", got, want)
	}
}
