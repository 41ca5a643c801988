package stun

import (
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
)

// Analyzer frames one flow's STUN datagrams, one message each, and follows ICE's
// view of the flow (States). It remembers the nominating requests it saw, to know
// when a nominated pair is answered. Like every Analyzer it is used from one
// goroutine at a time.
type Analyzer struct {
	state     lab.Machine
	nominated map[[12]byte]bool   // requests with USE-CANDIDATE waiting for their answer
	checker   map[[12]byte]string // the ufrag of the agent each open request was sent to
	keys      *lab.KeyLog
}

// UseKeys gives the analyzer the key log, where the lab's peers log their ICE
// passwords (KeyLogLine), to check MESSAGE-INTEGRITY with.
func (a *Analyzer) UseKeys(k *lab.KeyLog) { a.keys = k }

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for one flow.
func NewAnalyzer() *Analyzer {
	return &Analyzer{state: machine, nominated: map[[12]byte]bool{}, checker: map[[12]byte]string{}}
}

// State is the flow's ICE state.
func (a *Analyzer) State() string { return a.state.State() }

// maxNominated bounds the requests remembered.
const maxNominated = 64

// Feed frames one datagram.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	a.state.Start()
	m, attrs := Frame(dir, b)
	h, err := ParseHeader(b)
	if err != nil || h.Method != 1 {
		return []lab.Message{m}
	}
	a.integrity(&m, h, attrs)
	switch h.Class {
	case ClassRequest:
		if attrs.UseCandidate && len(a.nominated) < maxNominated {
			a.nominated[h.TxID] = true
		}
		a.state.Move(&m, StateChecking)
	case ClassSuccess:
		if a.nominated[h.TxID] {
			a.state.Move(&m, StateCompleted)
		} else {
			a.state.Move(&m, StateConnected)
		}
		delete(a.nominated, h.TxID)
	case ClassError:
		delete(a.nominated, h.TxID)
	}
	return []lab.Message{m}
}

// Opened adds nothing: a flow has no opening of its own.
func (a *Analyzer) Opened(lab.OpenInfo) []lab.Message { return nil }

// Closed ends ICE's view of the flow: closed if a check was answered, failed if
// none was.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	m := lab.Message{Ref: "RFC 8445 §6.1.3", Teardown: true}
	switch a.state.State() {
	case StateNew, StateChecking:
		m.Summary = "ICE failed: no check on this flow was answered"
		m.Meaning = "The flow ended before any connectivity check got a success response: the peers found no working path here."
		a.state.Move(&m, StateFailed)
	case StateConnected, StateCompleted:
		m.Summary = "ICE closed"
		m.Meaning = "The flow ended: the peers stopped checking and sending on this pair."
		a.state.Move(&m, StateClosed)
	default:
		return nil
	}
	return []lab.Message{m}
}

// integrity checks a binding message's MESSAGE-INTEGRITY when the key log holds
// the password: a request's is the receiver's, the first fragment of USERNAME;
// a response's the same agent's, found by the request's transaction ID.
func (a *Analyzer) integrity(m *lab.Message, h Header, at Attrs) {
	var ufrag string
	switch h.Class {
	case ClassRequest:
		ufrag, _, _ = strings.Cut(at.Username, ":")
		if len(a.checker) < maxNominated {
			a.checker[h.TxID] = ufrag
		}
	case ClassSuccess, ClassError:
		ufrag = a.checker[h.TxID]
		delete(a.checker, h.TxID)
	}
	if at.Integrity == 0 || ufrag == "" || a.keys == nil {
		return
	}
	if pwd := password(a.keys, ufrag); pwd != nil {
		checkIntegrity(m, at.Integrity, ufrag, pwd)
	}
}
