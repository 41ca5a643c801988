package ui

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/emersion/go-imap/v2"

	"github.com/protocollab/protolab/clients/imapclient"
)

// imapPane is the IMAP client as two devices of one person side by side: IMAP
// keeps the mail on the server, so what one device does (read, flag, move,
// delete) the other sees — at once while it stays in sync with IDLE. The mail
// view below shows what either device read.
type imapPane struct {
	ctx  PaneContext
	addr *addrEntry
	devs [2]*imapDevice
	view *mailView
	obj  fyne.CanvasObject

	active bool     // a device's command is under way
	queue  []func() // the commands waiting for it, in order
}

// serial runs work off the UI goroutine, then done on it, one device's command
// at a time: the devices' sessions are independent, but their outcomes reach the
// shared mail view and the inspector, so they come back one after another.
func (p *imapPane) serial(work, done func()) {
	job := func() {
		p.ctx.Go(func() {
			work()
			fyne.Do(func() {
				done()
				p.next()
			})
		})
	}
	if p.active {
		p.queue = append(p.queue, job)
		return
	}
	p.active = true
	job()
}

func (p *imapPane) next() {
	if len(p.queue) == 0 {
		p.active = false
		p.ctx.Changed() // news that came meanwhile is looked at
		return
	}
	job := p.queue[0]
	p.queue = p.queue[1:]
	job()
}

func newIMAPPane(ctx PaneContext) *imapPane {
	p := &imapPane{ctx: ctx}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.addr.SetPlaceHolder("mail.beta.test:1143 — lab names are looked up at the lab's DNS server")
	p.view = newMailView(ctx.Window, "Read a message on either device (FETCH) to show it here; reading marks it \\Seen on the server, for both devices.")
	for i := range p.devs {
		p.devs[i] = newIMAPDevice(p, i+1)
	}
	top := container.NewVBox(
		paneTitle("CLIENT", title(ctx.Protocol)+" — two devices, one mailbox on the server"),
		container.NewBorder(nil, nil, widget.NewLabel("Server"), nil, p.addr),
	)
	devices := container.NewHSplit(card(p.devs[0].obj), card(p.devs[1].obj))
	split := container.NewVSplit(devices, p.view.object())
	split.Offset = 0.68
	p.obj = container.NewBorder(top, nil, nil, nil, split)
	return p
}

func (p *imapPane) Object() fyne.CanvasObject { return p.obj }

// Update follows the server's address and lets each device show the server's news.
func (p *imapPane) Update() {
	p.addr.follow()
	if p.active {
		return // the next Update, asked for when the work ends, looks again
	}
	for _, d := range p.devs {
		if d.update() {
			return // one at a time
		}
	}
}

// Close ends both devices' sessions.
func (p *imapPane) Close() {
	for _, d := range p.devs {
		if d.c != nil {
			d.c.Close()
		}
	}
}

// imapDevice is one IMAP session of the pane. Its fields are the UI goroutine's,
// except that while busy the worker owns c's commands and idleStop; dirty is
// set by the client's reading goroutine.
type imapDevice struct {
	runner   // its work queues behind the other device's (imapPane.serial)
	pane     *imapPane
	n        int
	user     *widget.Entry
	pass     *widget.Entry
	startTLS *widget.Check
	login    *widget.Button
	logout   *widget.Button
	who      *widget.Label
	loginBox *fyne.Container
	inBox    *fyne.Container
	folders  *widget.Select
	idle     *widget.Check
	list     *widget.List
	read     *widget.Button
	flag     *widget.Button
	unread   *widget.Button
	move     *widget.Select
	del      *widget.Button
	status   *widget.Label
	obj      fyne.CanvasObject

	c        *imapclient.Client
	mailbox  string // the selected mailbox
	boxes    []imapclient.Mailbox
	msgs     []imapclient.Summary
	selUID   uint32
	quiet    bool         // the program sets the selects: no commands
	idleStop func() error // ends IDLE; nil when not idling
	dirty    atomic.Bool  // the server sent news since the last listing
}

func newIMAPDevice(p *imapPane, n int) *imapDevice {
	d := &imapDevice{pane: p, n: n, mailbox: "INBOX"}
	d.user = widget.NewEntry()
	d.user.SetText("bob@beta.test")
	d.pass = widget.NewPasswordEntry()
	d.pass.SetText("bob")
	d.startTLS = widget.NewCheck("STARTTLS", nil)
	d.startTLS.SetChecked(true)
	d.login = widget.NewButtonWithIcon("Log in", theme.LoginIcon(), d.dial)
	d.login.Importance = widget.HighImportance
	d.logout = widget.NewButtonWithIcon("Log out", theme.LogoutIcon(), d.quit)
	d.who = widget.NewLabel("")
	d.who.Truncation = fyne.TextTruncateEllipsis
	d.folders = widget.NewSelect(nil, func(s string) {
		if !d.quiet && s != "" {
			d.open(d.folderName(s))
		}
	})
	d.folders.PlaceHolder = "folders"
	d.idle = widget.NewCheck("Stay in sync (IDLE)", func(bool) {
		if !d.quiet && d.c != nil {
			d.command("", nil, nil)
		}
	})
	d.list = widget.NewList(
		func() int { return len(d.msgs) },
		func() fyne.CanvasObject { return container.NewVBox(newLineText(), newLineText()) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(d.msgs) {
				top, bottom := imapRow(d.msgs[id])
				rows := o.(*fyne.Container).Objects
				rows[0].(*lineText).SetText(top)
				rows[1].(*lineText).SetText(bottom)
			}
		},
	)
	d.list.OnSelected = func(id widget.ListItemID) {
		if id < len(d.msgs) {
			d.selUID = d.msgs[id].UID
		}
		d.enable()
	}
	d.list.OnUnselected = func(widget.ListItemID) { d.selUID = 0; d.enable() }
	d.read = widget.NewButtonWithIcon("Read", theme.MailComposeIcon(), d.fetch)
	d.flag = widget.NewButtonWithIcon("Flag", theme.ConfirmIcon(), d.toggleFlag)
	d.unread = widget.NewButtonWithIcon("Unread", theme.VisibilityOffIcon(), d.markUnread)
	d.move = widget.NewSelect(nil, func(s string) {
		if !d.quiet && s != "" {
			d.moveTo(s)
		}
	})
	d.move.PlaceHolder = "Move to…"
	d.del = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), d.remove)
	d.del.Importance = widget.DangerImportance
	d.status = widget.NewLabel("Not logged in.")
	d.status.Wrapping = fyne.TextWrapWord
	d.runner = runner{async: p.serial, statusLine: d.status, problem: imapProblem, controls: d.enable}

	d.loginBox = container.NewVBox(
		sectionLabel(fmt.Sprintf("DEVICE %d", n)),
		container.NewGridWithColumns(2, d.user, d.pass),
		container.NewBorder(nil, nil, d.startTLS, d.login))
	d.inBox = container.NewBorder(nil, nil, sectionLabel(fmt.Sprintf("DEVICE %d", n)), d.logout, d.who)
	d.inBox.Hide()
	top := container.NewVBox(d.loginBox, d.inBox, d.folders, d.idle)
	bottom := container.NewVBox(
		container.NewGridWithColumns(3, d.read, d.flag, d.unread),
		container.NewGridWithColumns(2, d.move, d.del),
		d.status)
	d.obj = container.NewBorder(top, bottom, nil, nil, d.list)
	d.enable()
	return d
}

// imapRow is a message's two list lines: "● ★ From  date" and its subject.
func imapRow(s imapclient.Summary) (string, string) {
	mark := "  "
	if !s.Seen() {
		mark = "● "
	}
	if s.Flagged() {
		mark += "★ "
	} else {
		mark += "  "
	}
	date := ""
	if !s.Date.IsZero() {
		t := s.Date.Local()
		if y, m, dd := time.Now().Date(); t.Year() == y && t.Month() == m && t.Day() == dd {
			date = t.Format("15:04")
		} else {
			date = t.Format("2 Jan 15:04")
		}
	}
	return fmt.Sprintf("%s%s · %s", mark, orDash(s.From), date),
		fmt.Sprintf("    %s · UID %d", orDash(s.Subject), s.UID)
}

func (d *imapDevice) selected() *imapclient.Summary {
	for i := range d.msgs {
		if d.msgs[i].UID == d.selUID && d.selUID != 0 {
			return &d.msgs[i]
		}
	}
	return nil
}

// enable turns the controls on or off for the session's state.
func (d *imapDevice) enable() {
	in := d.c != nil && !d.busy
	m := d.selected()
	setEnabled(d.login, d.c == nil && !d.busy)
	setEnabled(d.logout, in)
	setEnabled(d.folders, in)
	setEnabled(d.idle, d.c != nil)
	for _, w := range []fyne.Disableable{d.read, d.flag, d.unread, d.move, d.del} {
		setEnabled(w, in && m != nil)
	}
	if m != nil && m.Flagged() {
		d.flag.SetText("Unflag")
	} else {
		d.flag.SetText("Flag")
	}
	if d.c != nil {
		d.loginBox.Hide()
		d.inBox.Show()
	} else {
		d.inBox.Hide()
		d.loginBox.Show()
	}
}

func (d *imapDevice) tell(s string, bad bool) { setStatus(d.status, s, bad) }

// update runs on the UI goroutine at each refresh: when the server sent news
// (in IDLE: new mail, flags, expunges), the device lists again.
// It reports whether it started.
func (d *imapDevice) update() bool {
	if d.c == nil || d.busy {
		return false
	}
	switch {
	case d.dirty.Load():
		d.command("", nil, func() { d.tell("The server told of a change: the list is up to date.", false) })
	case (d.idleStop != nil) != d.idle.Checked: // toggled while busy
		d.command("", nil, nil)
	default:
		return false
	}
	return true
}

// listing is what a device shows of the server after an operation.
type listing struct {
	boxes []imapclient.Mailbox
	msgs  []imapclient.Summary
}

// command performs op with IDLE stopped (go-imap sends nothing else while
// idling), lists the mailbox again, and goes back into IDLE when Stay in sync
// is on; then shows the outcome. doing "" runs quietly.
func (d *imapDevice) command(doing string, op func(c *imapclient.Client) error, after func()) {
	c := d.c
	if c == nil {
		return
	}
	wantIdle := d.idle.Checked
	var l listing
	d.runThen(doing, func() error {
		var err, listErr, idleErr error
		if d.idleStop != nil {
			err = d.idleStop()
			d.idleStop = nil
		}
		if err == nil && op != nil {
			err = op(c)
		}
		if alive(err) {
			d.dirty.Store(false) // news from here on lists again
			l, listErr = imapLoad(c)
			if alive(listErr) && wantIdle {
				d.idleStop, idleErr = c.Idle(nil)
			}
		}
		if !alive(err) || !alive(listErr) || !alive(idleErr) {
			return lostError{errors.Join(err, listErr, idleErr)}
		}
		return cmp.Or(err, listErr, idleErr)
	}, func(err error) {
		if _, lost := err.(lostError); lost {
			d.drop(err)
			return
		}
		if err == nil && after != nil {
			after()
		}
		d.showListing(l)
	})
}

// lostError is what ended a device's session: its connection broke.
type lostError struct{ error }

// alive reports whether the session survives err: a NO or BAD answer leaves it
// usable, a broken connection does not.
func alive(err error) bool {
	var ie *imapclient.Error
	return err == nil || errors.As(err, &ie)
}

// imapLoad lists the mailboxes and the selected mailbox's messages.
func imapLoad(c *imapclient.Client) (listing, error) {
	var l listing
	var err error
	if l.boxes, err = c.Mailboxes(); err != nil {
		return l, err
	}
	l.msgs, err = c.List()
	return l, err
}

// drop ends a session whose connection broke.
func (d *imapDevice) drop(err error) {
	if d.c != nil {
		d.c.Close()
	}
	d.forget()
	d.tell("The connection ended: "+err.Error()+" — log in again.", true)
	d.enable()
}

// forget shows the device without a session: no folders, no messages.
func (d *imapDevice) forget() {
	d.c, d.idleStop, d.msgs, d.boxes, d.selUID = nil, nil, nil, nil, 0
	d.list.UnselectAll()
	d.list.Refresh()
	d.setFolders()
}

// showListing shows the mailboxes and messages, keeping the selection.
func (d *imapDevice) showListing(l listing) {
	d.boxes, d.msgs = l.boxes, l.msgs
	d.setFolders()
	d.list.Refresh()
	uid := d.selUID
	d.list.UnselectAll() // clears selUID
	for i, m := range d.msgs {
		if m.UID == uid && uid != 0 {
			d.list.Select(i)
			return
		}
	}
}

// folderLabel is a mailbox as the folder list shows it: "INBOX · 3 (1 unread)".
func folderLabel(m imapclient.Mailbox) string {
	s := fmt.Sprintf("%s · %d", m.Name, m.Messages)
	if m.Unseen > 0 {
		s += fmt.Sprintf(" (%d unread)", m.Unseen)
	}
	return s
}

func (d *imapDevice) folderName(label string) string {
	for _, m := range d.boxes {
		if folderLabel(m) == label {
			return m.Name
		}
	}
	return label
}

// setFolders fills the folder and Move to selects from the mailboxes.
func (d *imapDevice) setFolders() {
	d.quiet = true
	defer func() { d.quiet = false }()
	var labels, others []string
	current := ""
	for _, m := range d.boxes {
		labels = append(labels, folderLabel(m))
		if m.Name == d.mailbox {
			current = folderLabel(m)
		} else {
			others = append(others, m.Name)
		}
	}
	d.folders.SetOptions(labels)
	d.folders.SetSelected(current)
	if current == "" {
		d.folders.ClearSelected()
	}
	d.move.SetOptions(others)
	d.move.ClearSelected()
}

// dial connects, logs in, selects INBOX and lists it.
func (d *imapDevice) dial() {
	ctx := d.pane.ctx
	addr, user, pass := d.pane.addr.value(), strings.TrimSpace(d.user.Text), d.pass.Text
	opts := imapclient.Options{Dialer: ctx.Dialer(), StartTLS: d.startTLS.Checked, KeyLog: ctx.Bench.Hub().Keys()}
	ca, err := labCA()
	if err != nil {
		d.fail(err)
		return
	}
	opts.RootCAs = ca.Pool()
	var c *imapclient.Client
	d.runThen("logging in to "+addr, func() (err error) {
		c, err = imapLogin(addr, opts, user, pass)
		return err
	}, func(err error) {
		if c != nil && c.Conversation() != 0 {
			ctx.Select(c.Conversation())
		}
		if err != nil {
			if c != nil {
				c.Close()
			}
			return
		}
		d.c, d.mailbox, d.selUID = c, "INBOX", 0
		c.OnUpdate(func(imapclient.Update) { d.dirty.Store(true); ctx.Changed() })
		how := "in clear text — the password crossed readable"
		if opts.StartTLS {
			how = "TLS"
		}
		d.who.SetText(user + " · " + how)
		d.command("listing INBOX", func(c *imapclient.Client) error { _, err := c.Select("INBOX"); return err },
			func() {
				d.tell(fmt.Sprintf("Logged in: %s in INBOX, kept on the server.", counted(uint64(len(d.msgs)), "message")), false)
			})
	})
}

// imapLogin dials and logs in; the client comes back with an error too, so its
// conversation can be shown.
func imapLogin(addr string, opts imapclient.Options, user, pass string) (*imapclient.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), mailDialTimeout)
	defer cancel()
	c, err := imapclient.Dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	return c, c.Login(user, pass)
}

// imapProblem says what an IMAP error means.
func imapProblem(err error) string {
	var ie *imapclient.Error
	if errors.As(err, &ie) {
		switch ie.Code {
		case "AUTHENTICATIONFAILED":
			return "Login refused: the user (the whole address, bob@beta.test) or the password is wrong.\n" + err.Error()
		case "PRIVACYREQUIRED":
			return "The server takes no password in clear text: turn STARTTLS on.\n" + err.Error()
		}
	}
	return err.Error()
}

// quit logs out.
func (d *imapDevice) quit() {
	c := d.c
	if c == nil {
		return
	}
	d.runThen("", func() error {
		if d.idleStop != nil {
			d.idleStop()
			d.idleStop = nil
		}
		return c.Logout()
	}, func(err error) {
		d.forget()
		if err != nil {
			d.tell("Logged out: "+err.Error(), true)
		} else {
			d.tell("Logged out. The mail stays on the server.", false)
		}
	})
}

// open selects another mailbox.
func (d *imapDevice) open(name string) {
	if name == d.mailbox || d.c == nil {
		return
	}
	d.mailbox, d.selUID = name, 0
	d.command("opening "+name, func(c *imapclient.Client) error { _, err := c.Select(name); return err }, func() {
		d.tell(fmt.Sprintf("%s: %s.", name, counted(uint64(len(d.msgs)), "message")), false)
	})
}

// fetch reads the selected message into the mail view; the server marks it \Seen.
func (d *imapDevice) fetch() {
	m := d.selected()
	if m == nil {
		return
	}
	uid, mailbox := m.UID, d.mailbox
	var raw []byte
	d.command(fmt.Sprintf("reading UID %d (UID FETCH %d BODY[])", uid, uid), func(c *imapclient.Client) (err error) {
		raw, err = c.Fetch(uid)
		return err
	}, func() {
		d.pane.view.show(raw, fmt.Sprintf("device %d · %s · UID %d", d.n, mailbox, uid))
		d.tell(fmt.Sprintf("Read UID %d: the server marked it \\Seen, for every device.", uid), false)
	})
}

// toggleFlag flags or unflags the selected message.
func (d *imapDevice) toggleFlag() {
	m := d.selected()
	if m == nil {
		return
	}
	uid, on := m.UID, !m.Flagged()
	verb := "flagging"
	if !on {
		verb = "unflagging"
	}
	d.command(fmt.Sprintf("%s UID %d", verb, uid), func(c *imapclient.Client) error {
		if on {
			return c.AddFlags(uid, imap.FlagFlagged)
		}
		return c.RemoveFlags(uid, imap.FlagFlagged)
	}, func() {
		d.tell(fmt.Sprintf("UID %d is %s on the server (\\Flagged).", uid, map[bool]string{true: "flagged", false: "unflagged"}[on]), false)
	})
}

// markUnread takes \Seen off the selected message.
func (d *imapDevice) markUnread() {
	m := d.selected()
	if m == nil {
		return
	}
	uid := m.UID
	d.command(fmt.Sprintf("marking UID %d unread", uid), func(c *imapclient.Client) error {
		return c.RemoveFlags(uid, imap.FlagSeen)
	}, func() { d.tell(fmt.Sprintf("UID %d is unread again (\\Seen removed).", uid), false) })
}

// moveTo moves the selected message to folder.
func (d *imapDevice) moveTo(folder string) {
	m := d.selected()
	if m == nil {
		return
	}
	uid := m.UID
	d.command(fmt.Sprintf("moving UID %d to %s", uid, folder), func(c *imapclient.Client) error {
		return c.Move(uid, folder)
	}, func() { d.tell(fmt.Sprintf("Moved UID %d to %s (it gets a new UID there).", uid, folder), false) })
}

// remove deletes the selected message: \Deleted, then expunged.
func (d *imapDevice) remove() {
	m := d.selected()
	if m == nil {
		return
	}
	uid := m.UID
	d.command(fmt.Sprintf("deleting UID %d", uid), func(c *imapclient.Client) error {
		return c.Delete(uid)
	}, func() {
		d.tell(fmt.Sprintf("Deleted UID %d (\\Deleted, then UID EXPUNGE): it is gone from the server.", uid), false)
	})
}

// imapState keeps each device's user and choices, not the passwords.
type imapState struct {
	Addr    string
	Devices [2]imapDeviceState
}

type imapDeviceState struct {
	User       string
	NoStartTLS bool
	Idle       bool
}

func (p *imapPane) SaveState() json.RawMessage {
	s := imapState{Addr: typedAddr(p.addr)}
	for i, d := range p.devs {
		s.Devices[i] = imapDeviceState{d.user.Text, !d.startTLS.Checked, d.idle.Checked}
	}
	return marshalState(s)
}

func (p *imapPane) LoadState(raw json.RawMessage) {
	var s imapState
	if json.Unmarshal(raw, &s) != nil {
		return
	}
	setAddr(p.addr, s.Addr)
	for i, d := range p.devs {
		ds := s.Devices[i]
		if ds.User != "" {
			d.user.SetText(ds.User)
		}
		d.startTLS.SetChecked(!ds.NoStartTLS)
		d.quiet = true
		d.idle.SetChecked(ds.Idle)
		d.quiet = false
	}
}
