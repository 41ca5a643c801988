package stun

import (
	"time"

	"github.com/protocollab/protolab/lab"
)

// Analyzer frames one flow's STUN datagrams, one message each, and follows ICE's
// view of the flow (States). It remembers the nominating requests it saw, to know
// when a nominated pair is answered. Like every Analyzer it is used from one
// goroutine at a time.
type Analyzer struct {
	state     lab.Machine
	nominated map[[12]byte]bool // requests with USE-CANDIDATE waiting for their answer
}

// NewAnalyzer returns an analyzer for one flow.
func NewAnalyzer() *Analyzer { return &Analyzer{state: machine, nominated: map[[12]byte]bool{}} }

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
