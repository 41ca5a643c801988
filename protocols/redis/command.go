package redis

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// masked replaces a password in the fields and summaries, as for FTP's PASS
// and SMTP's AUTH: the raw bytes still hold it, as the wire did.
const masked = "**** (masked; the raw bytes show it)"

// arg is one argument of a command with the bytes it was read from.
type arg struct {
	val          []byte
	off, n       int // the argument's bytes in the frame
	lenOff, lenN int // its length's digits (an array's bulk string), 0 for an inline command
}

// command explains a client's frame nd: an array of bulk strings is a command.
// Its fields are built when asked for (fillValue, commandFields).
func (a *Analyzer) command(m *lab.Message, frame []byte, nd *node) {
	m.Ref = ref + "Sending commands to a Redis server"
	if nd.typ != '*' || nd.attr != nil {
		m.Summary = "malformed: a " + kinds[nd.typ].name + " where a command must be an array"
		m.Meaning = "A client sends each command as an array of bulk strings: Redis answers anything else -ERR Protocol error and closes the connection."
		return
	}
	if len(nd.kids) == 0 {
		m.Summary = "an empty command"
		m.Meaning = "An array with no elements is no command: Redis ignores it and sends no reply."
		return
	}
	args, bad := commandArgs(a.args[:0], nd, frame)
	if bad != nil {
		m.Summary = fmt.Sprintf("malformed: a command with a %s among its bulk strings", kinds[bad.typ].name)
		m.Meaning = fmt.Sprintf("Each element of a command is a bulk string: Redis answers -ERR Protocol error: expected '$', got '%c' and closes the connection.", bad.typ)
		a.pending.Push(a.newPending(pending{pair: a.nextPair(), replies: 1, summary: "malformed command"}), maxPending)
		m.Role, m.Pair = lab.RoleRequest, a.lastPair()
	} else {
		a.explain(m, args)
	}
	clear(args)
	a.args = args[:0]
}

// commandArgs appends to args the bulk strings of the command array nd, as
// arguments, up to the first element that is not one, which it returns (nil
// when all are).
func commandArgs(args []arg, nd *node, frame []byte) ([]arg, *node) {
	for i := range nd.kids {
		k := &nd.kids[i]
		if k.typ != '$' || k.null() || k.attr != nil {
			return args, k
		}
		args = append(args, arg{val: k.val(frame), off: k.valOff, n: k.valLen, lenOff: k.numOff, lenN: k.numLen})
	}
	return args, nil
}

// commandFields adds to fs the fields of a client's frame nd, as command
// frames it: the count, then each argument named, a password masked.
func commandFields(fs *[]lab.Field, frame []byte, nd *node) {
	if nd.typ != '*' || nd.attr != nil {
		fields(fs, frame, nd, "value")
		return
	}
	if len(nd.kids) == 0 {
		*fs = append(*fs, lab.Field{Name: "count", Value: strconv.Itoa(nd.n), Off: nd.numOff, Len: nd.numLen})
		return
	}
	*fs = append(*fs, lab.Field{Name: "count", Value: fmt.Sprintf("%d elements", nd.n), Off: nd.numOff, Len: nd.numLen})
	args, bad := commandArgs(make([]arg, 0, len(nd.kids)), nd, frame)
	if bad != nil {
		fields(fs, frame, nd, "command")
		return
	}
	argFields(fs, args)
}

// inline frames a command sent as a line of words, as typed in telnet or
// nc: Redis splits it as a shell would, with "double" and 'single' quotes.
func (a *Analyzer) inline(data []byte) (int, framing.Then) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 || i >= MaxInline {
		if len(data) > MaxInline {
			m := lab.Message{
				Dir:     lab.ClientToServer,
				Summary: fmt.Sprintf("malformed: an inline command longer than %d bytes", MaxInline),
				Meaning: fmt.Sprintf("A line that is not a RESP array is an inline command, at most %d bytes: Redis answers -ERR Protocol error: too big inline request and closes the connection. The lab skips the rest of the line.", MaxInline),
				Ref:     ref + "Inline commands",
				Raw:     data[:keptBig],
			}
			a.pending.Push(a.newPending(pending{pair: a.nextPair(), replies: 1, summary: "too big inline request"}), maxPending)
			m.Role, m.Pair = lab.RoleRequest, a.lastPair()
			a.emit(m)
			if i >= 0 {
				return i + 1, framing.Go
			}
			return 0, framing.Skip
		}
		return 0, framing.Go
	}
	line := data[:i+1]
	m := lab.Message{Dir: lab.ClientToServer, Raw: line, Ref: ref + "Inline commands"}
	args, err := splitInline(line)
	switch {
	case err != "":
		m.Summary = "malformed: " + err
		m.Meaning = "Redis answers -ERR Protocol error: unbalanced quotes in request and closes the connection."
		a.pending.Push(a.newPending(pending{pair: a.nextPair(), replies: 1, summary: "unbalanced quotes"}), maxPending)
		m.Role, m.Pair = lab.RoleRequest, a.lastPair()
	case len(args) == 0:
		m.Summary = "an empty line"
		m.Meaning = "An empty inline command: Redis ignores it and sends no reply."
	default:
		a.explain(&m, args)
		m.Defer(fillInline)
		m.Ref = ref + "Inline commands"
		m.Meaning += " (Sent inline, as a line of words, the way a person types into telnet or nc; client libraries send arrays of bulk strings.)"
		if _, ok := known(line[0]); ok {
			m.Meaning += fmt.Sprintf(" The line starts with %s, a RESP type byte, but a client's command must be an array (*): Redis reads any other line as an inline command.", quoteByte(line[0]))
		}
	}
	a.emit(m)
	return i + 1, framing.Go
}

// splitInline splits an inline command line into its words, as Redis's
// sdssplitargs does; err says what is wrong with its quotes.
func splitInline(line []byte) (args []arg, err string) {
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n') {
			i++
		}
		if i >= len(line) {
			return args, ""
		}
		start := i
		var w []byte
		switch q := line[i]; q {
		case '"', '\'':
			i++
			for {
				if i >= len(line) || line[i] == '\n' {
					return nil, "unbalanced quotes in an inline command"
				}
				c := line[i]
				if c == q {
					i++
					break
				}
				if c == '\\' && i+1 < len(line) {
					i++
					c = unescape(line[i], q)
				}
				w = append(w, c)
				i++
			}
			if i < len(line) && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n' {
				return nil, "a closing quote not followed by a space in an inline command"
			}
		default:
			for i < len(line) && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n' {
				w = append(w, line[i])
				i++
			}
		}
		args = append(args, arg{val: w, off: start, n: i - start})
	}
}

// unescape is the byte an escape \c stands for inside quotes q.
func unescape(c, q byte) byte {
	if q == '\'' {
		return c
	}
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

// explain names and explains a command with its arguments, args[0] its name.
// Its fields are built when asked for (argFields).
func (a *Analyzer) explain(m *lab.Message, args []arg) {
	name, c, known := commandName(args[0].val)
	p := a.newPending(pending{name: name, pair: a.nextPair(), replies: 1})
	m.Role, m.Pair = lab.RoleRequest, p.pair
	secret := secretArg(name, args) // the argument that is a password
	p.auth = name == "AUTH" || secret > 0
	b := appendWord(a.scratch[:0], []byte(name))
	for i, x := range args[1:] {
		b = append(b, ' ')
		if i+1 == secret {
			b = append(b, "****"...)
		} else {
			b = appendWord(b, x.val)
		}
	}
	if len(b) > maxSummary {
		b = append(b[:maxSummary], "…"...)
	}
	m.Summary = a.arena.Text(&a.scratch, b)
	switch {
	case known:
		m.Meaning = c.meaning
	default:
		m.Meaning = fmt.Sprintf("The command %s, which the lab's table does not describe: COMMAND DOCS %s asks a Redis server about it.", name, name)
	}
	if secret > 0 {
		m.Meaning += " The password is masked here; the raw bytes show it, as anyone on the path sees it without TLS."
	}
	switch name {
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE":
		p.replies = max(len(args)-1, 1)
	case "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE":
		p.replies = len(args) - 1
		if p.replies == 0 {
			p.replies = max(a.subscriptions(name == "PUNSUBSCRIBE"), 1)
		}
	case "PUBLISH":
		if len(args) == 3 {
			data := args[2].val
			m.Pub = &lab.Publication{Subject: Subject(string(args[1].val)), Digest: lab.PayloadDigest(data), Size: len(data)}
		}
	}
	p.summary = m.Summary
	a.pending.Push(p, maxPending)
}

// maxSummary is the longest a command's summary gets, in bytes, before "…".
const maxSummary = 120

// secretArg is the argument of the command name that is a password, -1 if
// none: AUTH's last, HELLO's after AUTH and a username.
func secretArg(name string, args []arg) int {
	switch name {
	case "AUTH":
		return len(args) - 1
	case "HELLO":
		for i := 2; i+2 < len(args); i++ {
			if strings.EqualFold(string(args[i].val), "AUTH") {
				return i + 2
			}
		}
	}
	return -1
}

// argFields adds to fs the fields of a command's arguments, args[0] its
// name: each named by the command's table, a password masked.
func argFields(fs *[]lab.Field, args []arg) {
	name, c, _ := commandName(args[0].val)
	field := func(name, value string, x arg) {
		if x.lenN > 0 {
			*fs = append(*fs, lab.Field{Name: name + " length", Value: strconv.Itoa(len(x.val)), Off: x.lenOff, Len: x.lenN})
		}
		off := x.off
		if x.n == 0 {
			off = 0 // an empty argument: no span
		}
		*fs = append(*fs, lab.Field{Name: name, Value: value, Off: off, Len: x.n})
	}
	field("command", name, args[0])
	secret := secretArg(name, args)
	for i, x := range args[1:] {
		n := argName(c, i)
		if name == "AUTH" && len(args) == 2 {
			n = "password"
		}
		if name == "HELLO" && i > 0 {
			n = "option " + strconv.Itoa(i)
			switch i + 1 {
			case secret - 1:
				n = "username"
			case secret:
				n = "password"
			}
		}
		v := quote(x.val)
		if i+1 == secret {
			v = masked
		}
		field(n, v, x)
	}
}

// commandName is the command whose name is b: its name in capitals, its
// description and whether the lab's table has it. A name the table has is
// the table's own string, so that framing a command makes none.
func commandName(b []byte) (string, command, bool) {
	var up [16]byte
	if len(b) <= len(up) {
		u := up[:len(b)]
		for i, c := range b {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			u[i] = c
		}
		if name, ok := commandNames[string(u)]; ok {
			return name, commands[name], true
		}
	}
	name := strings.ToUpper(clip(string(b), 60))
	c, ok := commands[name]
	return name, c, ok
}

// commandNames maps each name in commands to itself: the string commandName
// returns.
var commandNames = func() map[string]string {
	m := make(map[string]string, len(commands))
	for name := range commands {
		m[name] = name
	}
	return m
}()

// appendWord appends one word of a command, as showWord shows it.
func appendWord(b, w []byte) []byte {
	plain := len(w) > 0
	for _, c := range w {
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' {
			plain = false
			break
		}
	}
	if !plain {
		return append(b, showWord(w)...)
	}
	if len(w) > 60 {
		return append(append(b, w[:60]...), "…"...)
	}
	return append(b, w...)
}

// showWord shows one word of a command in a summary: as it is when it is
// plain, quoted otherwise, cut when long.
func showWord(b []byte) string {
	s := string(b)
	if s == "" || strings.ContainsAny(s, " \"'\\") || strconv.Quote(s) != `"`+s+`"` {
		return clip(quote(b), 60)
	}
	return clip(s, 60)
}

// subscriptions counts the channels (or, with patterns, the patterns) subscribed to.
func (a *Analyzer) subscriptions(patterns bool) int {
	n := 0
	for c := range a.channels {
		if strings.HasPrefix(c, "p:") == patterns {
			n++
		}
	}
	return n
}

// ErrUnbalancedQuotes is SplitInline's error for a quote left open.
var ErrUnbalancedQuotes = errors.New("redis: unbalanced quotes in an inline command")

// SplitInline splits an inline command — a line of words as a person types
// it in telnet, or as redis-cli reads it — into its words, as Redis does:
// "double quotes" with escapes (\n, \t, \", ...), 'single quotes' without.
func SplitInline(line []byte) ([][]byte, error) {
	args, err := splitInline(line)
	if err != "" {
		return nil, ErrUnbalancedQuotes
	}
	words := make([][]byte, len(args))
	for i, a := range args {
		words[i] = a.val
	}
	return words, nil
}
