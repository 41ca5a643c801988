package redis

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// reply explains a server's frame nd: a reply to the oldest command waiting,
// a message pushed to a subscriber, or another push.
func (a *Analyzer) reply(m *lab.Message, frame []byte, nd *node) {
	m.Ref = replyRefs[nd.typ]
	if kind, ok := pubsubKind(nd, frame); ok && (nd.typ == '>' || a.subscriptions(false)+a.subscriptions(true) > 0 || a.expects(kind)) {
		if a.pubsub(m, frame, nd, kind) {
			return
		}
	}
	if nd.typ == '>' {
		m.Summary = "push " + brief(nd, frame)
		m.Meaning = "RESP3 data the server pushes on its own, not a reply to a command (client-side caching's invalidate, for one)."
		m.Ref = ref + "pushes"
		return
	}
	p, ok := a.pending.Answer(true)
	if !ok {
		m.Summary = brief(nd, frame)
		m.Meaning = "A reply to no command the lab saw: " + whatIs(nd, frame) + "."
		return
	}
	m.Role, m.Pair = lab.RoleAnswer, p.pair
	// The summary and meaning are built in the analyzer's scratch and kept in
	// its arena: a reply costs no allocation of its own.
	b := a.scratch[:0]
	if p.name != "" {
		b = append(append(b, p.name...), " → "...)
	}
	m.Summary = a.arena.Text(&a.scratch, appendBrief(b, nd, frame))
	b = appendWhatIs(append(a.scratch[:0], "The server's reply: "...), nd, frame)
	m.Meaning = a.arena.Text(&a.scratch, append(b, '.'))
	a.answered(m, p, nd, frame)
}

// replyRefs is a reply's Message.Ref by its type byte: "RESP: bulk strings".
var replyRefs = func() (refs [256]string) {
	for t, k := range kinds {
		if k.name != "" {
			refs[t] = ref + k.name + "s"
		}
	}
	return refs
}()

// answer marks m as the reply to the oldest command waiting, if any.
func (a *Analyzer) answer(m *lab.Message) {
	if p, ok := a.pending.Answer(true); ok {
		m.Role, m.Pair = lab.RoleAnswer, p.pair
	}
}

// expects reports whether the oldest command waiting is answered by a
// pub/sub confirmation of kind ("subscribe", ...).
func (a *Analyzer) expects(kind string) bool {
	p, ok := a.pending.Answer(false)
	return ok && strings.EqualFold(p.name, kind)
}

// answered explains a reply to the command p and moves the state as the reply says.
func (a *Analyzer) answered(m *lab.Message, p *pending, nd *node, frame []byte) {
	isErr := nd.typ == '-' || nd.typ == '!'
	if isErr {
		m.Meaning = explainError(string(nd.val(frame)))
	}
	switch {
	case p.name == "RESET" && !isErr:
		a.state.Move(m, StateConnected)
		clear(a.channels)
		m.Meaning += " The connection is as new: logged out, out of any transaction and subscription."
		return
	case isErr && strings.HasPrefix(string(nd.val(frame)), "NOAUTH"):
		return
	case p.auth || p.name == "AUTH":
		if !isErr && a.state.State() == StateConnected {
			a.state.Move(m, StateAuthenticated)
			m.Meaning += " The client is logged in: the server now runs its commands."
		}
		return
	case p.name == "QUIT" || p.name == "HELLO":
		return
	}
	if a.state.State() == StateConnected && !isErr {
		// A command ran without AUTH: the default user is on, and the connection is logged in as it.
		a.state.Move(m, StateAuthenticated)
		m.Meaning += " The server ran it without AUTH: its default user is on, and every connection is logged in as that user."
	}
	switch {
	case p.name == "MULTI" && !isErr:
		a.state.Move(m, StateTransaction)
		m.Meaning += " The transaction is open: the commands that follow are queued."
	case p.name == "EXEC" || p.name == "DISCARD":
		if a.state.State() == StateTransaction {
			a.state.Move(m, StateAuthenticated)
		}
		if p.name == "EXEC" && nd.null() {
			m.Meaning += " Null: a WATCHed key changed after WATCH, so the transaction ran nothing."
		}
	case !isErr && nd.typ == '+' && string(nd.val(frame)) == "QUEUED":
		m.Meaning = "The command is queued in the transaction: it runs, with the others, at EXEC."
	}
}

// pubsubKind is the first element of a pub/sub message or confirmation,
// lower-case ("message", "subscribe", ...), if nd is one.
func pubsubKind(nd *node, frame []byte) (string, bool) {
	if (nd.typ != '*' && nd.typ != '>') || len(nd.kids) < 3 || nd.kids[0].typ != '$' && nd.kids[0].typ != '+' {
		return "", false
	}
	k := strings.ToLower(string(nd.kids[0].val(frame)))
	switch k {
	case "message", "pmessage", "smessage", "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe":
		return k, true
	}
	return "", false
}

// pubsub explains a message pushed to a subscriber or the confirmation of a
// (un)subscription, and reports whether nd was one.
func (a *Analyzer) pubsub(m *lab.Message, frame []byte, nd *node, kind string) bool {
	str := func(i int) string { return string(nd.kids[i].val(frame)) }
	m.Ref = ref + "Pub/Sub"
	switch kind {
	case "message", "smessage":
		if len(nd.kids) != 3 {
			return false
		}
		ch, data := str(1), nd.kids[2].val(frame)
		m.Pub = &lab.Publication{Subject: Subject(ch), Digest: lab.PayloadDigest(data), Size: len(data)}
		m.Summary = fmt.Sprintf("message on %s: %s", ch, clip(quote(data), 60))
		m.Meaning = fmt.Sprintf("The server delivers a message published to the channel %q, to which this client subscribed. It is not a reply: it comes whenever someone PUBLISHes.", ch)
		return true
	case "pmessage":
		if len(nd.kids) != 4 {
			return false
		}
		pat, ch, data := str(1), str(2), nd.kids[3].val(frame)
		m.Pub = &lab.Publication{Subject: Subject(ch), Digest: lab.PayloadDigest(data), Size: len(data)}
		m.Summary = fmt.Sprintf("pmessage %s on %s: %s", pat, ch, clip(quote(data), 60))
		m.Meaning = fmt.Sprintf("The server delivers a message published to the channel %q, which matches the pattern %q this client subscribed to.", ch, pat)
		return true
	}
	if len(nd.kids) != 3 || nd.kids[2].typ != ':' {
		return false
	}
	count, _ := strconv.Atoi(str(2))
	ch := str(1)
	if nd.kids[1].null() {
		ch = "(none)"
	}
	key := "c:" + ch
	if strings.HasPrefix(kind, "p") {
		key = "p:" + ch
	}
	if strings.Contains(kind, "unsub") {
		delete(a.channels, key)
	} else if len(a.channels) < maxChannels {
		a.channels[key] = true
	}
	m.Summary = fmt.Sprintf("%s %s (%d subscriptions)", kind, ch, count)
	m.Meaning = fmt.Sprintf("The server confirms the %s: the client now has %d subscriptions.", kind, count)
	if p, ok := a.pending.Answer(false); ok && strings.EqualFold(p.name, kind) {
		m.Role, m.Pair = lab.RoleAnswer, p.pair
		if p.replies--; p.replies <= 0 {
			a.pending.Answer(true)
		}
	}
	state := a.state.State()
	switch {
	case count > 0 && (state == StateAuthenticated || state == StateConnected):
		a.state.Move(m, StateSubscribed)
		m.Meaning += " The connection is a subscriber: messages published to its channels come as they are sent."
		if nd.typ == '*' {
			m.Meaning += " In RESP2 it may now send only (P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT and RESET."
		}
	case count == 0 && state == StateSubscribed:
		a.state.Move(m, StateAuthenticated)
		m.Meaning += " No subscription is left: the connection is an ordinary one again."
	}
	return true
}

// whatIs describes a reply's value in words.
func whatIs(nd *node, frame []byte) string { return string(appendWhatIs(nil, nd, frame)) }

// appendWhatIs appends whatIs(nd, frame): a reply's meaning is built in the
// analyzer's scratch, without a string of its own first.
func appendWhatIs(b []byte, nd *node, frame []byte) []byte {
	k := kinds[nd.typ]
	switch {
	case nd.null():
		return append(b, "null, nothing there (a missing key, or a transaction a WATCHed key aborted)"...)
	case nd.typ == '+':
		return append(append(b, "a simple string, "...), nd.val(frame)...)
	case nd.typ == ':':
		return append(append(b, "an integer, "...), nd.val(frame)...)
	case k.blob:
		return append(strconv.AppendInt(append(append(append(b, "a "...), k.name...), " of "...), int64(nd.n), 10), " bytes"...)
	case k.agg:
		return append(strconv.AppendInt(append(append(append(b, "a "...), k.name...), " of "...), int64(len(nd.kids)), 10), " elements"...)
	}
	return append(append(append(append(b, "a "...), k.name...), ", "...), nd.val(frame)...)
}

// errorTexts explains the error prefixes Redis replies with.
var errorTexts = []struct{ prefix, meaning string }{
	{"ERR Protocol error", "the server could not read what the client sent as RESP; it closes the connection after this reply"},
	{"ERR unknown command", "the server has no command of that name"},
	{"ERR wrong number of arguments", "the command was given too many or too few arguments"},
	{"ERR syntax error", "the command's options are not in a form the server reads"},
	{"ERR value is not an integer", "the command needs a whole number where it got something else"},
	{"ERR MULTI calls can not be nested", "MULTI inside a transaction already open"},
	{"ERR EXEC without MULTI", "EXEC with no transaction open"},
	{"ERR DISCARD without MULTI", "DISCARD with no transaction open"},
	{"ERR Can't execute", "in RESP2, a subscribed connection may only (un)subscribe, PING, QUIT and RESET"},
	{"ERR AUTH <password> called without any password", "the default user has no password, so there is nothing to check"},
	{"WRONGTYPE", "the key holds a value of another type than the command works on (a list command on a string)"},
	{"NOAUTH", "the client must log in with AUTH (or HELLO ... AUTH) before any other command"},
	{"WRONGPASS", "the username or password is wrong, or the user is disabled; the lab's server waits a little longer after each wrong password"},
	{"NOPERM", "the user is logged in but its ACL does not allow this command or key"},
	{"EXECABORT", "a command queued in the transaction was wrong, so EXEC ran none of them"},
	{"NOPROTO", "HELLO asked for a protocol version the server does not speak (2 and 3 exist)"},
	{"NOSCRIPT", "no Lua script with that SHA1 is loaded: send it with EVAL or SCRIPT LOAD"},
	{"BUSY", "a script is running and holds the server"},
	{"LOADING", "the server is still loading its data from disk"},
	{"READONLY", "the server is a read-only replica"},
	{"OOM", "the server has used all the memory it may (maxmemory)"},
	{"MOVED", "in a cluster, the key lives on another node"},
	{"ERR", "a general error"},
}

// explainError says what the error reply text means.
func explainError(text string) string {
	for _, e := range errorTexts {
		if strings.HasPrefix(text, e.prefix) {
			code, _, _ := strings.Cut(text, " ")
			if e.prefix == "ERR Protocol error" {
				return fmt.Sprintf("The server reports an error (%s): %s.", code, e.meaning)
			}
			return fmt.Sprintf("The server reports an error (%s): %s. An error answers one command; the connection goes on.", code, e.meaning)
		}
	}
	return "The server reports an error: the first word is its kind, the rest says what went wrong. The connection goes on."
}
