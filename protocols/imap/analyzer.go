package imap

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// command is a command waiting for its tagged completion.
type command struct {
	tag     string
	name    string // upper-case; "UID FETCH" for the UID forms
	summary string
}

// Analyzer frames one IMAP connection into commands and responses, literals
// included, matches tagged completions to their commands by tag and follows the
// session's state (States, Transitions). It is a lab.ConnAnalyzer (it learns of the
// connection's end) and a lab.KeyUser (after STARTTLS it decrypts the rest with the
// lab's key log, when the secrets are there). Like every lab.Analyzer it is used
// from one goroutine at a time.
type Analyzer struct {
	state            lab.Machine            // the session's state (Transitions)
	fr               [3]framer              // by lab.Dir
	pending          framing.Queue[command] // commands waiting for their tagged completions
	idleFrom         string                 // the state IDLE began in
	greeted          bool
	out              []lab.Message
	fetches          framing.Slab[fetchLater] // what FETCH responses framed briefly are explained from (fetch)
	tags             framing.Slab[tagLater]   // and tagged completions (briefTagged)
	handoff          bool                     // a tagged OK to STARTTLS was just seen: the rest is TLS
	starttls.Handoff                          // after STARTTLS: the TLS of the rest (its UseKeys and UseLayers are the analyzer's)
	inner            *Analyzer                // the IMAP analyzer inside TLS, once there is one
	inTLS            bool                     // this analyzer is the one inside TLS
}

var (
	_ lab.ConnAnalyzer = (*Analyzer)(nil)
	_ lab.KeyUser      = (*Analyzer)(nil)
	_ lab.LayerUser    = (*Analyzer)(nil)
)

// NewAnalyzer returns an analyzer for one connection.
func NewAnalyzer() *Analyzer {
	a := &Analyzer{state: machine}
	a.fr[lab.ServerToClient].noLiterals = statusText
	return a
}

// statusText reports whether a response's text is a continuation request or a
// status response, whose text never holds a literal: "* OK {5}" ends there.
func statusText(text []byte) bool {
	toks := tokenize(text, nil, 2)
	if len(toks) > 0 && toks[0].text == "+" {
		return true
	}
	return len(toks) == 2 && statusWord(toks[1].text)
}

// State is one of States, "" before the connection opened.
func (a *Analyzer) State() string {
	if a.inner != nil {
		return a.inner.state.State()
	}
	return a.state.State()
}

// Opened starts the session, not authenticated until the greeting says otherwise.
func (a *Analyzer) Opened(info lab.OpenInfo) []lab.Message {
	a.state.Start()
	return a.Handoff.Opened(info)
}

// Closed ends the session: a command or response cut short is shown as it is.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	if held := a.Handoff.Unanswered(a.Feed); held != nil {
		// STARTTLS unanswered: what the client sent after it are commands.
		return append(held, a.Closed(info)...)
	}
	if a.Handoff.Active() {
		out := a.Handoff.Closed(info)
		if a.inner != nil {
			return a.closeState(out, &a.inner.state)
		}
		return a.closeState(out, &a.state)
	}
	a.out = nil
	for d := lab.ClientToServer; d <= lab.ServerToClient; d++ {
		a.fr[d].flush(func(f frame) bool { a.frame(d, f); return false })
	}
	out := a.closeState(a.out, &a.state)
	a.out = nil
	return out
}

// closeState moves state to closed with the last of out, or a message of its own.
func (a *Analyzer) closeState(out []lab.Message, state *lab.Machine) []lab.Message {
	if state.State() == StateClosed {
		return out
	}
	if len(out) == 0 || out[len(out)-1].Layer != "" {
		out = append(out, lab.Message{
			Summary:  "connection closed",
			Meaning:  "With the connection the IMAP session ends.",
			Ref:      "RFC 9051 §3.4",
			Teardown: true,
		})
	}
	out[len(out)-1].NextState = StateClosed
	state.Set(StateClosed)
	return out
}

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if len(b) == 0 || (dir != lab.ClientToServer && dir != lab.ServerToClient) {
		return nil
	}
	a.state.Start()
	if a.Handoff.Takes(dir) {
		return a.Handoff.Feed(dir, b, at)
	}
	a.out = nil
	rest := a.fr[dir].feed(b, func(f frame) bool {
		a.frame(dir, f)
		return a.handoff || a.Handoff.Stops(dir)
	})
	out := a.out
	a.out = nil
	for i := range out {
		framing.Place(&out[i], spanned...)
	}
	if a.handoff {
		a.handoff = false
		out = a.startTLS(out, at)
	}
	// Bytes after the OK to STARTTLS belong to TLS; after STARTTLS, the
	// client's wait for its completion; after a refusal, they are commands.
	return append(out, a.Handoff.Rest(dir, rest, at, a.Feed)...)
}

// spanned are the fields whose values are written as they are in a command or a
// response line, in the order they appear there.
var spanned = []string{"tag", "command", "status", "response", "response code", "text", "mailbox", "from", "to", "to mailbox", "mechanism", "user"}

// frame turns one whole frame into a message.
func (a *Analyzer) frame(dir lab.Dir, f frame) {
	if dir == lab.ClientToServer {
		a.command(f)
	} else {
		a.response(f)
	}
}

// lastIs reports whether the newest command waiting for its completion is name.
func (a *Analyzer) lastIs(name string) bool {
	c, ok := a.pending.Newest()
	return ok && c.name == name
}

// base is a message for frame f with its common fields.
func base(dir lab.Dir, f frame) lab.Message {
	m := lab.Message{Dir: dir, Raw: f.raw, Observed: true}
	if f.size > int64(len(f.raw)) {
		m.Fields = append(m.Fields, lab.Field{Name: "size", Value: fmt.Sprintf("%d bytes (the first %d kept)", f.size, len(f.raw))})
	}
	return m
}

// literalNote describes f's literals for a meaning, "" when it has none.
func literalNote(f frame, from string) string {
	if f.nlit == 0 {
		return ""
	}
	var sizes []string
	for _, l := range f.lits {
		sizes = append(sizes, strconv.FormatInt(l.size, 10))
	}
	if f.nlit > len(f.lits) {
		sizes = append(sizes, "…")
	}
	s := fmt.Sprintf(" It carries %d literal", f.nlit)
	if f.nlit > 1 {
		s += "s"
	}
	s += " (" + strings.Join(sizes, ", ") + " bytes): a {n} at a line's end announces n raw bytes, and the line carries on after them."
	if from == "client" && len(f.lits) > 0 && f.lits[0].sync {
		s += " The client waits for the server's + before sending each {n} literal; {n+} ones it sends at once (LITERAL+)."
	}
	return s
}

// command explains one frame from the client.
func (a *Analyzer) command(f frame) {
	m := base(lab.ClientToServer, f)
	disp := display(f.text)
	short := ""
	if !f.done {
		short = " (cut short)"
	}
	if a.lastIs("AUTHENTICATE") {
		m.Ref = "RFC 9051 §6.2.2"
		if strings.TrimSpace(disp) == "*" {
			m.Summary, m.Meaning = "* (cancel)", "The client cancels the AUTHENTICATE exchange; the server answers BAD."
		} else {
			m.Summary = fmt.Sprintf("SASL response (%d bytes, masked)", len(strings.TrimSpace(disp)))
			m.Meaning = "The client's answer to the server's SASL challenge, in base64. It may hold the password, so the summary hides it; the raw bytes show it."
		}
		a.out = append(a.out, m)
		return
	}
	if a.lastIs("IDLE") && strings.EqualFold(strings.TrimSpace(disp), "DONE") {
		m.Summary = "DONE"
		m.Meaning = "The client ends IDLE; the server answers with the tagged OK of the IDLE command."
		m.Ref = "RFC 9051 §6.3.13"
		a.out = append(a.out, m)
		return
	}
	if tag, name, ok := briefLine(f); ok {
		m.Summary = shorten(disp, 160)
		m.Ref = commands[strings.TrimPrefix(name, "UID ")].ref
		if strings.HasPrefix(name, "UID ") {
			m.Ref = uidRef(m.Ref)
		}
		m.Defer(commandLater)
		a.pending.Push(command{tag: tag, name: name, summary: shorten(m.Summary, 80)}, maxPending)
		a.out = append(a.out, m)
		return
	}
	tag, name, ok := describeCommand(&m, f, disp, short, a.inTLS)
	if !ok {
		a.out = append(a.out, m)
		return
	}
	if name == "STARTTLS" {
		a.Handoff.Ask(name, "RFC 2595 §3.1")
	}
	a.pending.Push(command{tag: tag, name: name, summary: shorten(m.Summary, 80)}, maxPending)
	a.out = append(a.out, m)
}

// describeCommand gives m, the message of command f (its display disp, short
// if it was cut short), its summary, fields and meaning, and returns its tag
// and name ("UID FETCH" for the UID forms); ok is false for a malformed
// one. inTLS says the connection is encrypted.
func describeCommand(m *lab.Message, f frame, disp, short string, inTLS bool) (tag, name string, ok bool) {
	toks := tokenize(f.text, f.lits, 8)
	if len(toks) < 2 || toks[0].kind != tokAtom || toks[0].text == "*" || toks[0].text == "+" || toks[1].kind != tokAtom {
		m.Summary = "malformed command " + strconv.Quote(shorten(disp, 80)) + short
		m.Meaning = "Not an IMAP command: each begins with a tag, a space and the command's name. A server answers BAD."
		m.Ref = "RFC 9051 §2.2.1"
		return "", "", false
	}
	tag, name = toks[0].text, asciiUpper(toks[1].text)
	args := toks[2:]
	uid := false
	if name == "UID" && len(args) > 0 {
		uid, name, args = true, "UID "+asciiUpper(args[0].text), args[1:]
	}
	verb := strings.TrimPrefix(name, "UID ")
	m.Summary = shorten(disp, 160) + short
	m.Fields = append([]lab.Field{{Name: "tag", Value: tag}, {Name: "command", Value: name}}, m.Fields...)
	if i, ok := commands[verb]; ok {
		m.Meaning, m.Ref = "The client "+i.meaning+".", i.ref
	} else {
		m.Meaning, m.Ref = "A command this lab does not know; the server will answer BAD unless it has an extension by that name.", "RFC 9051 §6"
	}
	if uid {
		m.Meaning += " UID form: the numbers are UIDs, which never change, not sequence numbers, which shift when messages go."
		if verb != "UID" {
			m.Ref = uidRef(m.Ref)
		}
	}
	switch verb {
	case "LOGIN":
		user := ""
		if len(args) > 0 {
			user = args[0].value()
		}
		m.Summary = fmt.Sprintf("%s LOGIN %s ****%s", tag, quoteIfNeeded(user), short)
		m.Fields = append(m.Fields, lab.Field{Name: "user", Value: user}, lab.Field{Name: "password", Value: "**** (masked; the raw bytes show it)"})
		if inTLS {
			m.Meaning += " The password is encrypted by TLS on the wire."
		} else {
			m.Meaning += " Here it crosses in the clear: anyone on the path can read it."
		}
	case "AUTHENTICATE":
		if len(args) > 0 {
			m.Fields = append(m.Fields, lab.Field{Name: "mechanism", Value: args[0].text})
			m.Summary = tag + " AUTHENTICATE " + args[0].text + short
			if len(args) > 1 {
				m.Summary = tag + " AUTHENTICATE " + args[0].text + " ****" + short
				m.Meaning += " The initial response may hold the password; the summary hides it."
			}
		}
	case "SELECT", "EXAMINE", "CREATE", "DELETE", "STATUS", "SUBSCRIBE", "UNSUBSCRIBE", "APPEND":
		if len(args) > 0 {
			m.Fields = append(m.Fields, lab.Field{Name: "mailbox", Value: args[0].value()})
		}
	case "RENAME":
		if len(args) > 1 {
			m.Fields = append(m.Fields, lab.Field{Name: "from", Value: args[0].value()}, lab.Field{Name: "to", Value: args[1].value()})
		}
	case "FETCH", "STORE", "COPY", "MOVE", "EXPUNGE":
		if len(args) > 0 {
			what := "messages"
			if uid {
				what = "UIDs"
			}
			m.Fields = append(m.Fields, lab.Field{Name: what, Value: args[0].text})
		}
		switch {
		case verb == "STORE" && len(args) > 2:
			m.Fields = append(m.Fields, lab.Field{Name: "change", Value: args[1].text + " " + args[2].raw})
		case (verb == "COPY" || verb == "MOVE") && len(args) > 1:
			m.Fields = append(m.Fields, lab.Field{Name: "to mailbox", Value: args[1].value()})
		case verb == "FETCH" && len(args) > 1:
			m.Fields = append(m.Fields, lab.Field{Name: "items", Value: shorten(words(args[1:]), 200)})
		}
	case "LOGOUT":
		m.Teardown = true
	}
	m.Meaning += literalNote(f, "client")
	return tag, name, true
}

// reframe frames again the bytes of msg, a message framed briefly: a whole
// command or response, all its bytes kept (Raw).
func reframe(msg *lab.Message) frame {
	var fr framer
	if msg.Dir == lab.ServerToClient {
		fr.noLiterals = statusText
	}
	var f frame
	fr.feed(msg.Raw, func(x frame) bool { f = x; return true })
	return f
}

// uidRef is ref, a command's, with the section on the UID forms.
func uidRef(ref string) string { return ref + ", §6.4.9" }

// briefCommand reports whether a command with verb is framed briefly when
// it holds no literal (briefLine): the commands a busy client sends over and
// over, whose fields and meaning are the line's alone: briefCompletions, and
// those whose completion moves the session.
func briefCommand(verb string) bool {
	return briefCompletions[verb] || verb == "SELECT" || verb == "EXAMINE" || verb == "CLOSE" || verb == "UNSELECT"
}

// lineWord splits line's first word, up to a space, from the rest.
func lineWord(line []byte) (word, rest []byte) {
	i := bytes.IndexByte(line, ' ')
	if i < 0 {
		return line, nil
	}
	return line[:i], line[i+1:]
}

// plainTag reports whether tag is a tag as RFC 9051 §9 spells one (no
// wildcard, list, literal or quoting characters, no "+"): the lines framed
// briefly start with one.
func plainTag(tag []byte) bool { return len(tag) > 0 && !bytes.ContainsAny(tag, `*+(){%"\`) }

// briefLine reports whether command f is framed briefly: its fields and
// meaning built when someone looks (commandLater). It returns its tag and
// name, read without tokenizing the rest.
func briefLine(f frame) (tag, name string, ok bool) {
	if !f.done || f.cut || f.nlit > 0 || f.size != int64(len(f.raw)) {
		return "", "", false
	}
	t, rest := lineWord(bytes.TrimRight(f.text, "\r\n"))
	n, rest := lineWord(rest)
	name = asciiUpper(string(n))
	if name == "UID" {
		sub, _ := lineWord(rest)
		name += " " + asciiUpper(string(sub))
	}
	if !plainTag(t) || !briefCommand(strings.TrimPrefix(name, "UID ")) {
		return "", "", false
	}
	return string(t), name, true
}

// commandLater builds the fields and meaning of a command framed briefly,
// framing its bytes again.
func commandLater(msg *lab.Message) ([]lab.Field, string) {
	f := reframe(msg)
	m := base(lab.ClientToServer, f)
	// Not in TLS: only LOGIN's meaning reads it, and LOGIN is never framed briefly.
	describeCommand(&m, f, display(f.text), "", false)
	framing.Place(&m, spanned...)
	return m.Fields, m.Meaning
}

// quoteIfNeeded quotes s as IMAP would when it is not a plain atom.
func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \"(){%*\\]\r\n") {
		return strconv.Quote(s)
	}
	return s
}

// response explains one frame from the server.
func (a *Analyzer) response(f frame) {
	if a.greeted && f.done && !f.cut && f.size == int64(len(f.raw)) {
		if fetchResponse(f.text) {
			a.out = append(a.out, a.fetch(f))
			return
		}
		if m, ok := a.briefTagged(f); ok {
			a.out = append(a.out, m)
			return
		}
	}
	toks := tokenize(f.text, f.lits, 6)
	if len(toks) > 0 && toks[0].text != "*" && toks[0].text != "+" && a.fr[lab.ClientToServer].waitingSync() {
		// A tagged completion while the client waits to send a literal: the server
		// refused it, so the client's command ends here.
		if ct := tokenize(a.fr[lab.ClientToServer].cur.text, nil, 1); len(ct) == 1 && ct[0].text == toks[0].text {
			a.fr[lab.ClientToServer].flush(func(f frame) bool { a.command(f); return false })
		}
	}
	m := base(lab.ServerToClient, f)
	disp := display(f.text)
	m.Summary = shorten(disp, 160)
	if !f.done {
		m.Summary += " (cut short)"
	}
	greeting := !a.greeted
	a.greeted = true
	switch {
	case len(toks) == 0 || toks[0].kind != tokAtom:
		m.Summary = "malformed response " + strconv.Quote(shorten(disp, 80))
		m.Meaning = "Not an IMAP response: each begins with *, + or a command's tag."
		m.Ref = "RFC 9051 §2.2.2"
	case toks[0].text == "+":
		a.continuation(&m, disp)
	case toks[0].text == "*":
		a.untagged(&m, f, toks, disp, greeting)
	default:
		a.tagged(&m, toks, disp)
	}
	a.out = append(a.out, m)
}

// continuation explains a continuation request ("+ ...").
func (a *Analyzer) continuation(m *lab.Message, disp string) {
	m.Ref = "RFC 9051 §7.6"
	text := strings.TrimSpace(strings.TrimPrefix(disp, "+"))
	switch {
	case a.fr[lab.ClientToServer].waitingSync():
		c := &a.fr[lab.ClientToServer].cur
		m.Meaning = fmt.Sprintf("Go ahead: the server is ready for the client's literal of %d bytes.", c.lits[c.nlit-1].size)
		m.Ref = "RFC 9051 §4.3"
	case a.lastIs("IDLE"):
		m.Meaning = "The server is idling: until the client sends DONE it reports changes (new mail as EXISTS, removals as EXPUNGE, flags as FETCH) the moment they happen."
		m.Ref = "RFC 9051 §6.3.13"
		from := a.state.State()
		a.state.Move(m, StateIdle)
		if a.state.State() == StateIdle {
			a.idleFrom = from
		}
	case a.lastIs("AUTHENTICATE"):
		m.Meaning = "A SASL challenge (base64, often empty): the client answers with a line of its own."
		m.Ref = "RFC 9051 §6.2.2"
	default:
		m.Meaning = "A continuation request: the server is ready for more of the client's command."
	}
	if text != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "text", Value: text})
	}
}

// tagged explains a tagged completion and moves the state by it.
func (a *Analyzer) tagged(m *lab.Message, toks []token, disp string) {
	tag := toks[0].text
	status := ""
	if len(toks) > 1 {
		status = asciiUpper(toks[1].text)
	}
	m.Ref = "RFC 9051 §7.1"
	if !statusWord(status) || status == "BYE" || status == "PREAUTH" {
		m.Summary = "malformed response " + strconv.Quote(shorten(disp, 80))
		m.Meaning = "A tagged response must be OK, NO or BAD."
		return
	}
	cmd, ok := a.pending.Match(func(c command) bool { return c.tag == tag })
	m.Meaning = a.moves(m, describeTagged(m, tag, status, disp, cmd, ok), ok, status, strings.TrimPrefix(cmd.name, "UID "))
}

// describeTagged gives m, a tagged completion with status (OK, NO or BAD)
// of the command cmd (ok: the lab saw it) tagged tag, displayed disp, its
// fields and ref, and returns its meaning, but for what it does to the
// session (moves).
func describeTagged(m *lab.Message, tag, status, disp string, cmd command, ok bool) string {
	text := ""
	if i := strings.Index(asciiUpper(disp), " "+status); i >= 0 {
		text = strings.TrimSpace(disp[i+1+len(status):])
	}
	code, rest := responseCode(text)
	m.Fields = append([]lab.Field{{Name: "tag", Value: tag}, {Name: "status", Value: status}}, m.Fields...)
	var meaning string
	switch status {
	case "OK":
		meaning, m.Ref = "done", "RFC 9051 §7.1.1"
	case "NO":
		meaning, m.Ref = "refused", "RFC 9051 §7.1.2"
	case "BAD":
		meaning, m.Ref = "not understood (a syntax error, or a command not allowed in this state)", "RFC 9051 §7.1.3"
	}
	if ok {
		m.Fields = append(m.Fields, lab.Field{Name: "in answer to", Value: cmd.summary})
		meaning = "The server's completion of " + cmd.name + ", tag " + tag + ": " + meaning + "."
	} else {
		meaning = "A tagged completion (" + meaning + ") for tag " + tag + ", a command the lab did not see."
	}
	if code != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "response code", Value: code})
		if cm := codeMeaning(code); cm != "" {
			meaning += " " + cm + "."
		}
	}
	if rest != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "text", Value: rest})
	}
	return meaning
}

// moves makes the effects on the session of m, a tagged completion with
// status of the command verb (ok: the lab saw it), and returns meaning with
// what they are.
func (a *Analyzer) moves(m *lab.Message, meaning string, ok bool, status, verb string) string {
	if ok && status == "OK" {
		switch verb {
		case "LOGIN", "AUTHENTICATE":
			meaning += " The client is logged in."
			a.state.Move(m, StateAuthenticated)
		case "SELECT", "EXAMINE":
			meaning += " The mailbox is selected: its messages may be fetched, searched, flagged."
			if a.state.State() == StateAuthenticated {
				a.state.Move(m, StateSelected)
			}
		case "CLOSE", "UNSELECT":
			a.state.Move(m, StateAuthenticated)
		case "UNAUTHENTICATE":
			a.state.Move(m, StateNotAuthenticated)
		case "LOGOUT":
			m.Teardown = true
			a.state.Move(m, StateLogout)
		case "STARTTLS":
			if !a.inTLS {
				meaning += " Encrypted from here: the client begins a TLS handshake."
				a.handoff = true
			}
		}
	}
	if ok && verb == "STARTTLS" && !a.handoff && a.Handoff.Asked() {
		a.Handoff.Refuse()
	}
	if ok && (status == "NO" || status == "BAD") {
		switch verb {
		case "SELECT", "EXAMINE":
			if status == "NO" && a.state.State() == StateSelected {
				meaning += " No mailbox is selected any more."
				a.state.Move(m, StateAuthenticated)
			}
		case "LOGIN", "AUTHENTICATE":
			meaning += " The client is still not logged in."
		}
	}
	if ok && verb == "IDLE" && a.state.State() == StateIdle {
		meaning += " IDLE is over."
		a.state.Move(m, a.idleFrom)
	}
	return meaning
}

// untagged explains an untagged response ("* ...").
func (a *Analyzer) untagged(m *lab.Message, f frame, toks []token, disp string, greeting bool) {
	if len(toks) < 2 {
		m.Meaning, m.Ref = "An untagged response without content.", "RFC 9051 §2.2.2"
		return
	}
	kind, num := asciiUpper(toks[1].text), ""
	args := toks[2:]
	if _, err := strconv.ParseUint(toks[1].text, 10, 32); err == nil && len(toks) > 2 {
		num, kind, args = toks[1].text, asciiUpper(toks[2].text), toks[3:]
	}
	i, known := untagged[kind]
	if !known {
		m.Meaning, m.Ref = "An untagged response this lab does not know: data from an extension.", "RFC 9051 §7"
		return
	}
	m.Meaning, m.Ref = i.meaning, i.ref
	m.Fields = append([]lab.Field{{Name: "response", Value: kind}}, m.Fields...)
	// rest is what follows the kind word in disp.
	rest := ""
	if j := strings.Index(asciiUpper(disp), kind); j >= 0 {
		rest = strings.TrimSpace(disp[j+len(kind):])
	}
	switch kind {
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		code, text := responseCode(rest)
		if greeting && kind == "OK" {
			m.Meaning = "The greeting: the server is ready, and the client must log in (not authenticated)"
		}
		if greeting {
			m.Handshake = true
		}
		if code != "" {
			m.Fields = append(m.Fields, lab.Field{Name: "response code", Value: code})
			if cm := codeMeaning(code); cm != "" {
				m.Meaning += ". " + cm
			}
		}
		if text != "" {
			m.Fields = append(m.Fields, lab.Field{Name: "text", Value: text})
			m.Meaning += ": " + strconv.Quote(shorten(text, 120))
		}
		m.Meaning += "."
		switch kind {
		case "BYE":
			m.Teardown = true
			a.state.Move(m, StateLogout)
		case "PREAUTH":
			if greeting {
				a.state.Move(m, StateAuthenticated)
			}
		}
	case "EXISTS":
		m.Meaning = fmt.Sprintf("The mailbox holds %s messages now.", num)
		if a.state.State() == StateIdle {
			m.Meaning += " Told during IDLE: new mail has arrived (or was copied in) since the client last heard."
		} else {
			m.Meaning += " A number higher than before means new messages."
		}
		m.Fields = append(m.Fields, lab.Field{Name: "messages", Value: num})
	case "RECENT":
		m.Meaning = fmt.Sprintf("%s messages are new since any session last saw this mailbox (IMAP4rev1; IMAP4rev2 drops RECENT).", num)
	case "EXPUNGE":
		m.Meaning = fmt.Sprintf("Message %s was removed for good. The messages after it move down by one: sequence numbers shift, UIDs never change.", num)
		m.Fields = append(m.Fields, lab.Field{Name: "message", Value: num})
	case "FETCH":
		fetchDetail(m, f, num, args, a.state.State() == StateIdle)
	case "CAPABILITY":
		m.Meaning = "What the server supports: " + shorten(rest, 200) + "."
		up := " " + asciiUpper(rest) + " "
		if strings.Contains(up, " LOGINDISABLED ") {
			m.Meaning += " LOGINDISABLED: LOGIN is refused until the connection is encrypted (STARTTLS)."
		}
		if strings.Contains(up, " STARTTLS ") {
			m.Meaning += " STARTTLS: the client may encrypt the connection."
		}
		m.Fields = append(m.Fields, lab.Field{Name: "capabilities", Value: shorten(rest, 400)})
	case "LIST", "LSUB":
		if len(args) >= 3 {
			m.Meaning = fmt.Sprintf("A mailbox: %s (attributes %s, hierarchy separator %s).", quoteIfNeeded(args[2].value()), args[0].raw, args[1].raw)
			m.Fields = append(m.Fields, lab.Field{Name: "mailbox", Value: args[2].value()}, lab.Field{Name: "attributes", Value: args[0].raw})
		}
	case "STATUS":
		if len(args) >= 2 && args[1].kind == tokList {
			var parts []string
			for k := 0; k+1 < len(args[1].items); k += 2 {
				parts = append(parts, strings.ToLower(args[1].items[k].text)+" "+args[1].items[k+1].text)
				m.Fields = append(m.Fields, lab.Field{Name: strings.ToLower(args[1].items[k].text), Value: args[1].items[k+1].text})
			}
			m.Meaning = fmt.Sprintf("The status of %s: %s.", quoteIfNeeded(args[0].value()), strings.Join(parts, ", "))
		}
	case "SEARCH":
		nums := strings.Fields(rest)
		if len(nums) == 0 {
			m.Meaning = "No message matches the search."
		} else {
			m.Meaning = fmt.Sprintf("%d message(s) match: %s (sequence numbers, or UIDs for UID SEARCH).", len(nums), shorten(rest, 120))
		}
		m.Fields = append(m.Fields, lab.Field{Name: "matches", Value: strconv.Itoa(len(nums))})
	case "FLAGS":
		m.Meaning = "The flags this mailbox knows: " + rest + "."
	}
}

// startTLS hands the rest of the connection to TLS, whose decrypted data goes to
// an IMAP analyzer inside it that carries on the session. What the client sent
// after STARTTLS, before the OK, the server discards.
func (a *Analyzer) startTLS(out []lab.Message, at time.Time) []lab.Message {
	return a.Handoff.Begin(out, at, starttls.Notice("After the OK to STARTTLS the client starts a TLS handshake; the commands and responses that follow are encrypted. "+
		"The lab decrypts them with its key log when the server is the lab's own; otherwise only the TLS records show.", "RFC 9051 §6.2.1"),
		Name, func() lab.Analyzer {
			in := NewAnalyzer()
			in.state, in.inTLS, in.greeted = a.state, true, true
			a.inner = in
			return in
		})
}

// fetchResponse reports whether text, a whole response's, is an untagged
// FETCH: "* n FETCH ...".
func fetchResponse(text []byte) bool {
	rest, ok := bytes.CutPrefix(text, []byte("* "))
	if !ok {
		return false
	}
	i := 0
	for i < len(rest) && i < 10 && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	return i > 0 && len(rest) > i+7 && rest[i] == ' ' && bytes.EqualFold(rest[i+1:i+6], []byte("FETCH")) && rest[i+6] == ' '
}

// fetch frames an untagged FETCH response, f, whose bytes are all kept
// (Raw): its summary now, its fields and meaning when someone looks
// (fetchLater). A client that opens mail after mail, or syncs flags, gets
// one for each message.
func (a *Analyzer) fetch(f frame) lab.Message {
	m := lab.Message{Dir: lab.ServerToClient, Raw: f.raw, Observed: true, Ref: untagged["FETCH"].ref, Summary: shorten(display(f.text), 160)}
	m.DeferTo(a.fetches.Put(fetchLater{idle: a.state.State() == StateIdle}))
	return m
}

// fetchLater is what a FETCH response framed briefly is explained from,
// besides its bytes: whether the session was idling (IDLE) when it came.
type fetchLater struct{ idle bool }

// Fill frames msg's bytes again and explains them as untagged does.
func (d *fetchLater) Fill(msg *lab.Message) ([]lab.Field, string) {
	f := reframe(msg)
	toks := tokenize(f.text, f.lits, 6)
	m := base(lab.ServerToClient, f)
	m.Meaning = untagged["FETCH"].meaning
	m.Fields = append([]lab.Field{{Name: "response", Value: "FETCH"}}, m.Fields...)
	if len(toks) >= 3 {
		fetchDetail(&m, f, toks[1].text, toks[3:], d.idle)
	}
	framing.Place(&m, spanned...)
	return m.Fields, m.Meaning
}

// fetchDetail adds the fields and meaning of an untagged FETCH of message
// num, f, whose tokens after FETCH are args; idle says the session was idling.
func fetchDetail(m *lab.Message, f frame, num string, args []token, idle bool) {
	m.Fields = append(m.Fields, lab.Field{Name: "message", Value: num})
	if len(args) > 0 && args[0].kind == tokList {
		what, fields := describeFetch(args[0].items)
		for _, p := range fields {
			m.Fields = append(m.Fields, lab.Field{Name: p.name, Value: p.value})
		}
		m.Meaning = fmt.Sprintf("Message %s (its sequence number in the mailbox): %s.", num, what)
		if idle {
			m.Meaning += " Told during IDLE: another session changed it."
		}
	}
	m.Meaning += literalNote(f, "server")
}

// briefCompletions are the commands whose tagged completion is framed
// briefly (briefTagged): those framed briefly (briefCommand) whose end
// changes nothing in the session.
var briefCompletions = map[string]bool{
	"FETCH": true, "STORE": true, "COPY": true, "MOVE": true, "EXPUNGE": true, "SEARCH": true,
	"NOOP": true, "CHECK": true, "STATUS": true, "LIST": true, "LSUB": true,
	"CAPABILITY": true, "ENABLE": true, "NAMESPACE": true,
}

// taggedRefs are where each status of a tagged completion is specified.
var taggedRefs = map[string]string{"OK": "RFC 9051 §7.1.1", "NO": "RFC 9051 §7.1.2", "BAD": "RFC 9051 §7.1.3"}

// briefTagged frames f, a whole response, briefly when it is the tagged
// completion of one of briefCompletions, no literal in it and no client
// literal waiting on it: its summary now, its fields and meaning when
// someone looks (tagLater). It takes the command it answers from those
// waiting; ok is false, and nothing is taken, for any other response.
func (a *Analyzer) briefTagged(f frame) (lab.Message, bool) {
	if f.nlit > 0 || a.fr[lab.ClientToServer].waitingSync() {
		return lab.Message{}, false
	}
	tag, rest := lineWord(bytes.TrimRight(f.text, "\r\n"))
	if !plainTag(tag) {
		return lab.Message{}, false
	}
	status, _ := lineWord(rest)
	ref := taggedRefs[asciiUpper(string(status))]
	if ref == "" {
		return lab.Message{}, false
	}
	seen := false
	cmd, ok := a.pending.Match(func(c command) bool {
		if seen || c.tag != string(tag) {
			return false
		}
		seen = true // the oldest command with the tag is the one answered, brief or not
		return briefCompletions[strings.TrimPrefix(c.name, "UID ")]
	})
	if !ok {
		return lab.Message{}, false
	}
	m := lab.Message{Dir: lab.ServerToClient, Raw: f.raw, Observed: true, Ref: ref, Summary: shorten(display(f.text), 160)}
	m.DeferTo(a.tags.Put(tagLater{cmd: cmd}))
	return m, true
}

// tagLater is what a tagged completion framed briefly is explained from,
// besides its bytes: the command it answers.
type tagLater struct{ cmd command }

// Fill frames msg's bytes again and explains them as tagged does (a
// completion framed briefly changes nothing in the session).
func (d *tagLater) Fill(msg *lab.Message) ([]lab.Field, string) {
	f := reframe(msg)
	toks := tokenize(f.text, f.lits, 6)
	m := base(lab.ServerToClient, f)
	if len(toks) < 2 {
		return nil, ""
	}
	meaning := describeTagged(&m, toks[0].text, asciiUpper(toks[1].text), display(f.text), d.cmd, true)
	framing.Place(&m, spanned...)
	return m.Fields, meaning
}
