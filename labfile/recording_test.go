package labfile

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// publish publishes n events to h, each with a message and data of size bytes
// (random, so they do not compress), pausing every 100 until r has spooled
// them, as a recording keeps up with a real capture's pace.
func publish(t *testing.T, h *lab.Hub, r *Recording, n, size int) {
	t.Helper()
	rnd := rand.New(rand.NewPCG(7, 8))
	data := make([]byte, size)
	for i := range n {
		for j := range data {
			data[j] = byte(rnd.Uint32())
		}
		m := &lab.Message{Dir: lab.ClientToServer, Summary: fmt.Sprintf("line %d", i), Raw: append([]byte(nil), data...)}
		h.Publish(lab.Event{Kind: lab.KindMessage, Conv: 1, Layer: "tcp", Dir: lab.ClientToServer, Msg: m})
		h.Publish(lab.Event{Kind: lab.KindData, Conv: 1, Layer: "tcp", Dir: lab.ClientToServer, Data: append([]byte(nil), data...)})
		if i%100 == 99 {
			waitSpooled(t, r, h.Stats().LastSeq)
		}
	}
	waitSpooled(t, r, h.Stats().LastSeq)
}

// waitSpooled waits until r has spooled (or lost) the events up to seq.
func waitSpooled(t *testing.T, r *Recording, seq uint64) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		n := r.lost
		for _, sg := range r.segs {
			n += uint64(sg.events)
		}
		if r.cur != nil {
			n += uint64(r.cur.events)
		}
		r.mu.Unlock()
		if n >= seq {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("the recording spooled %d of %d events", n, seq)
		}
	}
}

// TestRecordingKeepsMoreThanTheHub records 20,000 events through a hub that
// holds a few hundred: the session file has every one, in order, and the
// spool is gone.
func TestRecordingKeepsMoreThanTheHub(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "long.protolab")
	h := lab.NewHub(lab.HubOptions{MaxBytes: 256 << 10})
	r, err := Record(h, path, 0)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, h, r, 10_000, 100)
	if st := h.Stats(); st.Dropped == 0 {
		t.Fatalf("the hub dropped nothing (%d events held): the test shows nothing", st.Events)
	}
	stats, err := r.Save(path, &Session{Conversations: []lab.ConvInfo{{ID: 1, Protocol: "tcp", Transport: "tcp"}}})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Events != 20_000 || stats.Lost != 0 {
		t.Errorf("Save said %+v, want 20000 events, none lost", stats)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Events) != 20_000 || s.Lost != 0 {
		t.Fatalf("the file has %d events, %d lost; want 20000, 0", len(s.Events), s.Lost)
	}
	for i, e := range s.Events {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has sequence number %d", i, e.Seq)
		}
	}
	if m := s.Events[19_998].Msg; m == nil || m.Summary != "line 9999" || len(m.Raw) != 100 {
		t.Errorf("the last message is %+v", m)
	}
	if d := s.Events[1].Data; !bytes.Equal(d, s.Events[0].Msg.Raw) {
		t.Errorf("the first data event's bytes differ from its message's")
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 1 {
		t.Errorf("the folder holds %d entries after the save, want the session only: %v", len(left), left)
	}
}

// TestRecordingLimitKeepsTheNewest records ten times what the limit holds:
// the file keeps the newest events, in order, within about the limit, and
// says how many older ones it let go.
func TestRecordingLimitKeepsTheNewest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ring.protolab")
	h := lab.NewHub(lab.HubOptions{})
	const limit = 1 << 20
	r, err := Record(h, path, limit)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, h, r, 10_000, 500) // 10 MB of random bytes, twice
	stats, err := r.Save(path, &Session{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Lost == 0 || uint64(len(s.Events))+s.Lost != 20_000 || stats.Lost != s.Lost {
		t.Fatalf("the file has %d events and %d lost (Save said %+v); want 20000 in all, some lost", len(s.Events), s.Lost, stats)
	}
	for i, e := range s.Events {
		if want := s.Lost + uint64(i) + 1; e.Seq != want {
			t.Fatalf("event %d has sequence number %d, want %d: not the newest, in order", i, e.Seq, want)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > limit*9/8 || st.Size() < limit/2 {
		t.Errorf("the file has %d bytes for a limit of %d", st.Size(), limit)
	}
}

// TestRecordingRefusesAMissingFolder: a recording cannot begin where its file
// cannot be.
func TestRecordingRefusesAMissingFolder(t *testing.T) {
	h := lab.NewHub(lab.HubOptions{})
	if _, err := Record(h, filepath.Join(t.TempDir(), "no", "such.protolab"), 0); err == nil {
		t.Fatal("Record in a missing folder succeeded")
	}
	if _, err := Record(h, filepath.Join(t.TempDir(), "x.protolab"), -1); err == nil {
		t.Fatal("Record with a negative limit succeeded")
	}
}

// TestRecordingDiscard leaves nothing behind.
func TestRecordingDiscard(t *testing.T) {
	dir := t.TempDir()
	h := lab.NewHub(lab.HubOptions{})
	r, err := Record(h, filepath.Join(dir, "x.protolab"), 0)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, h, r, 100, 10)
	r.Discard()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the folder holds %v after Discard", left)
	}
}
