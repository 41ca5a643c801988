package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/emersion/go-smtp"

	"github.com/protocollab/protolab/clients/smtpclient"
	"github.com/protocollab/protolab/lab"
)

// Bounds of the SMTP pane.
const (
	sendTimeout   = 20 * time.Second
	maxAttachment = 25 << 20 // larger than the servers' default limit, so they say no themselves
)

// smtpPane is the SMTP client: compose a mail (with an attachment if wanted),
// log in (after STARTTLS), send it and see every reply of the server; or save
// it as an .eml file.
type smtpPane struct {
	runner
	ctx       PaneContext
	addr      *addrEntry
	user      *widget.Entry
	pass      *widget.Entry
	startTLS  *widget.Check
	from      *widget.Entry
	to        *widget.Entry
	cc        *widget.Entry
	subject   *widget.Entry
	body      *widget.Entry
	attach    *widget.Button
	attLabel  *widget.Label
	attRemove *widget.Button
	att       *smtpclient.Attachment
	send      *widget.Button
	saveEML   *widget.Button
	status    *widget.Label
	replies   []string
	list      *widget.List
	obj       fyne.CanvasObject

	lastConv lab.ConvID // the last send's conversation
	lastErr  error
}

func newSMTPPane(ctx PaneContext) *smtpPane {
	d := smtpDefaultsOf(ctx)
	p := &smtpPane{ctx: ctx}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.addr.SetPlaceHolder("mail.alpha.test:2525 — lab names are looked up at the lab's DNS server")
	p.user = widget.NewEntry()
	p.user.SetText(d.user)
	p.user.SetPlaceHolder("user (empty: send without logging in)")
	p.pass = widget.NewPasswordEntry()
	p.pass.SetText(d.pass)
	p.startTLS = widget.NewCheck("STARTTLS", nil)
	p.startTLS.SetChecked(true)
	entry := func(text, hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(text)
		e.SetPlaceHolder(hint)
		return e
	}
	p.from = entry(d.from, "you@alpha.test")
	p.to = entry(d.to, "someone@beta.test, another@alpha.test")
	p.cc = entry("", "copies, separated by commas")
	p.subject = entry(d.subject, "what the mail is about")
	p.body = widget.NewMultiLineEntry()
	p.body.Wrapping = fyne.TextWrapWord
	p.body.SetText(d.body)
	p.body.SetMinRowsVisible(4)

	p.attach = widget.NewButtonWithIcon("Attach…", theme.FileIcon(), p.askAttach)
	p.attLabel = widget.NewLabel("")
	p.attLabel.Truncation = fyne.TextTruncateEllipsis
	p.attRemove = widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() { p.setAttachment(nil) })
	p.send = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), p.start)
	p.send.Importance = widget.HighImportance
	p.saveEML = widget.NewButtonWithIcon("Save as .eml…", theme.DocumentSaveIcon(), p.askSaveEML)
	p.status = widget.NewLabel("Nothing sent yet. The server's replies are listed below, and the conversation is shown in the inspector.")
	p.status.Wrapping = fyne.TextWrapWord
	p.runner = newRunner(ctx, p.status, func() { setEnabled(p.send, !p.busy) })
	p.problem = func(err error) string { return smtpProblem(err).Error() }
	p.list = widget.NewList(
		func() int { return len(p.replies) },
		func() fyne.CanvasObject { return newLineText() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(p.replies) {
				o.(*lineText).SetText(p.replies[id])
			}
		},
	)

	form := widget.NewForm(
		widget.NewFormItem("Server", p.addr),
		widget.NewFormItem("Login", container.NewBorder(nil, nil, nil, p.startTLS, container.NewGridWithColumns(2, p.user, p.pass))),
		widget.NewFormItem("From", p.from),
		widget.NewFormItem("To", p.to),
		widget.NewFormItem("Cc", p.cc),
		widget.NewFormItem("Subject", p.subject),
	)
	attRow := container.NewBorder(nil, nil, p.attach, container.NewHBox(p.saveEML, p.send),
		container.NewBorder(nil, nil, nil, p.attRemove, p.attLabel))
	compose := container.NewVScroll(container.NewVBox(form, p.body, attRow))
	result := container.NewBorder(container.NewVBox(sectionLabel("OUTCOME"), p.status, sectionLabel("THE SERVER'S REPLIES")), nil, nil, nil, p.list)
	split := container.NewVSplit(compose, result)
	split.Offset = 0.62
	p.obj = container.NewBorder(paneTitle("CLIENT", title(ctx.Protocol)+" — compose and send"), nil, nil, nil, split)
	p.setAttachment(nil)
	return p
}

func (p *smtpPane) Object() fyne.CanvasObject { return p.obj }

// Update follows the server's address.
func (p *smtpPane) Update() { p.addr.follow() }

// Close has nothing to end: each send is one connection, closed when done.
func (p *smtpPane) Close() {}

// setAttachment shows a (nil: none).
func (p *smtpPane) setAttachment(a *smtpclient.Attachment) {
	p.att = a
	if a == nil {
		p.attLabel.SetText("no attachment")
		p.attLabel.Importance = widget.LowImportance
		p.attRemove.Hide()
		p.attLabel.Refresh()
		return
	}
	p.attLabel.SetText(fmt.Sprintf("📎 %s · %s", a.Name, bytesText(int64(len(a.Data)))))
	p.attLabel.Importance = widget.MediumImportance
	p.attLabel.Refresh()
	p.attRemove.Show()
}

func (p *smtpPane) askAttach() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		name := path.Base(r.URI().Path())
		data, err := io.ReadAll(io.LimitReader(r, maxAttachment+1))
		if err != nil {
			p.fail(fmt.Errorf("cannot read %s: %w", name, err))
			return
		}
		if len(data) > maxAttachment {
			p.fail(fmt.Errorf("%s is larger than %s: too big to attach in the lab", name, bytesText(maxAttachment)))
			return
		}
		p.setAttachment(&smtpclient.Attachment{Name: name, Type: attachmentType(name), Data: data})
	}, p.ctx.Window)
}

// attachmentType is a file's media type by its extension.
func attachmentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// addressList splits "a@x, b@y" into addresses.
func addressList(s string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// composed is the mail the form describes.
func (p *smtpPane) composed() smtpclient.Mail {
	m := smtpclient.Mail{
		From:    strings.TrimSpace(p.from.Text),
		To:      addressList(p.to.Text),
		Cc:      addressList(p.cc.Text),
		Subject: p.subject.Text,
		Body:    p.body.Text,
	}
	if p.att != nil {
		m.Attachments = []smtpclient.Attachment{*p.att}
	}
	return m
}

func (p *smtpPane) tell(s string) { setStatus(p.status, s, false) }

// start sends the mail off the UI goroutine.
func (p *smtpPane) start() {
	m := p.composed()
	if len(m.To)+len(m.Cc) == 0 {
		p.fail(errors.New("no recipient: write an address in To (for example bob@beta.test)"))
		return
	}
	opts := smtpclient.Options{
		Dialer:   p.ctx.Dialer(),
		User:     strings.TrimSpace(p.user.Text),
		Password: p.pass.Text,
		StartTLS: p.startTLS.Checked,
		KeyLog:   p.ctx.Bench.Hub().Keys(),
	}
	ca, err := labCA()
	if err != nil {
		p.fail(err)
		return
	}
	opts.RootCAs = ca.Pool()
	addr := p.addr.value()
	var res smtpclient.Result
	p.runThen("sending to "+addr, func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		defer cancel()
		res, err = smtpclient.Send(ctx, addr, opts, m)
		return err
	}, func(err error) { p.done(res, err) })
}

// done shows a send's outcome (a failure is in the status already) and selects
// its conversation.
func (p *smtpPane) done(res smtpclient.Result, err error) {
	p.replies = res.Replies
	p.list.Refresh()
	p.list.ScrollToBottom()
	p.lastConv, p.lastErr = res.Conv, err
	if err == nil {
		how := "in clear text"
		if res.TLS {
			how = "inside TLS (after STARTTLS)"
		}
		p.tell(fmt.Sprintf("Sent %s: the server answered %s. It delivers to its own domain's mailboxes and relays mail for the other lab domain.", how, res.Response))
	}
	if res.Conv != 0 {
		p.ctx.Select(res.Conv)
	}
}

// smtpProblem says what a refused send means, with the server's reply.
func smtpProblem(err error) error {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return err
	}
	var why string
	switch {
	case se.Code == 550 && se.EnhancedCode == smtp.EnhancedCode{5, 7, 1}:
		why = "Refused: the server relays only to the lab's domains (alpha.test, beta.test) and only for a logged-in user — it is not an open relay."
	case se.Code == 553 && se.EnhancedCode == smtp.EnhancedCode{5, 7, 1}:
		why = "Refused: logged in, you may send only as your own address. The server's \"Allow any sender (spoofing lesson)\" setting lets you forge the sender on purpose."
	case se.Code == 550 || se.Code == 551 || se.Code == 553:
		why = "Refused: the server does not take mail for that address."
	case se.Code == 535:
		why = "Login refused: the user or password is wrong (see the server's accounts)."
	case se.Code == 530 || se.Code == 538:
		why = "The server wants a login, or STARTTLS before it: turn STARTTLS on and log in."
	case se.Code == 552:
		why = "Refused: the message is larger than the server accepts."
	case se.Code >= 400 && se.Code < 500:
		why = "A temporary failure: the server asks to try again later."
	default:
		why = "The server refused."
	}
	return fmt.Errorf("%s\n%w", why, err)
}

func (p *smtpPane) askSaveEML() {
	m := p.composed()
	askSaveFile(p.ctx.Window, emlName(m.Subject), []string{".eml"}, func(path string) error {
		return writeEML(path, m)
	})
}

// writeEML writes m, composed, to path atomically.
func writeEML(path string, m smtpclient.Mail) error {
	return writeFileAtomic(path, smtpclient.Compose(m))
}

// smtpState keeps the composed mail and the login's user, not the password or
// the attachment.
type smtpState struct {
	Addr, User, From, To, Cc, Subject, Body string
	NoStartTLS                              bool
}

func (p *smtpPane) SaveState() json.RawMessage {
	return marshalState(smtpState{typedAddr(p.addr), p.user.Text, p.from.Text, p.to.Text, p.cc.Text,
		p.subject.Text, p.body.Text, !p.startTLS.Checked})
}

func (p *smtpPane) LoadState(raw json.RawMessage) {
	var s smtpState
	if json.Unmarshal(raw, &s) != nil {
		return
	}
	setAddr(p.addr, s.Addr)
	p.user.SetText(s.User)
	p.from.SetText(s.From)
	p.to.SetText(s.To)
	p.cc.SetText(s.Cc)
	p.subject.SetText(s.Subject)
	p.body.SetText(s.Body)
	p.startTLS.SetChecked(!s.NoStartTLS)
}
