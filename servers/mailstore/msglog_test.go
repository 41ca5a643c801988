package mailstore_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/servers/mailstore"
)

func inbox(dir string) string { return filepath.Join(dir, "alice", "INBOX") }

// TestLogDamageSetAside: a message log cut short keeps the messages before the
// cut, moves the rest aside unchanged, and takes new mail after them.
func TestLogDamageSetAside(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	for i := 1; i <= 3; i++ {
		if _, err := s.Deliver(alice, mail(i)); err != nil {
			t.Fatal(err)
		}
	}
	log := filepath.Join(inbox(dir), "messages.log")
	whole, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	cut := bytes.Index(whole, []byte("Hello 3.")) // inside the third record
	if err := os.WriteFile(log, whole[:cut], 0o600); err != nil {
		t.Fatal(err)
	}

	s2 := open(t, dir)
	msgs, err := s2.List(alice, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if got := uids(msgs); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("after a cut log UIDs = %v, want [1 2]", got)
	}
	aside, _ := filepath.Glob(log + ".damaged-*")
	if len(aside) != 1 {
		t.Fatalf("set aside: %v, want one file", aside)
	}
	kept, _ := os.ReadFile(aside[0])
	good, _ := os.ReadFile(log)
	if !bytes.Equal(append(good, kept...), whole[:cut]) {
		t.Errorf("log %d bytes + set aside %d bytes differ from the %d bytes there were", len(good), len(kept), cut)
	}
	if m, err := s2.Deliver(alice, mail(4)); err != nil || m.UID != 3 {
		t.Fatalf("Deliver after the cut = UID %d, %v; want UID 3", m.UID, err)
	}
	s3 := open(t, dir)
	for uid, n := range map[uint32]int{1: 1, 2: 2, 3: 4} {
		if raw, err := s3.Fetch(alice, "INBOX", uid); err != nil || !bytes.Equal(raw, mail(n)) {
			t.Errorf("Fetch(%d) after reopening = %q, %v; want mail %d", uid, raw, err, n)
		}
	}
}

// TestFilesOfEarlierVersions: a mailbox whose messages are files of their own
// (<uid>.eml) is read as before; new mail goes into the log beside them.
func TestFilesOfEarlierVersions(t *testing.T) {
	dir := t.TempDir()
	box := inbox(dir)
	os.MkdirAll(box, 0o700)
	date := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	ix := `{"version":1,"name":"INBOX","uidValidity":7,"uidNext":3,"messages":[` +
		`{"uid":1,"flags":["\\Seen"],"date":"2025-03-04T05:06:07Z"},{"uid":2,"date":"2025-03-04T05:06:07Z"}]}`
	os.WriteFile(filepath.Join(box, "index.json"), []byte(ix), 0o600)
	os.WriteFile(filepath.Join(box, "1.eml"), mail(1), 0o600)
	os.WriteFile(filepath.Join(box, "2.eml"), mail(2), 0o600)

	s := open(t, dir)
	if m, err := s.Deliver(alice, mail(3)); err != nil || m.UID != 3 {
		t.Fatalf("Deliver = UID %d, %v; want 3", m.UID, err)
	}
	if _, err := s.Copy(alice, "INBOX", []uint32{1}, "INBOX"); err != nil {
		t.Fatal(err)
	}
	for uid, n := range map[uint32]int{1: 1, 2: 2, 3: 3, 4: 1} {
		if raw, err := s.Fetch(alice, "INBOX", uid); err != nil || !bytes.Equal(raw, mail(n)) {
			t.Errorf("Fetch(%d) = %q, %v; want mail %d", uid, raw, err, n)
		}
	}
	msgs, _ := s.List(alice, "INBOX")
	if !msgs[0].Date.Equal(date) || len(msgs[0].Flags) != 1 {
		t.Errorf("UID 1 = %+v, want the index's date and \\Seen", msgs[0])
	}
	if err := s.Expunge(alice, "INBOX", []uint32{1, 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(box, "1.eml")); !os.IsNotExist(err) {
		t.Errorf("1.eml after its message was expunged: %v", err)
	}
	before := snapshot(t, s)
	if after := snapshot(t, open(t, dir)); after != before {
		t.Errorf("after reopening:\n%s\nwant\n%s", after, before)
	}
}

// TestCompaction: when expunged messages outweigh the others, the log is
// rewritten without them, and every message left reads as before, now and
// after reopening.
func TestCompaction(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	big := func(n int) []byte {
		return append(mail(n), strings.Repeat("x", 64<<10)...)
	}
	const count = 40
	for i := 1; i <= count; i++ {
		if _, err := s.Deliver(alice, big(i)); err != nil {
			t.Fatal(err)
		}
	}
	log := filepath.Join(inbox(dir), "messages.log")
	full, _ := os.Stat(log)
	var gone []uint32
	for uid := uint32(1); uid <= count; uid++ {
		if uid%4 != 0 {
			gone = append(gone, uid)
		}
	}
	// Expunged in two steps: the first leaves fewer expunged bytes than live ones.
	if err := s.Expunge(alice, "INBOX", gone[:10]); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(log); fi.Size() < full.Size() {
		t.Errorf("log rewritten with 10 of 40 expunged: %d bytes, was %d", fi.Size(), full.Size())
	}
	if err := s.Expunge(alice, "INBOX", gone[10:]); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(log)
	if fi.Size() > full.Size()/4+4096 || fi.Size() < full.Size()/4-4096 {
		t.Errorf("log after expunging 30 of 40 = %d bytes, want about %d", fi.Size(), full.Size()/4)
	}
	check := func(s *mailstore.Store) {
		t.Helper()
		msgs, _ := s.List(alice, "INBOX")
		if len(msgs) != count/4 {
			t.Fatalf("%d messages left, want %d", len(msgs), count/4)
		}
		for _, m := range msgs {
			if raw, err := s.Fetch(alice, "INBOX", m.UID); err != nil || !bytes.Equal(raw, big(int(m.UID))) {
				t.Errorf("Fetch(%d) = %d bytes, %v; want message %d", m.UID, len(raw), err, m.UID)
			}
		}
	}
	check(s)
	if m, err := s.Deliver(alice, mail(99)); err != nil || m.UID != count+1 {
		t.Errorf("Deliver after the rewrite = UID %d, %v", m.UID, err)
	}
	s2 := open(t, dir)
	s2.Expunge(alice, "INBOX", []uint32{count + 1})
	check(s2)
}

// TestExpungedRecordsStayExpunged: records of expunged messages not yet
// reclaimed are not messages again after reopening.
func TestExpungedRecordsStayExpunged(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	for i := 1; i <= 3; i++ {
		s.Deliver(alice, mail(i))
	}
	if err := s.Expunge(alice, "INBOX", []uint32{2}); err != nil {
		t.Fatal(err)
	}
	s.Deliver(alice, mail(4)) // UID 4, after the index was written
	got := uids(mustList(t, open(t, dir)))
	if len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 4 {
		t.Errorf("UIDs after reopening = %v, want [1 3 4]", got)
	}
}

// TestExpungedWithoutIndex: the log says which of its messages were
// expunged, so a mailbox rebuilt without its index does not bring them back,
// nor gives a new message the UID of one gone.
func TestExpungedWithoutIndex(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	for i := 1; i <= 4; i++ {
		s.Deliver(alice, mail(i))
	}
	if err := s.Expunge(alice, "INBOX", []uint32{2, 4}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(inbox(dir), "index.json")); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, dir)
	got := uids(mustList(t, s2))
	if len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Errorf("UIDs rebuilt without the index = %v, want [1 3]", got)
	}
	if m, err := s2.Deliver(alice, mail(5)); err != nil || m.UID != 5 {
		t.Errorf("Deliver after the rebuild = UID %d, %v; want 5", m.UID, err)
	}
	if got := uids(mustList(t, open(t, dir))); len(got) != 3 || got[2] != 5 {
		t.Errorf("UIDs after reopening = %v, want [1 3 5]", got)
	}
}

func mustList(t *testing.T, s *mailstore.Store) []mailstore.Message {
	t.Helper()
	msgs, err := s.List(alice, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}
