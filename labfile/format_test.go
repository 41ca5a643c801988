package labfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// synthetic returns a session of n events over n/10 conversations, alike to a
// real capture in shape: data, messages with fields, state changes.
func synthetic(n int) *Session {
	t0 := time.Now()
	s := &Session{
		Format: FormatVersion,
		App:    "protolab " + lab.Version,
		Saved:  t0,
		Bench: BenchState{Listen: "127.0.0.1", Servers: map[string]ServerState{
			"http": {Port: 8080, Running: true, Addr: "127.0.0.1:8080", Settings: map[string]string{"root": ""}},
			"tcp":  {Port: 7007},
		}},
		Clients: map[string]json.RawMessage{"http": json.RawMessage(`{"requests":[{"method":"GET","url":"/"}]}`)},
		Keys:    []string{"CLIENT_RANDOM " + fmt.Sprintf("%064x", 1) + " " + fmt.Sprintf("%096x", 2)},
	}
	convs := max(n/10, 1)
	for i := range convs {
		s.Conversations = append(s.Conversations, lab.ConvInfo{
			ID: lab.ConvID(i + 1), Protocol: "http", Transport: "tcp",
			Client: fmt.Sprintf("127.0.0.1:%d", 40000+i), Server: "127.0.0.1:8080",
			Start: t0, End: t0.Add(time.Second), Last: t0.Add(time.Second),
			BytesC2S: 120, BytesS2C: 4000, Messages: 4, State: "closed",
			ClosedBy: lab.SideClient, CloseHow: lab.HowFIN, ServerSeen: true,
			Kernel: &lab.TCPInfo{State: "CLOSE-WAIT", RTT: 40 * time.Microsecond, SndMSS: 32741, SACK: true, Timestamps: true},
		})
	}
	body := bytes.Repeat([]byte("<p>hello, lab</p>\n"), 20)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		e := lab.Event{Seq: uint64(i + 1), At: t0.Add(time.Duration(i) * time.Microsecond),
			Conv: lab.ConvID(i%convs + 1), Layer: "http", Side: lab.SideServer}
		switch i % 4 {
		case 0:
			e.Kind, e.Dir, e.Layer = lab.KindData, lab.ClientToServer, "tcp"
			e.Data = []byte(fmt.Sprintf("GET /page/%d HTTP/1.1\r\nHost: www.lab.test\r\n\r\n", i))
		case 1:
			e.Kind, e.Dir = lab.KindMessage, lab.ClientToServer
			e.Msg = &lab.Message{Dir: e.Dir, Summary: fmt.Sprintf("GET /page/%d", i),
				Meaning: "The client asks for a page; the server answers with a status and the page.",
				Ref:     "RFC 9112 §3", NextState: "request sent", Observed: true}
			target := fmt.Sprintf("/page/%d", i)
			e.Msg.Raw = []byte("GET " + target + " HTTP/1.1\r\n\r\n")
			e.Msg.Fields = []lab.Field{{Name: "method", Value: "GET", Len: 3}, {Name: "target", Value: target, Off: 4, Len: len(target)}}
			markSynthetic(e.Msg, i)
		case 2:
			e.Kind, e.Dir, e.Layer = lab.KindData, lab.ServerToClient, "tcp"
			// A page and some bytes that do not compress (an image, say).
			e.Data = append(bytes.Clone(body), make([]byte, 256)...)
			for j := len(body); j < len(e.Data); j++ {
				e.Data[j] = byte(rnd.Uint32())
			}
		case 3:
			e.Kind, e.From, e.To, e.Text = lab.KindState, "request sent", "idle", "200 OK"
		}
		s.Events = append(s.Events, e)
	}
	return s
}

func TestWriteReadSynthetic(t *testing.T) {
	s := synthetic(1000)
	var buf bytes.Buffer
	if err := Write(&buf, s); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	compareSessions(t, got, s)
	info, err := ReadInfo(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if info.Events != 1000 || info.Conversations != 100 || info.Size != int64(buf.Len()) {
		t.Errorf("ReadInfo = %+v, want 1000 events, 100 conversations, %d bytes", info, buf.Len())
	}
}
