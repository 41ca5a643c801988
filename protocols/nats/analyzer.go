package nats

import (
	"bytes"
	"fmt"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// Bounds on what the analyzer holds.
const (
	// MaxControlLine is the longest control line, CR LF included, that
	// nats-server accepts by default (max_control_line, 4 KiB); a longer one
	// gets -ERR 'Maximum Control Line Exceeded'.
	MaxControlLine = 4096
	// MaxPayload bounds a message's headers and payload the analyzer holds
	// (nats-server's default max_payload is 1 MiB): a longer one is shown by
	// its line and counted.
	MaxPayload = 4 << 20
	// maxHeld bounds the bytes of one direction held for an unfinished frame.
	maxHeld = MaxControlLine + MaxPayload + 2
	// maxSubs bounds the subscriptions remembered to explain deliveries.
	maxSubs = 1024
)

// Analyzer frames one NATS client connection into protocol lines and follows
// its state (States, Transitions). It is a lab.ConnAnalyzer: the end of the
// connection closes the session. Like every lab.Analyzer it is used from one
// goroutine at a time.
type Analyzer struct {
	block framing.Block // where Feed's messages are kept
	state lab.Machine
	buf   [3]framing.Lines // by lab.Dir
	skip  [3]int           // bytes of a payload over MaxPayload still to count, by lab.Dir
	subs  map[string]string
	out   []lab.Message
	// Where the summaries of messages framed briefly are built and kept
	// with their lines' text, and what a delivery's detail reads of its
	// subscription (brief); a line's words, read before the next line.
	tokens  [8]token
	scratch []byte
	arena   framing.Arena
	filters framing.Slab[filterDetail]
	// The like publications gathered from the read being framed, and what
	// a burst's detail reads (burst.go).
	run    run
	bursts framing.Slab[burstDetail]
	// burstAt is the fewest like publications that make a burst
	// (framing.BurstMin; tests make it smaller); single frames each
	// publication on its own, in no burst and with parseLine alone: what
	// tests compare the rest with.
	burstAt int
	single  bool
}

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for one NATS connection.
func NewAnalyzer() *Analyzer {
	return &Analyzer{state: machine, subs: map[string]string{}, burstAt: framing.BurstMin}
}

// State is the connection's state: one of States, "" before any line.
func (a *Analyzer) State() string { return a.state.State() }

// Pending is how many bytes the analyzer holds for dir.
func (a *Analyzer) Pending(dir lab.Dir) int {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	return a.buf[dir].Held()
}

// Opened does nothing: the server's INFO begins the session.
func (a *Analyzer) Opened(lab.OpenInfo) []lab.Message { return nil }

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if len(b) == 0 || (dir != lab.ClientToServer && dir != lab.ServerToClient) {
		return nil
	}
	a.out = a.block.Start()
	_, long := a.buf[dir].Feed(b, maxHeld, func(data []byte) (int, framing.Then) { return a.frame(dir, data) })
	if len(a.run.ms) > 0 {
		a.flush()
	}
	a.out = framing.Overlong(a.out, dir, long, maxHeld,
		"More bytes than the lab holds for one message: nats-server would have refused it long before.", "NATS client protocol: Protocol conventions")
	out := a.block.Done(a.out)
	a.out = nil
	return out
}

// frame frames what starts data: the rest of a payload being counted, or a
// control line with its payload.
func (a *Analyzer) frame(dir lab.Dir, data []byte) (int, framing.Then) {
	if s := a.skip[dir]; s > 0 {
		k := min(s, len(data))
		a.skip[dir] -= k
		return k, framing.Go
	}
	i := bytes.IndexByte(data, '\n')
	if i < 0 && len(data) > MaxControlLine || i >= MaxControlLine {
		what := "the server answers -ERR 'Maximum Control Line Exceeded' and closes the connection"
		if dir == lab.ServerToClient {
			what = "a client such as nats.go holds no longer one"
		}
		a.flush()
		a.out = append(a.out, a.malformed(dir, data[:min(len(data), 256)], fmt.Sprintf("a control line longer than %d bytes", MaxControlLine),
			fmt.Sprintf("A control line is at most %d bytes with its CR LF (nats-server's max_control_line): %s. "+
				"The lab skips the rest of the line.", MaxControlLine, what)))
		if i < 0 {
			return 0, framing.Skip
		}
		return i + 1, framing.Go
	}
	if i < 0 {
		return 0, framing.Go
	}
	if len(a.run.ms) > 0 && a.run.dir == dir && !a.single {
		if n, ok := a.run.next(data, data[:i+1]); ok {
			return n, framing.Go
		}
	}
	l := parseLineIn(data[:i+1], a.tokens[:0], &a.arena)
	if l.size < 0 {
		a.put(dir, l)
		return i + 1, framing.Go
	}
	end := i + 1 + l.size + 2
	if l.size > MaxPayload {
		l.big = true
		a.put(dir, l)
		a.skip[dir] = l.size + 2
		return i + 1, framing.Go
	}
	if len(data) < end {
		return 0, framing.Go
	}
	l.raw = data[:end]
	if string(data[end-2:end]) != "\r\n" {
		// The byte count does not fit: show the line alone and go on after it.
		l.raw = data[:i+1]
		l.fault = fmt.Sprintf("the %d bytes after the line are not followed by CR LF", l.size)
		l.size = -1
		a.put(dir, l)
		return i + 1, framing.Go
	}
	if l.fault == "" && isPublication(l.cmd) && senders[l.cmd] == dir {
		a.gather(dir, l)
		return end, framing.Go
	}
	a.put(dir, l)
	return end, framing.Go
}

// put frames l and emits it after the run gathered before it: the run is
// emitted first, then l framed, as on the wire (a SUB or UNSUB changes what
// a delivery's detail reads).
func (a *Analyzer) put(dir lab.Dir, l line) {
	a.flush()
	a.out = append(a.out, a.line(dir, l))
}

// malformed reports bytes that are no line.
func (a *Analyzer) malformed(dir lab.Dir, raw []byte, what, meaning string) lab.Message {
	return lab.Message{
		Dir:      dir,
		Summary:  "malformed: " + what,
		Meaning:  meaning,
		Ref:      "NATS client protocol: Protocol conventions",
		Raw:      raw,
		Observed: true,
	}
}

// Closed ends the session with the connection.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	out := framing.Unended(nil, &a.buf,
		"The connection ended in the middle of a line or a payload: every control line ends with CR LF, and a payload is as long as its line says and then CR LF.",
		"NATS client protocol: Protocol conventions")
	return a.state.End(out, StateClosed, lab.Message{
		Dir:      info.By.Outbound(),
		Summary:  "connection closed",
		Meaning:  "The connection ended, and with it the client's subscriptions: the server forgets them.",
		Ref:      "NATS client protocol",
		Teardown: true,
	})
}
