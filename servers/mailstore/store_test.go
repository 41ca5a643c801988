package mailstore_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/servers/mailstore"
)

const (
	alice = "alice@alpha.test"
	carol = "carol@alpha.test"
)

func open(t testing.TB, dir string) *mailstore.Store {
	t.Helper()
	s, err := mailstore.Open(dir, "alpha.test")
	if err != nil {
		t.Fatal(err)
	}
	s.SetAccounts([]mailstore.Account{{User: "alice", Password: "alice"}, {User: "carol", Password: "secret"}})
	return s
}

func mail(n int) []byte {
	return fmt.Appendf(nil, "From: bob@beta.test\r\nTo: alice@alpha.test\r\nSubject: note %d\r\n\r\nHello %d.\r\n", n, n)
}

func uids(msgs []mailstore.Message) []uint32 {
	var out []uint32
	for _, m := range msgs {
		out = append(out, m.UID)
	}
	return out
}

func TestAuthenticate(t *testing.T) {
	s := open(t, t.TempDir())
	for _, name := range []string{"alice", "alice@alpha.test", "Alice@ALPHA.test"} {
		addr, err := s.Authenticate(name, "alice")
		if err != nil || addr != alice {
			t.Errorf("Authenticate(%q) = %q, %v, want %q", name, addr, err, alice)
		}
	}
	for _, c := range [][2]string{{"alice", "wrong"}, {"alice@beta.test", "alice"}, {"nobody", ""}, {"", ""}} {
		if _, err := s.Authenticate(c[0], c[1]); !errors.Is(err, mailstore.ErrAuth) {
			t.Errorf("Authenticate(%q, %q) error = %v, want ErrAuth", c[0], c[1], err)
		}
	}
	boxes, err := s.Mailboxes(alice)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Name)
	}
	if want := []string{"INBOX", "Sent", "Trash"}; !slices.Equal(names, want) {
		t.Errorf("Mailboxes after first login = %q, want %q", names, want)
	}
	if !s.HasUser(alice) || s.HasUser("dave@alpha.test") || s.HasUser("alice@beta.test") {
		t.Error("HasUser is wrong")
	}
}

func TestDeliverListFetchFlags(t *testing.T) {
	s := open(t, t.TempDir())
	if _, err := s.Deliver("dave@alpha.test", mail(0)); !errors.Is(err, mailstore.ErrNoSuchUser) {
		t.Errorf("Deliver to an unknown user: error = %v, want ErrNoSuchUser", err)
	}
	for i := 1; i <= 3; i++ {
		m, err := s.Deliver(alice, mail(i))
		if err != nil {
			t.Fatal(err)
		}
		if m.UID != uint32(i) || !slices.Equal(m.Flags, []string{`\Recent`}) || m.Size != int64(len(mail(i))) {
			t.Errorf("Deliver #%d = %+v", i, m)
		}
	}
	msgs, err := s.List(alice, "inbox")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := uids(msgs), []uint32{1, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("List UIDs = %v, want %v", got, want)
	}
	raw, err := s.Fetch(alice, "INBOX", 2)
	if err != nil || string(raw) != string(mail(2)) {
		t.Errorf("Fetch(2) = %q, %v", raw, err)
	}
	if _, err := s.Fetch(alice, "INBOX", 9); !errors.Is(err, mailstore.ErrNoSuchMessage) {
		t.Errorf("Fetch(9) error = %v, want ErrNoSuchMessage", err)
	}
	got, err := s.StoreFlags(alice, "INBOX", []uint32{1, 2, 9}, mailstore.FlagsAdd, []string{`\Seen`, `\Flagged`})
	if err != nil || len(got) != 2 || !slices.Equal(got[0].Flags, []string{`\Recent`, `\Seen`, `\Flagged`}) {
		t.Errorf("StoreFlags add = %+v, %v", got, err)
	}
	got, _ = s.StoreFlags(alice, "INBOX", []uint32{1}, mailstore.FlagsRemove, []string{`\recent`})
	if !slices.Equal(got[0].Flags, []string{`\Seen`, `\Flagged`}) {
		t.Errorf("StoreFlags remove = %q", got[0].Flags)
	}
	got, _ = s.StoreFlags(alice, "INBOX", []uint32{2}, mailstore.FlagsSet, []string{`$Work`})
	if !slices.Equal(got[0].Flags, []string{`$Work`}) {
		t.Errorf("StoreFlags set = %q", got[0].Flags)
	}
	st, err := s.Status(alice, "INBOX")
	if err != nil || st.Messages != 3 || st.Unseen != 2 || st.UIDNext != 4 || st.UIDValidity == 0 {
		t.Errorf("Status = %+v, %v", st, err)
	}
	if err := s.Expunge(alice, "INBOX", []uint32{2, 7}); err != nil {
		t.Fatal(err)
	}
	msgs, _ = s.List(alice, "INBOX")
	if got, want := uids(msgs), []uint32{1, 3}; !slices.Equal(got, want) {
		t.Errorf("after Expunge UIDs = %v, want %v", got, want)
	}
	m, err := s.Deliver(alice, mail(4))
	if err != nil || m.UID != 4 {
		t.Errorf("Deliver after Expunge UID = %d, %v, want 4", m.UID, err)
	}
	if _, err := s.List(alice, "Nope"); !errors.Is(err, mailstore.ErrNoSuchMailbox) {
		t.Errorf("List(Nope) error = %v, want ErrNoSuchMailbox", err)
	}
}

func TestCopyMoveMailboxes(t *testing.T) {
	s := open(t, t.TempDir())
	if _, err := s.Authenticate("alice", "alice"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		s.Deliver(alice, mail(i))
	}
	s.StoreFlags(alice, "INBOX", []uint32{1}, mailstore.FlagsSet, []string{`\Seen`})
	if err := s.CreateMailbox(alice, "Archive"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMailbox(alice, "Archive"); !errors.Is(err, mailstore.ErrExists) {
		t.Errorf("CreateMailbox twice error = %v, want ErrExists", err)
	}
	n, err := s.Copy(alice, "INBOX", []uint32{1, 3, 8}, "Archive")
	if err != nil || !slices.Equal(n, []uint32{1, 2}) {
		t.Errorf("Copy = %v, %v, want [1 2]", n, err)
	}
	arch, _ := s.List(alice, "Archive")
	if len(arch) != 2 || !slices.Equal(arch[0].Flags, []string{`\Seen`, `\Recent`}) {
		t.Errorf("Archive after Copy = %+v", arch)
	}
	n, err = s.Move(alice, "INBOX", []uint32{2}, "Trash")
	if err != nil || !slices.Equal(n, []uint32{1}) {
		t.Errorf("Move = %v, %v, want [1]", n, err)
	}
	raw, _ := s.Fetch(alice, "Trash", 1)
	if string(raw) != string(mail(2)) {
		t.Errorf("moved message = %q", raw)
	}
	inbox, _ := s.List(alice, "INBOX")
	if got, want := uids(inbox), []uint32{1, 3}; !slices.Equal(got, want) {
		t.Errorf("INBOX after Move = %v, want %v", got, want)
	}
	if err := s.CreateMailbox(alice, "Archive/2025"); err != nil {
		t.Fatal(err)
	}
	if err := s.RenameMailbox(alice, "Archive", "Old"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Status(alice, "Old/2025"); err != nil {
		t.Errorf("child not renamed: %v", err)
	}
	if raw, _ := s.Fetch(alice, "Old", 2); string(raw) != string(mail(3)) {
		t.Errorf("renamed mailbox lost its message: %q", raw)
	}
	if err := s.RenameMailbox(alice, "INBOX", "Before"); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Status(alice, "INBOX"); st.Messages != 0 {
		t.Errorf("INBOX after rename holds %d messages, want 0", st.Messages)
	}
	if st, _ := s.Status(alice, "Before"); st.Messages != 2 {
		t.Errorf("Before holds %d messages, want 2", st.Messages)
	}
	if err := s.DeleteMailbox(alice, "INBOX"); err == nil {
		t.Error("DeleteMailbox(INBOX) succeeded")
	}
	if err := s.DeleteMailbox(alice, "Old"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Status(alice, "Old"); !errors.Is(err, mailstore.ErrNoSuchMailbox) {
		t.Errorf("Status of a deleted mailbox: %v", err)
	}
	// Odd names are kept safely on disk.
	for _, name := range []string{"../x", "Ünïcode", "a.b", "%41"} {
		if err := s.CreateMailbox(alice, name); err != nil {
			t.Errorf("CreateMailbox(%q): %v", name, err)
		}
	}
	if err := s.CreateMailbox(alice, "%41"); !errors.Is(err, mailstore.ErrExists) {
		t.Errorf("CreateMailbox(%%41) twice: %v", err)
	}
	if _, err := s.Status(alice, "A"); err == nil {
		t.Error(`mailbox "A" exists, but only "%41" was made`)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	s.Authenticate("alice", "alice")
	for i := 1; i <= 4; i++ {
		s.Deliver(alice, mail(i))
	}
	s.StoreFlags(alice, "INBOX", []uint32{2}, mailstore.FlagsSet, []string{`\Seen`, `\Answered`})
	s.Expunge(alice, "INBOX", []uint32{4})
	s.Deliver(alice, mail(5)) // after the last index write
	s.CreateMailbox(alice, "Work/Projects")
	s.Append(alice, "Work/Projects", mail(6), []string{`\Draft`}, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	before := snapshot(t, s)

	s2 := open(t, dir)
	after := snapshot(t, s2)
	if before != after {
		t.Errorf("after reopening:\n%s\nwant\n%s", after, before)
	}
	if m, _ := s2.Deliver(alice, mail(7)); m.UID != 6 {
		t.Errorf("UID after reopening = %d, want 6", m.UID)
	}
}

func snapshot(t *testing.T, s *mailstore.Store) string {
	t.Helper()
	var b strings.Builder
	boxes, err := s.Mailboxes(alice)
	if err != nil {
		t.Fatal(err)
	}
	for _, mb := range boxes {
		fmt.Fprintf(&b, "%+v\n", mb)
		msgs, _ := s.List(alice, mb.Name)
		for _, m := range msgs {
			raw, _ := s.Fetch(alice, mb.Name, m.UID)
			fmt.Fprintf(&b, "  %d %q %s %d %q\n", m.UID, m.Flags, m.Date.UTC().Format(time.RFC3339), m.Size, raw)
		}
	}
	return b.String()
}

func TestDamagedIndex(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	s.Deliver(alice, mail(1))
	s.StoreFlags(alice, "INBOX", []uint32{1}, mailstore.FlagsAdd, []string{`\Seen`})
	ix := filepath.Join(dir, "alice", "INBOX", "index.json")
	if err := os.WriteFile(ix, []byte(`{"version":1,"name":"INB`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := mailstore.Open(dir, "alpha.test")
	if err == nil || !strings.Contains(err.Error(), ix) {
		t.Fatalf("Open with a damaged index: error = %v, want one naming %s", err, ix)
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "alice", "INBOX", "messages.log")); err != nil || !strings.Contains(string(raw), string(mail(1))) {
		t.Errorf("the message was lost: %v", err)
	}
	// Moved aside, the mailbox is rebuilt from its messages.
	os.Rename(ix, ix+".damaged")
	s2 := open(t, dir)
	if raw, err := s2.Fetch(alice, "INBOX", 1); err != nil || string(raw) != string(mail(1)) {
		t.Errorf("Fetch after rebuilding = %q, %v", raw, err)
	}
}

func TestConcurrentDeliver(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				to := alice
				if i%2 == 1 {
					to = carol
				}
				if _, err := s.Deliver(to, mail(w*each+i)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			s.List(alice, "INBOX")
			s.StoreFlags(alice, "INBOX", []uint32{1, 2, 3}, mailstore.FlagsAdd, []string{`\Seen`})
		}
	})
	wg.Wait()
	a, _ := s.List(alice, "INBOX")
	c, _ := s.List(carol, "INBOX")
	if len(a)+len(c) != workers*each {
		t.Errorf("delivered %d+%d messages, want %d", len(a), len(c), workers*each)
	}
	for i, m := range a {
		if m.UID != uint32(i+1) {
			t.Fatalf("UIDs not dense and sorted: %v", uids(a))
		}
	}
	s2 := open(t, dir)
	a2, _ := s2.List(alice, "INBOX")
	if !slices.Equal(uids(a), uids(a2)) {
		t.Errorf("after reopening UIDs = %v, want %v", uids(a2), uids(a))
	}
}

func TestWatch(t *testing.T) {
	s := open(t, t.TempDir())
	ch, stop := s.Watch(alice)
	all, stopAll := s.Watch("")
	defer stopAll()
	s.Deliver(alice, mail(1))
	s.Deliver(carol, mail(2))
	s.StoreFlags(alice, "INBOX", []uint32{1}, mailstore.FlagsAdd, []string{`\Seen`})
	s.Expunge(alice, "INBOX", []uint32{1})
	want := []mailstore.Change{
		{Kind: mailstore.Added, User: alice, Mailbox: "INBOX", UID: 1, Flags: []string{`\Recent`}},
		{Kind: mailstore.FlagsChanged, User: alice, Mailbox: "INBOX", UID: 1, Flags: []string{`\Recent`, `\Seen`}},
		{Kind: mailstore.Expunged, User: alice, Mailbox: "INBOX", UID: 1},
	}
	for _, w := range want {
		got := <-ch
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("change = %+v, want %+v", got, w)
		}
	}
	stop()
	stop()
	if _, ok := <-ch; ok {
		t.Error("channel open after stop")
	}
	if got := len(all); got != 4 {
		t.Errorf("watcher of every user got %d changes, want 4", got)
	}
	// A watcher nobody reads never blocks delivery.
	slow, stopSlow := s.Watch(alice)
	defer stopSlow()
	for i := range 400 {
		if _, err := s.Deliver(alice, mail(i)); err != nil {
			t.Fatal(err)
		}
	}
	if len(slow) != cap(slow) {
		t.Errorf("slow watcher holds %d of %d", len(slow), cap(slow))
	}
}

func BenchmarkDeliver(b *testing.B) {
	s := open(b, b.TempDir())
	raw := mail(1)
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Deliver(alice, raw); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
}

func TestDefaultIsShared(t *testing.T) {
	data := t.TempDir()
	a, err := mailstore.Default(data, "alpha.test")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := mailstore.Default(data, "alpha.test")
	if a != b {
		t.Error("Default returned two stores for one domain")
	}
	if _, err := a.Authenticate("alice", "alice"); err != nil {
		t.Errorf("default account: %v", err)
	}
	beta, _ := mailstore.Default(data, "beta.test")
	if _, err := beta.Authenticate("bob@beta.test", "bob"); err != nil || beta == a {
		t.Errorf("beta.test: %v", err)
	}
	if _, err := mailstore.Shared(mailstore.DefaultDir(data, "alpha.test"), "beta.test"); err == nil {
		t.Error("Shared opened alpha.test's folder as beta.test")
	}
}
