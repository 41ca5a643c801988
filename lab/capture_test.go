package lab

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/zeebo/blake3"
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
	sum := blake3.Sum256(payload)
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
			t.Errorf("%s summary fields = %v, want 100000 bytes and BLAKE3 %s", m.Dir, fields, want)
		}
	}
	info := h.Conversation(id).Info(false)
	if info.BytesC2S != 100_000 || info.BytesS2C != 100_000 {
		t.Errorf("conversation counts %d / %d bytes, want every byte counted", info.BytesC2S, info.BytesS2C)
	}
}

// TestHashBufsReused: a buffer hashed is the next one filled, so a bulk
// transfer past the capture limit does not allocate at every write.
func TestHashBufsReused(t *testing.T) {
	// As in a transfer, several chunks wait in the queue at once before the
	// first is hashed and given back.
	chunk := make([]byte, 256<<10)
	queue := make([][]byte, 8)
	cycle := func() {
		for i := range queue {
			queue[i] = copyToBuf(chunk)
		}
		for _, b := range queue {
			putBuf(b)
		}
	}
	cycle()
	if n := testing.AllocsPerRun(20, cycle); n != 0 {
		t.Errorf("copying %d chunks to hash and giving them back allocates %v times, want 0", len(queue), n)
	}
	big := make([]byte, maxHashBuf+1)
	putBuf(copyToBuf(big))
	for range cap(hashBufs) + 1 {
		select {
		case b := <-hashBufs:
			if cap(b) > maxHashBuf {
				t.Fatalf("hashBufs kept a buffer of %d bytes, past maxHashBuf", cap(b))
			}
		default:
		}
	}
}
