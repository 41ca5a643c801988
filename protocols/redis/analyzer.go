package redis

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// Bounds on what the analyzer holds.
const (
	// maxHeld bounds the bytes of one direction held for an unfinished frame:
	// a frame longer than that is shown by its start and counted.
	maxHeld = MaxBulk + MaxInline
	// maxPending bounds the commands remembered while their replies are awaited.
	maxPending = 4096
	// maxChannels bounds the subscriptions remembered.
	maxChannels = 1024
	// keptBig is how many bytes of a frame too big to hold its message keeps.
	keptBig = 256
)

const ref = "RESP: "

// Analyzer frames one Redis connection into RESP values — the client's
// commands (arrays of bulk strings, or inline lines), the server's replies
// and pushes — and follows its state (States, Transitions). Each reply is
// matched to the command it answers, in order, however many commands one
// segment carried. It is a lab.ConnAnalyzer. Like every lab.Analyzer it is
// used from one goroutine at a time.
type Analyzer struct {
	block    framing.Block // where Feed's messages are kept
	state    lab.Machine
	buf      [3]framing.Lines // by lab.Dir
	need     [3]int           // bytes a frame being held needs at least, by lab.Dir
	skip     [3]skipper       // a frame too big to hold, being counted, by lab.Dir
	pending  framing.Queue[*pending]
	pendings framing.Slab[pending] // where the pending commands are kept
	seq      int                   // commands sent
	pair     string                // Message.Pair of command seq
	channels map[string]bool       // channels ("c:" before the name) and patterns ("p:") subscribed to
	out      []lab.Message

	arena   framing.Arena // room for the summaries and pairs the messages keep
	scratch []byte        // where a summary is built (framing.Arena.Text)
	args    []arg         // a command's arguments, while it is explained
}

// pending is a command waiting for its replies.
type pending struct {
	name    string // in capitals; "" for a command too big to read
	pair    string // Message.Pair of the command and its replies
	summary string
	replies int  // replies still to come: one, or one per channel for SUBSCRIBE and its kin
	auth    bool // AUTH, or HELLO with AUTH
}

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for one Redis connection.
func NewAnalyzer() *Analyzer { return &Analyzer{state: machine, channels: map[string]bool{}} }

// State is the connection's state: one of States, "" before any byte.
func (a *Analyzer) State() string { return a.state.State() }

// Pending is how many bytes the analyzer holds for dir.
func (a *Analyzer) Pending(dir lab.Dir) int {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	return a.buf[dir].Held()
}

// Opened does nothing: the client speaks first.
func (a *Analyzer) Opened(lab.OpenInfo) []lab.Message { return nil }

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if len(b) == 0 || (dir != lab.ClientToServer && dir != lab.ServerToClient) {
		return nil
	}
	a.out = a.block.Start()
	_, long := a.buf[dir].Feed(b, maxHeld, func(data []byte) (int, framing.Then) { return a.frame(dir, data) })
	a.out = framing.Overlong(a.out, dir, long, maxHeld, "More bytes than the lab holds for one frame.", ref+"RESP protocol description")
	out := a.block.Done(a.out)
	a.out = nil
	return out
}

// frame frames what starts data: the rest of a frame being counted, an
// inline command, or one RESP value.
func (a *Analyzer) frame(dir lab.Dir, data []byte) (int, framing.Then) {
	if s := &a.skip[dir]; s.active() {
		n, err := s.feed(data)
		if err != nil {
			return a.lost(dir, data, err)
		}
		return n, framing.Go
	}
	if len(data) < a.need[dir] {
		return 0, framing.Go
	}
	a.need[dir] = 0
	if dir == lab.ClientToServer && data[0] != '*' {
		return a.inline(data)
	}
	nd, next, err := parseValue(data, 0, 0)
	switch {
	case err == nil:
		a.emit(a.value(dir, data[:next], &nd))
		return next, framing.Go
	case errors.Is(err, errIncomplete) && len(data) <= maxHeld:
		a.need[dir] = next
		return 0, framing.Go
	}
	return a.unframed(dir, data, err)
}

// unframed goes on after data, which does not parse as err says: malformed,
// or a frame too big to hold, which is counted. Apart from frame, so that
// frame's every value does not take the room errors.As needs on the heap.
func (a *Analyzer) unframed(dir lab.Dir, data []byte, err error) (int, framing.Then) {
	var big *tooBig
	var bad *malformed
	switch {
	case errors.As(err, &bad):
		return a.lost(dir, data, bad)
	case !errors.As(err, &big):
		big = &tooBig{at: 0, n: len(data)}
	}
	a.emit(a.tooBig(dir, data, big))
	a.skip[dir].start()
	n, err := a.skip[dir].feed(data)
	if err != nil {
		return a.lost(dir, data, err)
	}
	return n, framing.Go
}

// emit adds m to what Feed returns, moving the state from none to connected
// on the connection's first message.
func (a *Analyzer) emit(m lab.Message) {
	if a.state.State() == "" {
		a.state.Move(&m, StateConnected)
	}
	m.Observed = true
	a.out = append(a.out, m)
}

// lost reports data, which breaks RESP as err says, and goes on at the line
// after the fault.
func (a *Analyzer) lost(dir lab.Dir, data []byte, err error) (int, framing.Then) {
	a.skip[dir] = skipper{}
	bad := &malformed{what: err.Error(), ref: ref + "RESP protocol description"}
	errors.As(err, &bad)
	i := bytes.IndexByte(data[bad.at:], '\n')
	end := len(data)
	if i >= 0 {
		end = bad.at + i + 1
	}
	m := lab.Message{
		Dir:     dir,
		Summary: "malformed: " + bad.what,
		Ref:     bad.ref,
		Raw:     data[:min(end, keptBig)],
	}
	if dir == lab.ClientToServer {
		m.Meaning = "This breaks RESP (" + bad.what + "): Redis answers -ERR Protocol error and closes the connection. The lab goes on at the next line."
		a.pending.Push(a.newPending(pending{pair: a.nextPair(), replies: 1, summary: "malformed input"}), maxPending)
		m.Role, m.Pair = lab.RoleRequest, a.lastPair()
	} else {
		m.Meaning = "This breaks RESP (" + bad.what + "): a client such as redis-cli gives up on the connection. The lab goes on at the next line."
		a.answer(&m) // it was meant as the reply to the oldest command waiting
	}
	a.emit(m)
	if i < 0 {
		return 0, framing.Skip
	}
	return end, framing.Go
}

// tooBig reports a frame, which starts data, longer than the analyzer holds.
func (a *Analyzer) tooBig(dir lab.Dir, data []byte, big *tooBig) lab.Message {
	m := lab.Message{
		Dir:     dir,
		Summary: fmt.Sprintf("a frame with a bulk string of %d bytes, not held", big.n),
		Meaning: fmt.Sprintf("This frame holds a bulk string longer than the %d bytes the lab holds: it shows the frame's start and counts the rest. "+
			"Redis refuses a bulk string longer than its proto-max-bulk-len (512 MB unless configured; the lab's server sets its own bound) with -ERR Protocol error: invalid bulk length.", MaxBulk),
		Ref: ref + "bulk strings",
		Raw: data[:min(len(data), keptBig)],
	}
	if big.at == 0 && big.n == len(data) {
		m.Summary = fmt.Sprintf("a frame longer than %d bytes, not held", maxHeld)
		m.Meaning = fmt.Sprintf("This frame goes on past the %d bytes the lab holds of one: it shows the frame's start and counts the rest.", maxHeld)
	}
	if dir == lab.ClientToServer {
		a.pending.Push(a.newPending(pending{pair: a.nextPair(), replies: 1, summary: "a command too big to show"}), maxPending)
		m.Role, m.Pair = lab.RoleRequest, a.lastPair()
	} else {
		a.answer(&m)
	}
	return m
}

// value explains one whole RESP value, frame, sent in direction dir.
func (a *Analyzer) value(dir lab.Dir, frame []byte, nd *node) lab.Message {
	m := lab.Message{Dir: dir, Raw: frame}
	// The fields are built from the frame when someone looks (fillValue):
	// most of a busy connection's messages nobody opens.
	m.Defer(fillValue)
	if dir == lab.ClientToServer {
		a.command(&m, frame, nd)
	} else {
		a.reply(&m, frame, nd)
	}
	return m
}

// nextPair numbers a new command, for Message.Pair: "command 7".
func (a *Analyzer) nextPair() string {
	a.seq++
	a.pair = a.arena.Text(&a.scratch, strconv.AppendInt(append(a.scratch[:0], "command "...), int64(a.seq), 10))
	return a.pair
}

// lastPair is nextPair's last.
func (a *Analyzer) lastPair() string { return a.pair }

// newPending returns a pointer to a copy of p, cut from a shared allocation.
func (a *Analyzer) newPending(p pending) *pending { return a.pendings.Put(p) }

// Closed ends the session with the connection: bytes of an unfinished frame
// are shown.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	var out []lab.Message
	for d := lab.ClientToServer; d <= lab.ServerToClient; d++ {
		if raw := a.buf[d].Take(); len(raw) > 0 {
			out = append(out, lab.Message{
				Dir:      d,
				Summary:  fmt.Sprintf("%d bytes of an unfinished frame", len(raw)),
				Meaning:  "The connection ended in the middle of a RESP value: an array whose elements did not all come, a bulk string shorter than its length said, or a line without its CR LF.",
				Ref:      ref + "RESP protocol description",
				Raw:      raw[:min(len(raw), keptBig)],
				Observed: true,
			})
		}
		a.need[d] = 0
		a.skip[d] = skipper{}
	}
	closing := lab.Message{
		Dir:      info.By.Outbound(),
		Summary:  "connection closed",
		Meaning:  "The connection ended, and with it the client's transaction, if one was open, and its subscriptions.",
		Ref:      ref + "RESP protocol description",
		Teardown: true,
	}
	if n := a.pending.Len(); n > 0 {
		closing.Meaning += fmt.Sprintf(" %d commands got no reply.", n)
	}
	a.pending.Clear()
	return a.state.End(out, StateClosed, closing)
}
