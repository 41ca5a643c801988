package filter

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/protocollab/protolab/lab"
)

// Subject is what a filter is applied to: a conversation, alone or with one of
// its messages.
type Subject struct {
	Conv *lab.ConvInfo
	// Parent is the conversation Conv is linked under (Conv.Link.Parent), when
	// known: a data connection passes its session's protocol name.
	Parent *lab.ConvInfo
	// Event is one of Conv's messages (a row of the message list); nil tests
	// the conversation alone, and every message field is then absent.
	Event *lab.Event
}

// Match reports whether s passes f. A nil filter passes everything. It
// allocates nothing.
func (f *Filter) Match(s *Subject) bool {
	if f == nil {
		return true
	}
	if s.Conv == nil {
		return false
	}
	return f.root.eval(s)
}

func (n *node) eval(s *Subject) bool {
	switch n.kind {
	case nOr:
		return n.l.eval(s) || n.r.eval(s)
	case nAnd:
		return n.l.eval(s) && n.r.eval(s)
	case nNot:
		return !n.l.eval(s)
	case nName:
		return n.protocol(s)
	case nFlag:
		return flag(n.name, s.Conv)
	case nHas:
		return n.has(s.Event)
	case nCmp:
		if n.op == opNe {
			return !n.cmp(s, opEq)
		}
		return n.cmp(s, n.op)
	}
	return false
}

// protocol tests a bare protocol or layer name.
func (n *node) protocol(s *Subject) bool {
	c := s.Conv
	if n.oneOf(c.Protocol) || strings.EqualFold(c.Transport, n.name) {
		return true
	}
	if c.Link.Kind == lab.LinkData && s.Parent != nil && s.Parent.ID == c.Link.Parent && n.oneOf(s.Parent.Protocol) {
		return true
	}
	return s.Event != nil && strings.EqualFold(layerOf(s.Event), n.name)
}

func (n *node) oneOf(proto string) bool {
	for _, p := range n.protos {
		if strings.EqualFold(p, proto) {
			return true
		}
	}
	return false
}

func flag(name string, c *lab.ConvInfo) bool {
	switch name {
	case "rst":
		return c.CloseHow == lab.HowRST
	case "fin":
		return c.CloseHow == lab.HowFIN
	case "idle":
		return c.CloseHow == lab.HowIdle
	case "live":
		return c.Live
	}
	return false
}

// layerOf is the layer e belongs to.
func layerOf(e *lab.Event) string {
	if e.Msg != nil && e.Msg.Layer != "" {
		return e.Msg.Layer
	}
	return e.Layer
}

// fields returns e's fields when e is of one of n's layers.
func (n *node) fields(e *lab.Event) []lab.Field {
	if e == nil || e.Msg == nil {
		return nil
	}
	l := layerOf(e)
	for _, name := range n.layers {
		if strings.EqualFold(l, name) {
			fields, _ := e.Msg.Detail()
			return fields
		}
	}
	return nil
}

func (n *node) has(e *lab.Event) bool {
	for _, f := range n.fields(e) {
		if fieldIs(f.Name, n.norm) {
			return true
		}
	}
	return false
}

// cmp applies o (never opNe) to the field n compares.
func (n *node) cmp(s *Subject, o op) bool {
	c, e := s.Conv, s.Event
	switch n.fid {
	case fProto:
		return n.text(c.Protocol, o)
	case fTransport:
		return n.text(c.Transport, o)
	case fClient:
		return n.text(c.Client, o)
	case fServer:
		return n.text(c.Server, o)
	case fEndpoint:
		return n.text(c.Client, o) || n.text(c.Server, o)
	case fPort:
		return n.port(c.Client, o) || n.port(c.Server, o)
	case fClose:
		return n.text(c.CloseHow, o)
	case fClosedBy:
		return n.text(c.ClosedBy.String(), o)
	case fLink:
		return n.text(c.Link.Kind.String(), o)
	case fID:
		return n.number(int64(c.ID), o)
	case fBytes:
		return n.number(c.BytesC2S+c.BytesS2C, o)
	case fMessages:
		return n.number(int64(c.Messages), o)
	case fState:
		if e == nil {
			return n.text(c.State, o)
		}
		return n.msgState(e.Msg, o)
	case fPath:
		for _, f := range n.fields(e) {
			if fieldIs(f.Name, n.norm) && n.value(f.Value, o) {
				return true
			}
		}
		return false
	}
	if e == nil {
		return false
	}
	switch n.fid {
	case fDir:
		return e.Dir != lab.DirNone && n.text(e.Dir.String(), o)
	case fText:
		if e.Msg != nil {
			return n.text(e.Msg.Summary, o)
		}
		return n.text(e.Text, o)
	case fCode:
		code, ok := ReplyCode(e)
		return ok && n.number(int64(code), o)
	case fLayer:
		return n.text(layerOf(e), o)
	case fKind:
		return n.text(e.Kind.String(), o)
	}
	return false
}

// msgState applies o to the state m moved its layer to, and to the state each
// end is in after it when m names both ends' (TCP: lab.StateField).
func (n *node) msgState(m *lab.Message, o op) bool {
	if m == nil {
		return false
	}
	if m.NextState != "" && n.text(m.NextState, o) {
		return true
	}
	fields, _ := m.Detail()
	for _, f := range fields {
		if (f.Name == clientState || f.Name == serverState) && n.text(f.Value, o) {
			return true
		}
	}
	return false
}

// The fields in which a message names each end's state.
var clientState, serverState = lab.StateField(lab.SideClient), lab.StateField(lab.SideServer)

// text applies o to a text.
func (n *node) text(s string, o op) bool {
	switch o {
	case opEq:
		return strings.EqualFold(s, n.val)
	case opContains:
		return containsFold(s, n.lower)
	case opMatches:
		return n.re.MatchString(s)
	}
	return false
}

// value applies o to a field's value: a text, or with < <= > >= its leading number.
func (n *node) value(s string, o op) bool {
	if !o.ordering() {
		return n.text(s, o)
	}
	v, ok := leadingInt(s)
	return ok && n.number(v, o)
}

func (n *node) number(v int64, o op) bool {
	switch o {
	case opEq:
		return v == n.num
	case opLt:
		return v < n.num
	case opLe:
		return v <= n.num
	case opGt:
		return v > n.num
	case opGe:
		return v >= n.num
	}
	return false
}

// port applies o to an endpoint's port.
func (n *node) port(addr string, o op) bool {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return false
	}
	v, err := strconv.ParseInt(addr[i+1:], 10, 64)
	return err == nil && n.number(v, o)
}

// containsFold reports whether lower (in lower case) is within s, ignoring case.
func containsFold(s, lower string) bool {
	if lower == "" {
		return true
	}
	for i := 0; i+len(lower) <= len(s); i++ {
		if c := s[i]; c != lower[0] && c+('a'-'A') != lower[0] && c < 0x80 {
			continue
		}
		if strings.EqualFold(s[i:i+len(lower)], lower) {
			return true
		}
	}
	return false
}

// norm is a field's name as names are compared: lower case, letters and digits
// only (no spaces, underscores, hyphens or apostrophes).
func norm(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c, ok := normByte(s[i]); ok {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// normIs reports whether norm(s) == t, without allocating.
func normIs(s, t string) bool {
	j := 0
	for i := 0; i < len(s); i++ {
		c, ok := normByte(s[i])
		if !ok {
			continue
		}
		if j >= len(t) || t[j] != c {
			return false
		}
		j++
	}
	return j == len(t)
}

// normByte is c as norm keeps it, and whether it keeps it: letters (in lower
// case), digits and the bytes of other scripts.
func normByte(c byte) (byte, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return c + 'a' - 'A', true
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c >= utf8.RuneSelf:
		return c, true
	}
	return 0, false
}

// fieldIs reports whether a lab.Field called name answers to the normalized
// field t: its whole name, or either part of "main (aside)".
func fieldIs(name, t string) bool {
	if normIs(name, t) {
		return true
	}
	i := strings.IndexByte(name, '(')
	if i < 0 {
		return false
	}
	aside := strings.TrimSuffix(strings.TrimSpace(name[i+1:]), ")")
	return normIs(name[:i], t) || normIs(aside, t)
}

// ReplyCode returns the reply code of e's message: the number a field named
// code, status code, response code or status line holds, or else the one its
// summary begins with ("250 OK", "HTTP/1.1 404 Not Found").
func ReplyCode(e *lab.Event) (int, bool) {
	m := e.Msg
	if m == nil {
		return 0, false
	}
	fields, _ := m.Detail()
	for _, f := range fields {
		if normIs(f.Name, "code") || normIs(f.Name, "statuscode") || normIs(f.Name, "responsecode") || normIs(f.Name, "statusline") {
			if c, ok := leadingCode(f.Value); ok {
				return c, true
			}
		}
	}
	return leadingCode(m.Summary)
}

// leadingCode reads a three-digit code at the start of s, or after a leading
// protocol version ("HTTP/1.1 200 OK"). The code ends s or is followed by a
// space or a hyphen (an SMTP or FTP reply's continuation line).
func leadingCode(s string) (int, bool) {
	if i := strings.IndexByte(s, ' '); i > 0 && strings.IndexByte(s[:i], '/') > 0 {
		s = s[i+1:]
	}
	if len(s) < 3 {
		return 0, false
	}
	code := 0
	for i := range 3 {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		code = code*10 + int(c-'0')
	}
	if len(s) > 3 && s[3] != ' ' && s[3] != '-' {
		return 0, false
	}
	return code, true
}

// leadingInt reads the (optionally signed) integer s begins with.
func leadingInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	v, err := strconv.ParseInt(s[:i], 10, 64)
	return v, err == nil
}
