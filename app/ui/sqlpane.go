package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/pgclient"
)

// sqlNote says what a person should know before running SQL.
const sqlNote = "A course's database: students, courses, enrolments. Simple sends one Query (several " +
	"statements allowed); Extended sends Parse, Bind, Describe, Execute and Sync for one statement."

// sqlModes are the query protocols the pane offers.
var sqlModes = []string{"Simple", "Extended"}

// sqlSSLModes are the TLS choices, as libpq names them.
var sqlSSLModes = []string{pgclient.SSLDisable, pgclient.SSLRequire, pgclient.SSLVerifyFull}

// sqlPane is the PostgreSQL client: connect, run SQL, see each statement's
// rows with their column types, the command tag, errors with their SQLSTATE,
// and the transaction status.
type sqlPane struct {
	runner
	ctx                 PaneContext
	addr                *addrEntry
	user, password, db  *widget.Entry
	sslMode             *widget.Select
	connect, disconnect *widget.Button
	status              *widget.Label
	light               *canvas.Circle
	txText              *widget.Label
	editor              *widget.Entry
	mode                *widget.RadioGroup
	runBtn, cancel      *widget.Button
	history             *widget.Select
	login               *fyne.Container // the login form, hidden while connected
	past                []string        // the statements run, newest last
	results             *sqlResults
	client              *pgclient.Client
	cancelling, running bool
	obj                 fyne.CanvasObject
}

func newSQLPane(ctx PaneContext) *sqlPane {
	p := &sqlPane{ctx: ctx}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.user, p.password, p.db = widget.NewEntry(), widget.NewPasswordEntry(), widget.NewEntry()
	p.user.SetText("lab")
	p.password.SetText("lab")
	p.db.SetText("lab")
	p.sslMode = widget.NewSelect(sqlSSLModes, nil)
	p.sslMode.SetSelected(pgclient.SSLDisable)
	p.connect = widget.NewButtonWithIcon("Connect", theme.LoginIcon(), p.dial)
	p.connect.Importance = widget.HighImportance
	p.disconnect = widget.NewButtonWithIcon("Disconnect", theme.LogoutIcon(), p.hangUp)
	p.status = widget.NewLabel("not connected")
	p.status.Wrapping = fyne.TextWrapWord
	p.light = canvas.NewCircle(theme.Color(theme.ColorNameDisabled))
	p.txText = widget.NewLabel("no session")
	p.editor = widget.NewMultiLineEntry()
	p.editor.TextStyle.Monospace = true
	p.editor.Wrapping = fyne.TextWrapWord
	p.editor.SetMinRowsVisible(3)
	p.editor.SetText("SELECT id, name, email, enrolled_on, active, gpa FROM students ORDER BY id;")
	p.mode = widget.NewRadioGroup(sqlModes, nil)
	p.mode.Horizontal = true
	p.mode.Required = true
	p.mode.SetSelected(sqlModes[0])
	p.runBtn = widget.NewButtonWithIcon("Run", theme.MediaPlayIcon(), p.runSQL)
	p.runBtn.Importance = widget.HighImportance
	p.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), p.cancelSQL)
	p.history = widget.NewSelect(nil, func(s string) {
		if i := p.historyIndex(s); i >= 0 {
			p.editor.SetText(p.past[i])
		}
	})
	p.history.PlaceHolder = "history"
	p.results = newSQLResults()
	p.runner = newRunner(ctx, p.status, p.setControls)
	p.problem = explainSQLError

	login := container.NewGridWithColumns(3, labeled("User", p.user), labeled("Password", p.password), labeled("Database", p.db))
	lightBox := container.NewGridWrap(fyne.NewSize(14, 14), p.light)
	p.login = container.NewVBox(hintText(sqlNote),
		container.NewBorder(nil, nil, widget.NewLabel("Server"), container.NewHBox(widget.NewLabel("TLS"), p.sslMode), p.addr),
		login)
	form := container.NewVBox(
		p.login,
		container.NewBorder(nil, nil, container.NewHBox(container.NewCenter(lightBox), p.txText), container.NewHBox(p.history, p.cancel, p.runBtn)),
		p.editor,
		container.NewBorder(nil, nil, widget.NewLabel("Protocol"), nil, p.mode),
		p.status)
	// The form scrolls above the results, which keep their share of a short
	// workbench; the person moves the divider.
	split := container.NewVSplit(container.NewScroll(form),
		container.NewBorder(sectionLabel("RESULT"), nil, nil, nil, p.results.obj))
	split.Offset = 0.6
	head := container.NewBorder(nil, nil, nil, container.NewHBox(p.connect, p.disconnect), paneTitle("CLIENT", title(ctx.Protocol)))
	p.obj = container.NewBorder(head, nil, nil, nil, split)
	p.setControls()
	return p
}

func (p *sqlPane) Object() fyne.CanvasObject { return p.obj }

// Update follows the server's address.
func (p *sqlPane) Update() { p.addr.follow() }

// Close ends the session.
func (p *sqlPane) Close() {
	if c := p.client; c != nil {
		p.client = nil
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		defer cancel()
		c.Close(ctx)
	}
}

// setControls turns the controls on or off for what the pane is doing.
func (p *sqlPane) setControls() {
	connected := p.client != nil
	setEnabled(p.connect, !p.busy && !connected)
	setEnabled(p.disconnect, !p.busy && connected)
	setEnabled(p.runBtn, !p.busy && connected)
	setEnabled(p.cancel, p.running && !p.cancelling)
	for _, e := range []*widget.Entry{p.user, p.password, p.db} {
		setEnabled(e, !connected && !p.busy)
	}
	setEnabled(p.sslMode, !connected && !p.busy)
	// Connected, the status line says where and as whom: the editor gets the room.
	if p.login.Visible() == connected {
		p.login.Hidden = connected
		p.login.Refresh()
	}
	p.showTx()
}

// showTx lights the transaction status: idle (green), in a transaction
// (amber), failed (red), or grey without a session.
func (p *sqlPane) showTx() {
	var c color.Color = theme.Color(theme.ColorNameDisabled)
	text := "no session"
	if p.client != nil {
		tx := p.client.TxStatus()
		text = "transaction: " + tx.String()
		switch tx {
		case pgclient.TxIdle:
			c = theme.Color(theme.ColorNameSuccess)
		case pgclient.TxOpen:
			c = theme.Color(theme.ColorNameWarning)
		case pgclient.TxFailed:
			c = theme.Color(theme.ColorNameError)
			text += " (ROLLBACK ends it)"
		}
	}
	if p.light.FillColor != c {
		p.light.FillColor = c
		p.light.Refresh()
	}
	setText(p.txText, text)
}

// options reads the login form.
func (p *sqlPane) options() (pgclient.Options, error) {
	o := pgclient.Options{
		Tap:      p.ctx.Tap,
		User:     strings.TrimSpace(p.user.Text),
		Password: p.password.Text,
		Database: strings.TrimSpace(p.db.Text),
		SSLMode:  p.sslMode.Selected,
		KeyLog:   p.ctx.Bench.Hub().Keys(),
	}
	if o.SSLMode == pgclient.SSLVerifyFull {
		ca, err := labCA()
		if err != nil {
			return o, err
		}
		o.RootCAs = ca.Pool()
	}
	return o, nil
}

// dial connects off the UI goroutine.
func (p *sqlPane) dial() {
	addr := p.addr.value()
	opts, err := p.options()
	if err != nil {
		p.fail(err)
		return
	}
	var c *pgclient.Client
	p.run("connecting to "+addr, func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		defer cancel()
		c, err = pgclient.Connect(ctx, addr, opts)
		return err
	}, func() {
		p.client = c
		p.ctx.Select(c.Conversation())
		tls := "in clear text"
		if opts.SSLMode != pgclient.SSLDisable {
			tls = "over TLS"
		}
		setStatus(p.status, fmt.Sprintf("connected to %s as %s %s: %s, backend process %d", addr, opts.User, tls,
			c.ParameterStatus("server_version"), c.PID()), false)
	})
}

// hangUp ends the session with Terminate.
func (p *sqlPane) hangUp() {
	c := p.client
	if c == nil {
		return
	}
	p.client = nil
	p.run("disconnecting", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		defer cancel()
		return c.Close(ctx)
	}, func() {
		setStatus(p.status, "disconnected: the client sent Terminate and closed the connection", false)
	})
}

// explainSQLError says what a failed connection means for a person.
func explainSQLError(err error) string {
	var ne interface{ Timeout() bool }
	switch {
	case strings.Contains(err.Error(), "connection refused"):
		return "Nothing listens there: switch the PostgreSQL server on, or check the address. (" + err.Error() + ")"
	case strings.Contains(err.Error(), "28P01"):
		return "The server refused the password (SQLSTATE 28P01). The lab's user is lab, password lab. (" + err.Error() + ")"
	case errors.As(err, &ne) && ne.Timeout():
		return "No answer in time. (" + err.Error() + ")"
	}
	return err.Error()
}

// labeled puts a label before o.
func labeled(label string, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, widget.NewLabel(label), nil, o)
}

// sqlState is what a saved session keeps of the SQL pane.
type sqlState struct {
	Addr, User, Database, SSLMode, Mode, SQL string
	History                                  []string `json:",omitempty"`
}

func (p *sqlPane) SaveState() json.RawMessage {
	return marshalState(sqlState{typedAddr(p.addr), p.user.Text, p.db.Text, p.sslMode.Selected, p.mode.Selected, p.editor.Text, p.past})
}

func (p *sqlPane) LoadState(raw json.RawMessage) {
	var s sqlState
	if json.Unmarshal(raw, &s) != nil {
		return
	}
	setAddr(p.addr, s.Addr)
	if s.User != "" {
		p.user.SetText(s.User)
	}
	if s.Database != "" {
		p.db.SetText(s.Database)
	}
	if slices.Contains(sqlSSLModes, s.SSLMode) {
		p.sslMode.SetSelected(s.SSLMode)
	}
	if slices.Contains(sqlModes, s.Mode) {
		p.mode.SetSelected(s.Mode)
	}
	if s.SQL != "" {
		p.editor.SetText(s.SQL)
	}
	for _, h := range s.History {
		p.remember(h)
	}
}
