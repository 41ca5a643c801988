package lab

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/zeebo/xxh3"
)

func TestCaptureLimitCountsAndHashesTheRest(t *testing.T) {
	reg := &Registry{}
	p := &Protocol{Name: "bulk", Transport: "line", CaptureLimit: 4096, NewAnalyzer: func() Analyzer { return &lineAnalyzer{} }}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg})
	// When the lab says a conversation ended, its events are in the log,
	// the summaries included: count them then.
	atEnd := make(chan int, 1)
	h.OnConversation(func(id ConvID) {
		if h.Conversation(id).Info(false).Live {
			return
		}
		n := 0
		for _, e := range h.ConvEvents(id) {
			if e.Kind == KindMessage && e.Msg != nil && strings.Contains(e.Msg.Summary, digestName) {
				n++
			}
		}
		select {
		case atEnd <- n:
		default:
		}
	})
	tap := h.Tap(p)
	addr := echoServer(t, tap)

	payload := make([]byte, 100_000)
	rand.Read(payload)
	c, err := tap.Dial(t.Context(), "tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	go c.Write(payload)
	if _, err := io.ReadFull(c, make([]byte, len(payload))); err != nil {
		t.Fatal(err)
	}
	id := ConnConversation(c).ID()
	c.Close()
	waitEnded(t, h, id)
	h.Settle()

	var kept [3][3]int
	var summaries []*Message
	for _, e := range h.ConvEvents(id) {
		switch {
		case e.Kind == KindData:
			kept[e.Side][e.Dir] += len(e.Data)
		case e.Kind == KindMessage && e.Msg != nil && strings.Contains(e.Msg.Summary, digestName):
			summaries = append(summaries, e.Msg)
		}
	}
	for _, s := range []Side{SideClient, SideServer} {
		for _, d := range []Dir{ClientToServer, ServerToClient} {
			if kept[s][d] != 4096 {
				t.Errorf("%s's view of %s: %d bytes kept, want the limit 4096", s, d, kept[s][d])
			}
		}
	}
	// The one-shot hash of the whole, against the capture's, written piece by
	// piece as the writes came.
	sum := xxh3.Hash128(payload).Bytes()
	want := hex.EncodeToString(sum[:])
	if len(summaries) != 2 {
		t.Fatalf("%d summaries, want one per direction", len(summaries))
	}
	if n := <-atEnd; n != 2 {
		t.Errorf("%d summaries in the log when the conversation was said to end, want both", n)
	}
	for _, m := range summaries {
		fields := map[string]string{}
		for _, f := range m.Fields {
			fields[f.Name] = f.Value
		}
		if fields["bytes"] != "100000" || fields[digestName] != want {
			t.Errorf("%s summary fields = %v, want 100000 bytes and XXH128 %s", m.Dir, fields, want)
		}
	}
	info := h.Conversation(id).Info(false)
	if info.BytesC2S != 100_000 || info.BytesS2C != 100_000 {
		t.Errorf("conversation counts %d / %d bytes, want every byte counted", info.BytesC2S, info.BytesS2C)
	}
}

// TestPastTheLimitAllocatesNothing: bytes past a conversation's capture
// limit are counted and hashed where they are, so a bulk transfer's writes
// past it allocate nothing, and queue nothing for the analysis.
func TestPastTheLimitAllocatesNothing(t *testing.T) {
	reg := &Registry{}
	p := &Protocol{Name: "bulk", Transport: "bulk", CaptureLimit: 4096}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg})
	client := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	server := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 21}
	c := h.attach(p, client, server, SideServer, false, OpenInfo{})
	chunk := make([]byte, 256<<10)
	now := time.Now()
	c.data(SideServer, ServerToClient, chunk, now) // passes the limit
	h.Settle()
	if n := testing.AllocsPerRun(50, func() { c.data(SideServer, ServerToClient, chunk, now) }); n != 0 {
		t.Errorf("a write past the limit allocates %v times, want 0", n)
	}
	c.mu.Lock()
	queued := len(c.ops)
	c.mu.Unlock()
	if queued != 0 {
		t.Errorf("%d ops queued for writes past the limit, want none", queued)
	}
}

// TestServerTapDecidesTheLimit: when both ends are tapped, the server tap's
// protocol decides how much is kept, whichever tap saw the connection first;
// a count-only limit keeps its first bytes, counts the rest and hashes none.
func TestServerTapDecidesTheLimit(t *testing.T) {
	counted := func(limit int64) *Protocol {
		return &Protocol{Name: "raw", Transport: "tcp", CaptureLimit: limit, CaptureCountOnly: limit > 0}
	}
	for _, tc := range []struct {
		name           string
		client, server int64 // the taps' protocols' limits
		serverFirst    bool
		want           int // bytes kept of each direction, by each tap
	}{
		{"client first, server keeps all", 4096, 0, false, 100_000},
		{"server first, server keeps all", 4096, 0, true, 100_000},
		{"client first, server keeps less", 0, 4096, false, 4096},
		{"server first, server keeps less", 0, 4096, true, 4096},
		{"client first, server keeps more", 4096, 8192, false, 8192},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHub(HubOptions{Registry: &Registry{}})
			ctap, stap := h.Tap(counted(tc.client)), h.Tap(counted(tc.server))
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			accepted := make(chan net.Conn, 1)
			go func() {
				c, _ := l.Accept()
				accepted <- c
			}()
			rawc, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			raws := <-accepted
			var c, s net.Conn
			if tc.serverFirst {
				s, c = stap.Conn(raws, SideServer), ctap.Conn(rawc, SideClient)
			} else {
				c, s = ctap.Conn(rawc, SideClient), stap.Conn(raws, SideServer)
			}
			go func() {
				io.Copy(s, s)
				s.Close()
			}()
			payload := make([]byte, 100_000)
			rand.Read(payload)
			go c.Write(payload)
			if _, err := io.ReadFull(c, make([]byte, len(payload))); err != nil {
				t.Fatal(err)
			}
			id := ConnConversation(c).ID()
			if ConnConversation(s).ID() != id {
				t.Fatal("the two taps recorded two conversations")
			}
			c.Close()
			waitEnded(t, h, id)
			h.Settle()
			var kept [3][3]int
			var totals []*Message
			for _, e := range h.ConvEvents(id) {
				switch {
				case e.Kind == KindData:
					kept[e.Side][e.Dir] += len(e.Data)
				case e.Kind == KindMessage && e.Msg != nil && strings.Contains(e.Msg.Summary, " in all ("):
					totals = append(totals, e.Msg)
				}
			}
			for _, s := range []Side{SideClient, SideServer} {
				for _, d := range []Dir{ClientToServer, ServerToClient} {
					if kept[s][d] != tc.want {
						t.Errorf("%s's view of %s: %d bytes kept, want %d", s, d, kept[s][d], tc.want)
					}
				}
			}
			wantTotals := 2
			if tc.want == len(payload) {
				wantTotals = 0
			}
			if len(totals) != wantTotals {
				t.Fatalf("%d totals, want %d", len(totals), wantTotals)
			}
			for _, m := range totals {
				fields := map[string]string{}
				for _, f := range m.Fields {
					fields[f.Name] = f.Value
				}
				if fields["bytes"] != "100000" || fields["kept"] != fmt.Sprint(tc.want) || fields[digestName] != "" {
					t.Errorf("%s total: %q, fields %v; want 100000 bytes, %d kept, no hash", m.Dir, m.Summary, fields, tc.want)
				}
			}
		})
	}
}
