package imapserver_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/mailstore"
)

// TestClientSession walks our client through what a person does: list
// mailboxes, list and read messages, flag, move, delete and upload.
func TestClientSession(t *testing.T) {
	st := newStore(t, 3)
	ca := newCA(t)
	_, addr, _ := startServer(t, imapserver.Options{Stores: []*mailstore.Store{st}}, &ca)
	c := dial(t, addr, &ca, imapclient.Options{})
	if err := c.Login("alice@alpha.test", "alice"); err != nil {
		t.Fatal(err)
	}
	boxes, err := c.Mailboxes()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Name)
		if b.Name == "INBOX" && (b.Messages != 3 || b.Unseen != 3) {
			t.Errorf("INBOX = %+v, want 3 messages, 3 unseen", b)
		}
		if b.Name == "Sent" && !slices.Contains(b.Attrs, imap.MailboxAttrSent) {
			t.Errorf("Sent's attributes = %v, want \\Sent", b.Attrs)
		}
	}
	if got, want := strings.Join(names, " "), "INBOX Sent Trash"; got != want {
		t.Errorf("mailboxes = %s, want %s", got, want)
	}
	sel, err := c.Select("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if sel.Messages != 3 || sel.UIDNext != 4 {
		t.Errorf("SELECT = %+v, want 3 messages, UIDNEXT 4", sel)
	}
	list, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[1].UID != 2 || list[1].Subject != "Note 2" || list[1].From != "Bob <bob@beta.test>" || list[1].Seen() || list[1].Size != int64(len(mail(2))) {
		t.Fatalf("List = %+v", list)
	}
	raw, err := c.Fetch(2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, mail(2)) {
		t.Errorf("Fetch(2) = %q, want %q", raw, mail(2))
	}
	if err := c.AddFlags(1, imap.FlagFlagged); err != nil {
		t.Fatal(err)
	}
	if err := c.Move(3, "Trash"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(1); err != nil {
		t.Fatal(err)
	}
	if got := inbox(t, st); !slices.Equal(got, []uint32{2}) {
		t.Errorf("INBOX UIDs = %v, want [2]", got)
	}
	msgs, _ := st.List("alice@alpha.test", "INBOX")
	if !slices.Contains(msgs[0].Flags, mailstore.FlagSeen) {
		t.Errorf("flags of the message read = %v, want \\Seen", msgs[0].Flags)
	}
	trash, _ := st.List("alice@alpha.test", "Trash")
	if len(trash) != 1 {
		t.Errorf("Trash holds %d messages, want 1", len(trash))
	}
	uid, err := c.Append("Sent", mail(9), imap.FlagSeen)
	if err != nil {
		t.Fatal(err)
	}
	sent, _ := st.List("alice@alpha.test", "Sent")
	if len(sent) != 1 || sent[0].UID != uid || !slices.Contains(sent[0].Flags, mailstore.FlagSeen) {
		t.Errorf("Sent = %+v, APPEND's UID %d", sent, uid)
	}
	if err := c.Move(2, "Nowhere"); err == nil {
		t.Error("MOVE to a missing mailbox succeeded")
	} else if ie := new(imapclient.Error); !errors.As(err, &ie) || ie.Code != "TRYCREATE" {
		t.Errorf("MOVE to a missing mailbox: %v, want NO [TRYCREATE]", err)
	}
	list, err = c.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].UID != 2 || list[0].SeqNum != 1 {
		t.Errorf("List after the changes = %+v", list)
	}
	if err := c.Logout(); err != nil {
		t.Fatal(err)
	}
}

// TestIdleTwoClients: a client in IDLE is told at once when another client
// appends or flags a message, and when mail is delivered to the store.
func TestIdleTwoClients(t *testing.T) {
	st := newStore(t, 1)
	ca := newCA(t)
	_, addr, _ := startServer(t, imapserver.Options{Stores: []*mailstore.Store{st}}, &ca)
	watcher := login(t, addr, ca, imapclient.Options{})
	actor := login(t, addr, ca, imapclient.Options{})
	updates := make(chan imapclient.Update, 16)
	stop, err := watcher.Idle(func(u imapclient.Update) { updates <- u })
	if err != nil {
		t.Fatal(err)
	}
	next := func(what string) imapclient.Update {
		t.Helper()
		select {
		case u := <-updates:
			return u
		case <-time.After(10 * time.Second):
			t.Fatalf("no update in IDLE after %s", what)
		}
		return imapclient.Update{}
	}
	if _, err := actor.Append("INBOX", mail(2)); err != nil {
		t.Fatal(err)
	}
	if u := next("APPEND"); u.Kind != imapclient.Exists || u.Messages != 2 {
		t.Errorf("after APPEND: %+v, want 2 EXISTS", u)
	}
	if err := actor.AddFlags(1, imap.FlagFlagged); err != nil {
		t.Fatal(err)
	}
	if u := next("STORE"); u.Kind != imapclient.Flags || u.SeqNum != 1 || !slices.Contains(u.Flags, imap.FlagFlagged) {
		t.Errorf("after STORE: %+v, want message 1's flags with \\Flagged", u)
	}
	if _, err := st.Deliver("alice@alpha.test", mail(3)); err != nil {
		t.Fatal(err)
	}
	if u := next("Deliver"); u.Kind != imapclient.Exists || u.Messages != 3 {
		t.Errorf("after Deliver: %+v, want 3 EXISTS", u)
	}
	if err := actor.Delete(1); err != nil {
		t.Fatal(err)
	}
	// The \Deleted flag, then the removal.
	for u := next("Delete"); ; u = next("Delete") {
		if u.Kind == imapclient.Expunged {
			if u.SeqNum != 1 {
				t.Errorf("EXPUNGE of message %d, want 1", u.SeqNum)
			}
			break
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	list, err := watcher.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].UID != 2 || list[1].UID != 3 {
		t.Errorf("the watcher's list after IDLE = %+v, want UIDs 2 and 3", list)
	}
}

// TestLoginBeforeSTARTTLS: LOGIN is refused on a plain connection unless the
// person allows it; STARTTLS is then advertised, and LOGINDISABLED.
func TestLoginBeforeSTARTTLS(t *testing.T) {
	st := newStore(t, 0)
	ca := newCA(t)
	_, addr, _ := startServer(t, imapserver.Options{Stores: []*mailstore.Store{st}}, &ca)
	c := dial(t, addr, nil, imapclient.Options{})
	if !c.Caps().Has(imap.CapStartTLS) || !c.Caps().Has(imap.CapLoginDisabled) {
		t.Errorf("capabilities before STARTTLS = %v, want STARTTLS and LOGINDISABLED", c.Caps())
	}
	err := c.Login("alice", "alice")
	if ie := new(imapclient.Error); !errors.As(err, &ie) || ie.Code != "PRIVACYREQUIRED" {
		t.Errorf("LOGIN before STARTTLS: %v, want NO [PRIVACYREQUIRED]", err)
	}

	_, addr, _ = startServer(t, imapserver.Options{Stores: []*mailstore.Store{st}, AllowPlainBeforeTLS: true}, &ca)
	c = dial(t, addr, nil, imapclient.Options{})
	if err := c.Login("alice", "alice"); err != nil {
		t.Errorf("LOGIN before STARTTLS when allowed: %v", err)
	}
}

// TestWrongPassword: a wrong password is refused with AUTHENTICATIONFAILED, after
// a delay, and logged.
func TestWrongPassword(t *testing.T) {
	st := newStore(t, 0)
	ca := newCA(t)
	_, addr, logs := startServer(t, imapserver.Options{Stores: []*mailstore.Store{st}, AuthDelay: 50 * time.Millisecond}, &ca)
	c := dial(t, addr, &ca, imapclient.Options{})
	start := time.Now()
	err := c.Login("alice", "wrong")
	if ie := new(imapclient.Error); !errors.As(err, &ie) || ie.Code != "AUTHENTICATIONFAILED" {
		t.Errorf("wrong password: %v, want NO [AUTHENTICATIONFAILED]", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("a wrong password was answered after %v, before the delay", d)
	}
	if err := c.Login("bob@beta.test", "bob"); err == nil {
		t.Error("bob logged in to a server without beta.test")
	}
	if !strings.Contains(logs.String(), `failed login for "alice"`) {
		t.Errorf("log = %q", logs.String())
	}
	if err := c.Login("alice", "alice"); err != nil {
		t.Errorf("the right password after wrong ones: %v", err)
	}
}
