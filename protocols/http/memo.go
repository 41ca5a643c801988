package http

import (
	"bytes"
	"hash/maphash"
	"unsafe"

	"github.com/protocollab/protolab/lab"
)

// A keep-alive connection's heads mostly repeat: a load generator's, a
// polling page's, a client library's requests are the same bytes each time,
// and so are their responses within a second (Date changes). A stream that
// meets the same head twice in a row remembers its parse (a memo), and a
// head the same as the memo's is not parsed again; a message from a memo
// shares its summary too (built once, not once a message).
//
// A stream knows the head before by its hash alone, and the memo is
// parsed from the head met the second time: what a connection keeps is a
// word a direction, and one memo while it lasts (not once it closed). The
// messages framed from a memo keep it for their fields (kept.Fill, which
// reads the parse from any goroutine: the parse is never written once
// made; its summary's part only by the analyzer's goroutine), and the first
// of them counts it against the hub's bound.

// maxMemo bounds the head a stream remembers: a longer one is parsed each time.
const maxMemo = 1 << 10

// memoize is whether streams keep memos: a variable only so that a test can
// compare with the analyzer that parses every head.
var memoize = true

// memoSeed is the seed of the heads' hashes.
var memoSeed = maphash.MakeSeed()

// memo is a head's parse: its bytes (a copy) and the message parsed from
// them, whose texts lie in those bytes and whose header fields are its own.
type memo struct {
	head []byte
	msg  message

	// The summary of the last message framed from the memo, and what the
	// summary tells of that message beside its head: a response's says its
	// body's size when it has one (message.message).
	summary string // "" before the first
	body    int64
	chunks  int
	framing string

	held bool // a message counts the memo as held (message.message)
}

// size is what a memo holds.
func (p *memo) size() int {
	return int(unsafe.Sizeof(*p)) + cap(p.head) + cap(p.msg.headers)*int(unsafe.Sizeof(lab.Field{}))
}

// parse parses head (parseHead) or takes it from the stream's memo, and
// remembers a head met twice in a row.
func (s *stream) parse(head []byte, inPlace bool) (*message, string) {
	if p := s.memo; p != nil && bytes.Equal(head, p.head) {
		return p.reuse(&s.room, head, inPlace), ""
	}
	m, err := parseHead(s.dir, head, inPlace, &s.room)
	if err != "" || len(head) > maxMemo || !memoize {
		return m, err
	}
	h := maphash.Bytes(memoSeed, head)
	if h != s.last {
		s.last = h
		return m, ""
	}
	p := &memo{head: bytes.Clone(head)}
	if pm, _ := parseHead(s.dir, p.head, true, nil); pm != nil {
		p.msg = *pm
		s.memo, m.memo = p, p
	}
	return m, ""
}

// reuse makes the stream's message (room's) the memo's parse, its bytes
// head's (as parseHead would).
func (p *memo) reuse(room *headRoom, head []byte, inPlace bool) *message {
	m := &room.msg
	preview := m.preview[:0]
	*m = p.msg
	m.preview, m.memo = preview, p
	m.raw.Start(head[:min(len(head), MaxKeptBytes)], inPlace && len(head) <= MaxKeptBytes, 0)
	return m
}

// summaryOf returns the summary of m when m was framed from a memo (p) and
// the memo's last summary holds for it.
func (p *memo) summaryOf(m *message) (string, bool) {
	if p == nil || p.summary == "" || p.body != m.body || p.chunks != m.chunks || p.framing != m.framing {
		return "", false
	}
	return p.summary, true
}

// sum remembers summary, m's, for the memo's next message (none without a memo).
func (p *memo) sum(m *message, summary string) {
	if p != nil {
		p.summary, p.body, p.chunks, p.framing = summary, m.body, m.chunks, m.framing
	}
}
