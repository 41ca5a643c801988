package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/pop3client"
)

// Bounds of the mail panes.
const (
	mailDialTimeout = 10 * time.Second
	pop3MaxHeaders  = 200 // messages whose From and Subject the list asks for (TOP n 0)
)

// pop3Msg is one message of the maildrop as the list shows it.
type pop3Msg struct {
	Number        int
	Size          int64
	From, Subject string
	Deleted       bool // marked with DELE; deleted at QUIT
}

// pop3Pane is the POP3 client: log in, list the maildrop, retrieve a message,
// mark messages deleted (undone by Reset) and log out, which is when the server
// deletes them — POP3 downloads mail and takes it off the server.
type pop3Pane struct {
	runner
	ctx      PaneContext
	addr     *addrEntry
	user     *widget.Entry
	pass     *widget.Entry
	stls     *widget.Check
	login    *widget.Button
	logout   *widget.Button
	retrieve *widget.Button
	del      *widget.Button
	reset    *widget.Button
	status   *widget.Label
	list     *widget.List
	view     *mailView
	obj      fyne.CanvasObject

	sess *pop3client.Client
	msgs []pop3Msg
	sel  int
}

func newPOP3Pane(ctx PaneContext) *pop3Pane {
	p := &pop3Pane{ctx: ctx, sel: -1}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.addr.SetPlaceHolder("mail.alpha.test:1110 — lab names are looked up at the lab's DNS server")
	p.user = widget.NewEntry()
	p.user.SetText("alice@alpha.test")
	p.pass = widget.NewPasswordEntry()
	p.pass.SetText("alice")
	p.stls = widget.NewCheck("STLS", nil)
	p.stls.SetChecked(true)
	p.login = widget.NewButtonWithIcon("Log in", theme.LoginIcon(), p.dial)
	p.login.Importance = widget.HighImportance
	p.logout = widget.NewButtonWithIcon("Log out (QUIT)", theme.LogoutIcon(), p.quit)
	p.retrieve = widget.NewButtonWithIcon("Retrieve", theme.DownloadIcon(), p.retr)
	p.del = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), p.dele)
	p.del.Importance = widget.DangerImportance
	p.reset = widget.NewButtonWithIcon("Reset (RSET)", theme.ContentUndoIcon(), p.rset)
	p.status = widget.NewLabel("Not logged in. POP3 downloads mail to this client; what you delete leaves the server when you log out.")
	p.status.Wrapping = fyne.TextWrapWord
	p.runner = newRunner(ctx, p.status, p.enable)
	p.problem = pop3Problem
	p.list = widget.NewList(
		func() int { return len(p.msgs) },
		func() fyne.CanvasObject { return newLineText() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(p.msgs) {
				o.(*lineText).SetText(pop3Row(p.msgs[id]))
			}
		},
	)
	p.list.OnSelected = func(id widget.ListItemID) { p.sel = id; p.enable() }
	p.list.OnUnselected = func(widget.ListItemID) { p.sel = -1; p.enable() }
	p.view = newMailView(ctx.Window, "Retrieve a message (RETR) to read it here.")

	form := widget.NewForm(
		widget.NewFormItem("Server", p.addr),
		widget.NewFormItem("Login", container.NewBorder(nil, nil, nil, p.stls, container.NewGridWithColumns(2, p.user, p.pass))),
	)
	top := container.NewVBox(paneTitle("CLIENT", title(ctx.Protocol)+" — download and delete"), form,
		container.NewHBox(p.login, p.logout), p.status)
	msgs := container.NewBorder(
		container.NewBorder(nil, nil, sectionLabel("MAILDROP"), container.NewHBox(p.retrieve, p.del, p.reset)),
		nil, nil, nil, p.list)
	split := container.NewVSplit(msgs, p.view.object())
	split.Offset = 0.4
	p.obj = container.NewBorder(top, nil, nil, nil, split)
	p.enable()
	return p
}

func (p *pop3Pane) Object() fyne.CanvasObject { return p.obj }

// Update follows the server's address.
func (p *pop3Pane) Update() { p.addr.follow() }

// Close drops the connection without QUIT: nothing marked is deleted.
func (p *pop3Pane) Close() {
	if p.sess != nil {
		p.sess.Close()
	}
}

// pop3Row is a list line: "  3 · 1.2 KiB · alice@alpha.test — Hello".
func pop3Row(m pop3Msg) string {
	mark := " "
	if m.Deleted {
		mark = "✗"
	}
	s := fmt.Sprintf("%s %3d · %8s · %s — %s", mark, m.Number, bytesText(m.Size), orDash(m.From), orDash(m.Subject))
	if m.Deleted {
		s += " (deleted at QUIT)"
	}
	return s
}

func (p *pop3Pane) selected() *pop3Msg {
	if p.sel < 0 || p.sel >= len(p.msgs) {
		return nil
	}
	return &p.msgs[p.sel]
}

// enable turns the controls on or off for the session's state.
func (p *pop3Pane) enable() {
	in := p.sess != nil && !p.busy
	m := p.selected()
	setEnabled(p.login, p.sess == nil && !p.busy)
	setEnabled(p.logout, in)
	setEnabled(p.reset, in)
	setEnabled(p.retrieve, in && m != nil && !m.Deleted)
	setEnabled(p.del, in && m != nil && !m.Deleted)
}

func (p *pop3Pane) tell(s string, bad bool) { setStatus(p.status, s, bad) }

// pop3Problem says what a POP3 error means.
func pop3Problem(err error) string {
	var pe *pop3client.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "AUTH":
			return "Login refused: the user (the whole address, alice@alpha.test) or the password is wrong.\n" + err.Error()
		case "IN-USE":
			return "Another POP3 session holds this maildrop: log out there first.\n" + err.Error()
		}
		if strings.HasPrefix(pe.Command, "USER") || strings.HasPrefix(pe.Command, "PASS") {
			return "Login refused — the server may want STLS first: turn STLS on.\n" + err.Error()
		}
	}
	return err.Error()
}

// dial connects, logs in and lists the maildrop with each message's From and
// Subject (TOP n 0).
func (p *pop3Pane) dial() {
	addr, user, pass := p.addr.value(), strings.TrimSpace(p.user.Text), p.pass.Text
	opts := pop3client.Options{Dialer: p.ctx.Dialer(), StartTLS: p.stls.Checked, KeyLog: p.ctx.Bench.Hub().Keys()}
	ca, err := labCA()
	if err != nil {
		p.fail(err)
		return
	}
	opts.RootCAs = ca.Pool()
	var c *pop3client.Client
	var msgs []pop3Msg
	p.run("logging in to "+addr, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), mailDialTimeout)
		defer cancel()
		var err error
		if c, err = pop3client.Dial(ctx, addr, opts); err != nil {
			return err
		}
		if c.Conversation() != 0 {
			conv := c.Conversation()
			fyne.Do(func() { p.ctx.Select(conv) })
		}
		if err = c.Login(user, pass); err == nil {
			msgs, err = pop3List(c)
		}
		if err != nil {
			c.Close()
		}
		return err
	}, func() {
		p.sess = c
		p.show(msgs)
		tls := "in clear text — the password crossed readable"
		if c.TLS() {
			tls = "inside TLS (after STLS)"
		}
		waits := counted(uint64(len(msgs)), "message") + " wait"
		if len(msgs) == 1 {
			waits += "s"
		}
		p.tell(fmt.Sprintf("Logged in as %s %s: %s on the server.", user, tls, waits), false)
	})
}

// pop3List lists the maildrop with each message's From and Subject.
func pop3List(c *pop3client.Client) ([]pop3Msg, error) {
	list, err := c.List()
	if err != nil {
		return nil, err
	}
	msgs := make([]pop3Msg, 0, len(list))
	for i, m := range list {
		pm := pop3Msg{Number: m.Number, Size: m.Size}
		if i < pop3MaxHeaders {
			head, err := c.Top(m.Number, 0)
			if err != nil {
				return nil, err
			}
			pm.From, pm.Subject = mailSummary(head)
		}
		msgs = append(msgs, pm)
	}
	return msgs, nil
}

func (p *pop3Pane) show(msgs []pop3Msg) {
	p.msgs, p.sel = msgs, -1
	p.list.UnselectAll()
	p.list.Refresh()
}

// retr retrieves the selected message into the mail view.
func (p *pop3Pane) retr() {
	m, c := p.selected(), p.sess
	if m == nil || c == nil {
		return
	}
	n := m.Number
	var raw []byte
	p.run(fmt.Sprintf("retrieving message %d (RETR %d)", n, n), func() (err error) {
		raw, err = c.Retr(n)
		return err
	}, func() {
		p.view.show(raw, fmt.Sprintf("POP3 message %d", n))
		p.tell(fmt.Sprintf("Downloaded message %d (%s). It is still on the server until you delete it and log out.", n, bytesText(int64(len(raw)))), false)
	})
}

// dele marks the selected message deleted.
func (p *pop3Pane) dele() {
	m, c := p.selected(), p.sess
	if m == nil || c == nil {
		return
	}
	n := m.Number
	p.run(fmt.Sprintf("marking message %d deleted (DELE %d)", n, n), func() error { return c.Dele(n) }, func() {
		for i := range p.msgs {
			if p.msgs[i].Number == n {
				p.msgs[i].Deleted = true
			}
		}
		p.list.Refresh()
		p.tell(fmt.Sprintf("Message %d is marked deleted: the server deletes it when you Log out (QUIT). Reset (RSET) unmarks it.", n), false)
	})
}

// rset unmarks every message marked deleted.
func (p *pop3Pane) rset() {
	c := p.sess
	if c == nil {
		return
	}
	p.run("unmarking (RSET)", c.Rset, func() {
		for i := range p.msgs {
			p.msgs[i].Deleted = false
		}
		p.list.Refresh()
		p.tell("Reset: no message is marked deleted any more.", false)
	})
}

// quit logs out: the server deletes what was marked (the UPDATE state).
func (p *pop3Pane) quit() {
	c := p.sess
	if c == nil {
		return
	}
	deleted := 0
	for _, m := range p.msgs {
		if m.Deleted {
			deleted++
		}
	}
	p.sess = nil // Quit closes the connection whatever the answer
	p.show(nil)
	p.run("logging out (QUIT)", c.Quit, func() {
		msg := "Logged out (QUIT)."
		if deleted > 0 {
			msg += fmt.Sprintf(" The server deleted the %d marked messages: they are gone from the server, for POP3 and IMAP alike.", deleted)
		}
		p.tell(msg, false)
	})
}

// pop3State keeps the server and user, not the password.
type pop3State struct {
	Addr, User string
	NoSTLS     bool
}

func (p *pop3Pane) SaveState() json.RawMessage {
	return marshalState(pop3State{typedAddr(p.addr), p.user.Text, !p.stls.Checked})
}

func (p *pop3Pane) LoadState(raw json.RawMessage) {
	var s pop3State
	if json.Unmarshal(raw, &s) != nil {
		return
	}
	setAddr(p.addr, s.Addr)
	if s.User != "" {
		p.user.SetText(s.User)
	}
	p.stls.SetChecked(!s.NoSTLS)
}
