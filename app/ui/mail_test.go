package ui

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/clients/smtpclient"
	"github.com/protocollab/protolab/lab"
)

// mailWindow is a window with the lab DNS and every mail server running.
func mailWindow(t *testing.T) *Window {
	t.Helper()
	w := testWindow(t)
	if err := w.bench.Start("dns"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"smtp", "smtp-beta", "pop3", "imap"} {
		started(t, w, name)
	}
	return w
}

// calm waits for the panes' work under way: the test driver runs fyne.Do on
// the worker's goroutine, so the test touches widgets only when none runs.
func calm(w *Window) *Window {
	w.async.Wait()
	return w
}

// mailWait is waitFor for panes whose refresh starts work (an IMAP device
// lists again when the server tells of news): ok is asked once that work is done.
func mailWait(t *testing.T, w *Window, what string, ok func() bool) {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second) // a bound for a stuck test, not a speed check
	defer deadline.Stop()
	for {
		calm(w).refresh()
		if calm(w); ok() {
			return
		}
		select {
		case <-w.poke:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// tap taps b once the panes are calm.
func tap(w *Window, b fyne.Tappable) {
	calm(w)
	test.Tap(b)
}

// uniqueSubject tells this run's mails from those the shared test store kept.
func uniqueSubject(what string) string {
	return fmt.Sprintf("%s %d", what, time.Now().UnixNano())
}

// sendFromPane sends a mail with the smtp pane and waits for the outcome.
func sendFromPane(t *testing.T, w *Window, to, subject string, att *smtpclient.Attachment) *smtpPane {
	t.Helper()
	calm(w).selectProtocol("smtp")
	s := w.wb.benches["smtp"].client.(*smtpPane)
	calm(w)
	s.to.SetText(to)
	s.subject.SetText(subject)
	s.setAttachment(att)
	tap(w, s.send)
	mailWait(t, w, "the send", func() bool { return !s.busy })
	return s
}

func (d *imapDevice) find(subject string) *imapclient.Summary {
	for i := range d.msgs {
		if d.msgs[i].Subject == subject {
			return &d.msgs[i]
		}
	}
	return nil
}

// TestMailPanesEndToEnd is the mail lesson through the panes: alice sends to
// bob@beta.test (alpha relays to beta); two IMAP devices of bob's, both in
// IDLE, see it arrive; device 1 reads it and device 2 sees it \Seen; device 1
// deletes it and device 2's list loses it. A second mail is downloaded and
// deleted with POP3, and once POP3 logs out it is gone from IMAP too.
func TestMailPanesEndToEnd(t *testing.T) {
	w := mailWindow(t)
	im := w.wb.benches["imap"].client.(*imapPane)
	for _, d := range im.devs {
		calm(w)
		d.idle.SetChecked(true)
		tap(w, d.login)
	}
	calm(w).selectProtocol("imap")
	mailWait(t, w, "both IMAP devices in IDLE", func() bool {
		return im.devs[0].idleStop != nil && im.devs[1].idleStop != nil && !im.devs[0].busy && !im.devs[1].busy
	})

	subject := uniqueSubject("across the lab")
	note := []byte("an attached note\nwith two lines\n")
	s := sendFromPane(t, w, "bob@beta.test", subject, &smtpclient.Attachment{Name: "note.txt", Type: "text/plain", Data: note})
	if s.lastErr != nil {
		t.Fatalf("send: %v (status %q)", s.lastErr, s.status.Text)
	}
	if last := s.replies[len(s.replies)-1]; !strings.HasPrefix(last, "221") || !strings.Contains(strings.Join(s.replies, "\n"), "250") {
		t.Errorf("replies %q, want 250s and the 221 goodbye last", s.replies)
	}
	if s.lastConv == 0 {
		t.Error("the send's conversation is unknown")
	}

	calm(w).selectProtocol("imap")
	mailWait(t, w, "both devices to list the relayed mail", func() bool {
		return im.devs[0].find(subject) != nil && im.devs[1].find(subject) != nil && !im.devs[0].busy && !im.devs[1].busy
	})
	d1, d2 := im.devs[0], im.devs[1]
	if m := d2.find(subject); m.Seen() {
		t.Fatalf("the new mail is \\Seen before anyone read it: %v", m.Flags)
	}
	selectMsg(calm(w), d1, subject)
	tap(w, d1.read)
	mailWait(t, w, "device 1's read, and device 2 told of \\Seen", func() bool {
		m := d2.find(subject)
		return !d1.busy && im.view.raw != nil && m != nil && m.Seen()
	})
	mv := im.view.mail
	if mv.Subject != subject || !strings.Contains(mv.Text, "Hi Bob") || mv.From != "alice@alpha.test" {
		t.Errorf("mail view: subject %q, from %q, text %q; want the sent mail", mv.Subject, mv.From, mv.Text)
	}
	if len(mv.Attachments) != 1 || mv.Attachments[0].Name != "note.txt" || !bytes.Equal(mv.Attachments[0].Data, note) {
		t.Errorf("attachments %+v, want note.txt with its bytes", mv.Attachments)
	}

	tap(w, d1.flag)
	mailWait(t, w, "device 2 told of \\Flagged", func() bool {
		m := d2.find(subject)
		return !d1.busy && m != nil && m.Flagged()
	})
	if d1.flag.Text != "Unflag" {
		t.Errorf("flag button %q after flagging, want Unflag", d1.flag.Text)
	}
	tap(w, d1.del)
	mailWait(t, w, "device 2's list to lose the deleted mail", func() bool {
		return !d1.busy && d1.find(subject) == nil && d2.find(subject) == nil
	})

	// POP3 downloads and deletes; IMAP sees the mail go.
	second := uniqueSubject("for POP3")
	if s := sendFromPane(t, w, "bob@beta.test", second, nil); s.lastErr != nil {
		t.Fatalf("send: %v", s.lastErr)
	}
	calm(w).selectProtocol("imap")
	mailWait(t, w, "the second mail in IMAP", func() bool { return d2.find(second) != nil })

	calm(w).selectProtocol("pop3")
	p := w.wb.benches["pop3"].client.(*pop3Pane)
	calm(w)
	p.user.SetText("bob@beta.test")
	p.pass.SetText("bob")
	tap(w, p.login)
	mailWait(t, w, "the POP3 login", func() bool { return !p.busy && p.sess != nil })
	n := -1
	for i, m := range p.msgs {
		if m.Subject == second {
			n = i
		}
	}
	if n < 0 {
		t.Fatalf("POP3 lists %+v, want the second mail (status %q)", p.msgs, p.status.Text)
	}
	calm(w)
	p.list.Select(n)
	tap(w, p.retrieve)
	mailWait(t, w, "the retrieved mail", func() bool { return !p.busy && p.view.raw != nil })
	if p.view.mail.Subject != second {
		t.Errorf("POP3 mail view subject %q, want %q", p.view.mail.Subject, second)
	}
	tap(w, p.del)
	mailWait(t, w, "the DELE", func() bool { return !p.busy && p.msgs[n].Deleted })
	if !strings.Contains(p.status.Text, "QUIT") {
		t.Errorf("status after Delete %q, want it to say the mail goes at QUIT", p.status.Text)
	}
	calm(w).selectProtocol("imap")
	calm(w).refresh()
	if calm(w); d2.find(second) == nil {
		t.Fatal("the mail left IMAP before POP3's QUIT")
	}
	calm(w).selectProtocol("pop3")
	tap(w, p.logout)
	mailWait(t, w, "the QUIT", func() bool { return !p.busy && p.sess == nil })
	calm(w).selectProtocol("imap")
	mailWait(t, w, "IMAP to lose the mail POP3 deleted", func() bool {
		return d1.find(second) == nil && d2.find(second) == nil && !d1.busy && !d2.busy
	})

	// The inspector: the IMAP conversations read inside TLS.
	w.hub.Settle()
	var fetches int
	for _, ci := range w.hub.Conversations() {
		if ci.Protocol != "imap" {
			continue
		}
		for _, e := range w.hub.ConvEvents(ci.ID) {
			if e.Kind == lab.KindMessage && e.Msg != nil && e.Layer == "imap" && strings.Contains(e.Msg.Summary, "FETCH") {
				fetches++
			}
		}
	}
	if fetches == 0 {
		t.Error("no IMAP FETCH shown in the inspector: the TLS was not decrypted")
	}
}

func selectMsg(_ *Window, d *imapDevice, subject string) {
	for i := range d.msgs {
		if d.msgs[i].Subject == subject {
			d.list.Select(i)
		}
	}
}

// TestSMTPPaneRelayRefused sends to a domain outside the lab: the server
// refuses with 550 and the pane says why.
func TestSMTPPaneRelayRefused(t *testing.T) {
	w := mailWindow(t)
	s := sendFromPane(t, w, "someone@example.com", "out of the lab", nil)
	if s.lastErr == nil {
		t.Fatalf("a mail to example.com was sent; want it refused (status %q)", s.status.Text)
	}
	if !strings.Contains(s.status.Text, "550") || !strings.Contains(s.status.Text, "open relay") {
		t.Errorf("status %q, want the 550 and why", s.status.Text)
	}
	if s.status.Importance != widget.DangerImportance {
		t.Errorf("status importance %v, want it shown as an error", s.status.Importance)
	}
}

// TestMailPanesState keeps the composed mail and the logins' users in a saved
// session, and never a password.
func TestMailPanesState(t *testing.T) {
	w := testWindow(t)
	for _, name := range []string{"smtp", "smtp-beta", "pop3", "imap"} {
		w.selectProtocol(name)
	}
	beta := w.wb.benches["smtp-beta"].client.(*smtpPane)
	if beta.from.Text != "bob@beta.test" || beta.user.Text != "bob" || !beta.startTLS.Checked {
		t.Errorf("smtp-beta pane starts as %q (%q), want bob@beta.test with STARTTLS", beta.from.Text, beta.user.Text)
	}
	s := w.wb.benches["smtp"].client.(*smtpPane)
	s.to.SetText("carol@beta.test")
	s.subject.SetText("kept")
	s.body.SetText("a body\nof two lines")
	s.startTLS.SetChecked(false)
	p := w.wb.benches["pop3"].client.(*pop3Pane)
	p.user.SetText("bob@beta.test")
	im := w.wb.benches["imap"].client.(*imapPane)
	im.devs[1].user.SetText("alice@alpha.test")
	im.devs[1].idle.SetChecked(true)

	states := map[string][]byte{}
	for _, name := range []string{"smtp", "pop3", "imap"} {
		raw := w.wb.benches[name].client.(statefulPane).SaveState()
		if bytes.Contains(bytes.ToLower(raw), []byte("pass")) {
			t.Errorf("%s state %s keeps a password", name, raw)
		}
		states[name] = raw
	}

	w2 := testWindow(t)
	for name, raw := range states {
		w2.selectProtocol(name)
		w2.wb.benches[name].client.(statefulPane).LoadState(raw)
	}
	s2 := w2.wb.benches["smtp"].client.(*smtpPane)
	if s2.to.Text != "carol@beta.test" || s2.subject.Text != "kept" || s2.body.Text != "a body\nof two lines" || s2.startTLS.Checked {
		t.Errorf("smtp pane after load: to %q subject %q body %q STARTTLS %v", s2.to.Text, s2.subject.Text, s2.body.Text, s2.startTLS.Checked)
	}
	if p2 := w2.wb.benches["pop3"].client.(*pop3Pane); p2.user.Text != "bob@beta.test" || !p2.stls.Checked {
		t.Errorf("pop3 user %q STLS %v after load", p2.user.Text, p2.stls.Checked)
	}
	d := w2.wb.benches["imap"].client.(*imapPane).devs
	if d[0].user.Text != "bob@beta.test" || d[1].user.Text != "alice@alpha.test" || !d[1].idle.Checked || d[0].idle.Checked {
		t.Errorf("imap devices after load: %q %v, %q %v", d[0].user.Text, d[0].idle.Checked, d[1].user.Text, d[1].idle.Checked)
	}
}

// TestIMAPPaneMoveAndRefused moves a mail to Trash on one device (the other,
// idling, loses it from INBOX), and shows a wrong password's refusal.
func TestIMAPPaneMoveAndRefused(t *testing.T) {
	w := mailWindow(t)
	subject := uniqueSubject("to move")
	if s := sendFromPane(t, w, "bob@beta.test", subject, nil); s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	calm(w).selectProtocol("imap")
	im := w.wb.benches["imap"].client.(*imapPane)
	d1, d2 := im.devs[0], im.devs[1]
	d2.pass.SetText("wrong")
	tap(w, d2.login)
	mailWait(t, w, "the refused login", func() bool { return !d2.busy })
	if d2.c != nil || !strings.Contains(d2.status.Text, "Login refused") {
		t.Errorf("device 2 with a wrong password: logged in %v, status %q", d2.c != nil, d2.status.Text)
	}
	calm(w)
	d2.pass.SetText("bob")
	d2.idle.SetChecked(true)
	tap(w, d2.login)
	tap(w, d1.login)
	mailWait(t, w, "both logged in", func() bool { return d1.find(subject) != nil && d2.find(subject) != nil })
	selectMsg(calm(w), d1, subject)
	calm(w).wb.benches["imap"].client.Update()
	if !slices.Contains(d1.move.Options, "Trash") {
		t.Fatalf("Move to… offers %q, want Trash", d1.move.Options)
	}
	d1.moveTo("Trash") // what choosing Trash in Move to… does
	mailWait(t, w, "the move", func() bool { return !d1.busy && d1.find(subject) == nil && d2.find(subject) == nil })
	if !strings.Contains(d1.folders.Selected, "INBOX") {
		t.Errorf("folder %q after the move, want INBOX still", d1.folders.Selected)
	}
	var trash string
	for _, o := range d1.folders.Options {
		if strings.HasPrefix(o, "Trash") {
			trash = o
		}
	}
	calm(w)
	d1.open(d1.folderName(trash)) // what choosing it in the folder list does
	mailWait(t, w, "Trash", func() bool { return !d1.busy && d1.mailbox == "Trash" && d1.find(subject) != nil })
	tap(w, d1.logout)
	mailWait(t, w, "the logout", func() bool { return !d1.busy && d1.c == nil })
}
