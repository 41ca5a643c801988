package h2

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/protocollab/protolab/lab"
)

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

// step is bytes one side sent.
type step struct {
	dir  lab.Dir
	data []byte
}

// wire writes frames as a client and a server would, each with its own HPACK
// encoder, and records them as steps.
type wire struct {
	steps []step
	buf   bytes.Buffer
	fr    *http2.Framer
	enc   [3]*hpack.Encoder
	hbuf  [3]bytes.Buffer
}

func newWire() *wire {
	w := &wire{}
	w.fr = http2.NewFramer(&w.buf, nil)
	w.fr.AllowIllegalWrites = true
	for _, d := range []lab.Dir{c2s, s2c} {
		w.enc[d] = hpack.NewEncoder(&w.hbuf[d])
	}
	return w
}

// send records what f writes as bytes sent in direction dir.
func (w *wire) send(dir lab.Dir, f func(fr *http2.Framer)) *wire {
	w.buf.Reset()
	f(w.fr)
	w.steps = append(w.steps, step{dir, bytes.Clone(w.buf.Bytes())})
	return w
}

func (w *wire) raw(dir lab.Dir, b string) *wire {
	w.steps = append(w.steps, step{dir, []byte(b)})
	return w
}

// block HPACK-encodes fields ("name", "value", ...) in direction dir.
func (w *wire) block(dir lab.Dir, kv ...string) []byte {
	w.hbuf[dir].Reset()
	for i := 0; i+1 < len(kv); i += 2 {
		w.enc[dir].WriteField(hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return bytes.Clone(w.hbuf[dir].Bytes())
}

// start writes the preface and the SETTINGS exchange.
func (w *wire) start() *wire {
	return w.raw(c2s, clientPreface).
		send(c2s, func(fr *http2.Framer) { fr.WriteSettings(http2.Setting{ID: http2.SettingEnablePush, Val: 0}) }).
		send(s2c, func(fr *http2.Framer) {
			fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 250}, http2.Setting{ID: http2.SettingMaxFrameSize, Val: 1 << 20})
			fr.WriteSettingsAck()
		}).
		send(c2s, func(fr *http2.Framer) { fr.WriteSettingsAck() })
}

// get sends a GET request on stream id.
func (w *wire) get(id uint32, path string) *wire {
	blk := w.block(c2s, ":method", "GET", ":scheme", "https", ":authority", "www.lab.test:8443", ":path", path, "user-agent", "test")
	return w.send(c2s, func(fr *http2.Framer) {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: blk, EndStream: true, EndHeaders: true})
	})
}

// respond answers stream id with status and body.
func (w *wire) respond(id uint32, status, body string) *wire {
	blk := w.block(s2c, ":status", status, "content-type", "text/plain")
	return w.send(s2c, func(fr *http2.Framer) {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: blk, EndHeaders: true})
		fr.WriteData(id, true, []byte(body))
	})
}

// run feeds the steps in pieces of n bytes (0: whole) and returns the messages
// and checks that every state change is a listed transition.
func run(t *testing.T, steps []step, n int) (*Analyzer, []lab.Message) {
	t.Helper()
	a := NewAnalyzer()
	var out []lab.Message
	state := ""
	for _, st := range steps {
		b := st.data
		for len(b) > 0 {
			k := len(b)
			if n > 0 {
				k = min(k, n)
			}
			msgs := a.Feed(st.dir, bytes.Clone(b[:k]), time.Time{})
			for _, m := range msgs {
				if m.NextState != "" {
					if !slices.Contains(Transitions, [2]string{state, m.NextState}) {
						t.Errorf("pieces of %d: %q → %q (at %q) is not a transition", n, state, m.NextState, m.Summary)
					}
					state = m.NextState
				}
			}
			if s := a.State(); s != state {
				t.Errorf("pieces of %d: State() = %q, but the messages said %q", n, s, state)
				state = s
			}
			out = append(out, msgs...)
			b = b[k:]
		}
	}
	return a, out
}

func summaries(msgs []lab.Message) []string {
	var s []string
	for _, m := range msgs {
		s = append(s, m.Dir.Arrow()+" "+m.Summary)
	}
	return s
}

var analyzerTests = []struct {
	name  string
	wire  func() *wire
	want  []string
	state string
}{
	{"exchange", func() *wire { return newWire().start().get(1, "/echo").respond(1, "200", strings.Repeat("x", 1234)) }, []string{
		"→ connection preface (PRI * HTTP/2.0)",
		"→ SETTINGS: ENABLE_PUSH=0",
		"← SETTINGS: MAX_CONCURRENT_STREAMS=250, MAX_FRAME_SIZE=1048576",
		"← SETTINGS ACK",
		"→ SETTINGS ACK",
		"→ HEADERS stream 1: GET https://www.lab.test:8443/echo (END_STREAM)",
		"← HEADERS stream 1: 200 OK",
		"← DATA stream 1 (response to GET /echo): 1.2 KiB (END_STREAM)",
		"← stream 1: GET /echo → 200 OK, 1.2 KiB body",
	}, StateOpen},
	{"interleaved streams", func() *wire {
		return newWire().start().get(1, "/a").get(3, "/b").respond(3, "404", "").respond(1, "200", "hi")
	}, []string{
		"→ HEADERS stream 1: GET https://www.lab.test:8443/a (END_STREAM)",
		"→ HEADERS stream 3: GET https://www.lab.test:8443/b (END_STREAM)",
		"← HEADERS stream 3: 404 Not Found",
		"← DATA stream 3 (response to GET /b): 0 B (END_STREAM)",
		"← stream 3: GET /b → 404 Not Found, 0 B body",
		"← HEADERS stream 1: 200 OK",
		"← DATA stream 1 (response to GET /a): 2 B (END_STREAM)",
		"← stream 1: GET /a → 200 OK, 2 B body",
	}, StateOpen},
	{"control frames", func() *wire {
		return newWire().start().get(5, "/slow").send(c2s, func(fr *http2.Framer) {
			fr.WriteRSTStream(5, http2.ErrCodeCancel)
			fr.WritePing(false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8})
			fr.WriteWindowUpdate(0, 983041)
			fr.WritePriority(7, http2.PriorityParam{StreamDep: 0, Weight: 15, Exclusive: true})
		}).send(s2c, func(fr *http2.Framer) {
			fr.WritePing(true, [8]byte{1, 2, 3, 4, 5, 6, 7, 8})
			fr.WriteGoAway(7, http2.ErrCodeNo, []byte("bye"))
		})
	}, []string{
		"→ HEADERS stream 5: GET https://www.lab.test:8443/slow (END_STREAM)",
		"→ RST_STREAM stream 5: CANCEL",
		"→ stream 5: GET /slow → reset by the client: CANCEL",
		"→ PING",
		"→ WINDOW_UPDATE stream 0 +983041",
		"→ PRIORITY stream 7: depends on stream 0, weight 16 (exclusive)",
		"← PING ACK",
		`← GOAWAY last stream 7: NO_ERROR "bye"`,
	}, StateGoingAway},
	{"continuation, padding, trailers and push", func() *wire {
		w := newWire().start()
		blk := w.block(c2s, ":method", "POST", ":scheme", "http", ":authority", "h", ":path", "/up", "x-long", strings.Repeat("v", 100))
		push := w.block(s2c, ":method", "GET", ":scheme", "http", ":authority", "h", ":path", "/style.css")
		trailers := w.block(c2s, "x-checksum", "abc")
		return w.send(c2s, func(fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk[:10], PadLength: 3, Priority: http2.PriorityParam{Weight: 255}})
			fr.WriteContinuation(1, false, blk[10:20])
			fr.WriteContinuation(1, true, blk[20:])
			fr.WriteDataPadded(1, false, []byte("abc"), []byte{0, 0})
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: trailers, EndStream: true, EndHeaders: true})
		}).send(s2c, func(fr *http2.Framer) {
			fr.WritePushPromise(http2.PushPromiseParam{StreamID: 1, PromiseID: 2, BlockFragment: push, EndHeaders: true})
		}).respond(1, "200", "ok").respond(2, "200", "body{}").send(s2c, func(fr *http2.Framer) {
			fr.WriteRawFrame(0x10, 0, 0, []byte{0, 0, 0, 1, 'u', '=', '1'})
			fr.WriteRawFrame(0x42, 0xff, 3, []byte("?"))
		})
	}, []string{
		"→ HEADERS stream 1: header block continues in CONTINUATION frames",
		"→ CONTINUATION stream 1: header block continues",
		"→ CONTINUATION stream 1 ends the HEADERS block: POST http://h/up",
		"→ DATA stream 1 (body of POST /up): 3 B",
		"→ HEADERS stream 1: trailers (1 fields) (END_STREAM)",
		"← PUSH_PROMISE stream 1: promises stream 2 for GET http://h/style.css",
		"← HEADERS stream 1: 200 OK",
		"← DATA stream 1 (response to POST /up): 2 B (END_STREAM)",
		"← stream 1: POST /up with 3 B → 200 OK, 2 B body",
		"← HEADERS stream 2: 200 OK",
		"← DATA stream 2 (response to GET /style.css): 6 B (END_STREAM)",
		"← stream 2: GET /style.css → 200 OK, 6 B body (pushed)",
		"← PRIORITY_UPDATE stream 0: 7 B",
		"← frame type 0x42 stream 3: 1 B (unknown, ignored)",
	}, StateOpen},
	{"HTTP/1.1 client", func() *wire { return newWire().raw(c2s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") }, []string{
		`→ not HTTP/2: the client sent "GET / HTTP/1.1"`,
	}, StateError},
	{"TLS client", func() *wire { return newWire().raw(c2s, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03") }, []string{
		"→ not HTTP/2: a TLS handshake",
	}, StateError},
	{"HTTP/1.1 server", func() *wire {
		return newWire().raw(c2s, clientPreface).raw(s2c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
	}, []string{
		"→ connection preface (PRI * HTTP/2.0)",
		`← not HTTP/2: the server answered "HTTP/1.1 400 Bad Request"`,
	}, StateError},
	{"SETTINGS ACK first", func() *wire { // found by FuzzAnalyzer
		return newWire().raw(c2s, clientPreface).send(s2c, func(fr *http2.Framer) {
			fr.WriteSettingsAck()
			fr.WriteGoAway(0, http2.ErrCodeProtocol, nil)
		})
	}, []string{
		"→ connection preface (PRI * HTTP/2.0)",
		"← malformed HTTP/2: the server's first frame is a SETTINGS ACK, not the SETTINGS frame that is its connection preface (RFC 9113 §3.4)",
	}, StateError},
	{"frame too large", func() *wire {
		return newWire().start().send(s2c, func(fr *http2.Framer) { fr.WriteData(1, false, make([]byte, 20000)) })
	}, []string{
		"← malformed HTTP/2: a DATA frame of 20000 bytes is larger than the 16384 bytes SETTINGS_MAX_FRAME_SIZE allows (FRAME_SIZE_ERROR, RFC 9113 §4.2)",
	}, StateError},
	{"bad header block", func() *wire {
		return newWire().start().send(c2s, func(fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, EndHeaders: true})
		})
	}, []string{
		"→ malformed HTTP/2: HEADERS stream 1: HPACK cannot decode the header block: invalid indexed representation index 33554558 (COMPRESSION_ERROR, RFC 7541)",
	}, StateError},
	{"frame between HEADERS and CONTINUATION", func() *wire {
		return newWire().start().send(c2s, func(fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0x82}})
			fr.WritePing(false, [8]byte{})
		})
	}, []string{
		"→ HEADERS stream 1: header block continues in CONTINUATION frames",
		"→ malformed HTTP/2: the client's header block on stream 1 awaits a CONTINUATION frame, but a PING frame on stream 0 came (PROTOCOL_ERROR, RFC 9113 §6.10)",
	}, StateError},
	{"rules broken", func() *wire {
		return newWire().start().send(c2s, func(fr *http2.Framer) {
			fr.WriteRawFrame(http2.FramePing, 0, 0, []byte{1, 2, 3})
			fr.WriteWindowUpdate(1, 0)
			fr.WriteRawFrame(http2.FrameSettings, 1, 0, []byte{0, 0, 0, 0, 0, 0})
			fr.WriteContinuation(3, true, nil)
			fr.WriteRawFrame(http2.FrameData, http2.FlagDataPadded, 5, []byte{9, 'a'})
		})
	}, []string{
		"→ PING [FRAME_SIZE_ERROR]",
		"→ WINDOW_UPDATE stream 1 +0 [PROTOCOL_ERROR]",
		"→ SETTINGS ACK [FRAME_SIZE_ERROR]",
		"→ CONTINUATION stream 3 [PROTOCOL_ERROR]",
		"→ DATA stream 5: 0 B [PROTOCOL_ERROR]",
	}, StateOpen},
}

// TestAnalyzer feeds each conversation whole and in pieces of several sizes.
func TestAnalyzer(t *testing.T) {
	for _, tt := range analyzerTests {
		steps := tt.wire().steps
		var first []string
		for _, n := range []int{0, 1, 2, 7, 9, 100} {
			a, msgs := run(t, steps, n)
			got := summaries(msgs)
			if n == 0 {
				first = got
				if !containsInOrder(got, tt.want) {
					t.Errorf("%s:\n%s\nwant, in order:\n%s", tt.name, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
				}
			} else if !slices.Equal(got, first) {
				t.Errorf("%s, pieces of %d:\n%s\nwant as whole:\n%s", tt.name, n, strings.Join(got, "\n"), strings.Join(first, "\n"))
			}
			if s := a.State(); s != tt.state {
				t.Errorf("%s, pieces of %d: State = %q, want %q", tt.name, n, s, tt.state)
			}
			for _, m := range msgs {
				_, meaning := m.Detail() // as readers read it: a DATA frame's is built when asked for
				if m.Summary == "" || meaning == "" || m.Ref == "" || len(m.Raw) > MaxKeptBytes {
					t.Errorf("%s: message %q: meaning %q, ref %q, %d raw bytes", tt.name, m.Summary, meaning, m.Ref, len(m.Raw))
				}
			}
		}
	}
}

// containsInOrder reports whether want appears within got in order.
func containsInOrder(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

func TestHandshakeAndFields(t *testing.T) {
	_, msgs := run(t, newWire().start().get(1, "/echo").respond(1, "200", "x").steps, 0)
	var hs []string
	for _, m := range msgs {
		if m.Handshake {
			hs = append(hs, m.Dir.Arrow()+" "+m.Summary)
		}
	}
	want := []string{"→ connection preface (PRI * HTTP/2.0)", "→ SETTINGS: ENABLE_PUSH=0",
		"← SETTINGS: MAX_CONCURRENT_STREAMS=250, MAX_FRAME_SIZE=1048576", "← SETTINGS ACK", "→ SETTINGS ACK"}
	if !slices.Equal(hs, want) {
		t.Errorf("handshake = %q, want %q", hs, want)
	}
	var req *lab.Message
	for i := range msgs {
		if strings.HasPrefix(msgs[i].Summary, "HEADERS stream 1: GET") {
			req = &msgs[i]
		}
	}
	if req == nil {
		t.Fatal("no request")
	}
	fields, _ := req.Detail() // as readers read them: built when asked for
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	wantNames := []string{"type", "stream", "flags", "length", "header block fragment", ":method", ":scheme", ":authority", ":path", "user-agent", "stream state"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("fields = %q, want %q", names, wantNames)
	}
	if req.Ref != "RFC 9113 §6.2" || fields[2].Value != "0x05 END_STREAM | END_HEADERS" || fields[len(fields)-1].Value != "half-closed (local)" {
		t.Errorf("request: ref %q, fields %+v", req.Ref, fields)
	}
}

// TestStreamsBounded opens more streams than the analyzer remembers.
func TestStreamsBounded(t *testing.T) {
	w := newWire().start()
	for i := range uint32(3 * MaxStreams) {
		w.get(2*i+1, "/")
		if i%2 == 0 {
			w.respond(2*i+1, "204", "")
		}
	}
	a, _ := run(t, w.steps, 0)
	if n := len(a.streams.byID); n > MaxStreams || len(a.streams.order) != n {
		t.Errorf("streams remembered = %d (order %d), want at most %d", n, len(a.streams.order), MaxStreams)
	}
	if a.streams.get(2*(3*MaxStreams-1)+1) == nil {
		t.Error("the newest stream was forgotten")
	}
}

// TestHeaderListBounded sends a header list longer than MaxHeaderListBytes.
func TestHeaderListBounded(t *testing.T) {
	w := newWire().start()
	kv := []string{":method", "GET", ":scheme", "http", ":authority", "h", ":path", "/"}
	for range 100 {
		kv = append(kv, "x-big", strings.Repeat("b", 1000))
	}
	blk := w.block(c2s, kv...)
	w.send(c2s, func(fr *http2.Framer) {
		for len(blk) > 0 {
			n := min(len(blk), 16000)
			if n == len(blk) {
				fr.WriteContinuation(1, true, blk[:n])
			} else if len(w.buf.Bytes()) == 0 {
				fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk[:n], EndStream: true})
			} else {
				fr.WriteContinuation(1, false, blk[:n])
			}
			blk = blk[n:]
		}
	}).get(3, "/after")
	_, msgs := run(t, w.steps, 1000)
	last := msgs[len(msgs)-1]
	if last.Summary != "HEADERS stream 3: GET http://h/after (END_STREAM)" && last.Summary != "HEADERS stream 3: GET https://www.lab.test:8443/after (END_STREAM)" {
		t.Errorf("after a long header list: %q", summaries(msgs))
	}
	for _, m := range msgs {
		size := 0
		fields, _ := m.Detail()
		for _, f := range fields {
			size += len(f.Name) + len(f.Value)
		}
		if size > MaxHeaderListBytes+1000 {
			t.Errorf("%q keeps %d bytes of fields", m.Summary, size)
		}
	}
}

func TestProtocol(t *testing.T) {
	p := Protocol()
	if p.Name != "h2" || p.Title != "HTTP/2" || p.Transport != "tcp" || p.DefaultPort != 0 || p.NewAnalyzer == nil || p.About == "" {
		t.Errorf("Protocol() = %+v", p)
	}
	for _, tr := range p.Transitions {
		if tr[0] != "" && !slices.Contains(p.States, tr[0]) || !slices.Contains(p.States, tr[1]) {
			t.Errorf("transition %v leaves the States", tr)
		}
	}
	if p.NewAnalyzer().State() != "" {
		t.Error("a new analyzer has a state")
	}
	a := NewAnalyzer()
	a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})
	if a.State() != StateClosed {
		t.Errorf("State after close = %q", a.State())
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 1234: "1.2 KiB", 3 << 20: "3 MiB", 5 << 30: "5 GiB"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}
