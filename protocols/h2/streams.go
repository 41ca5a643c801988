package h2

import (
	"strconv"

	"github.com/protocollab/protolab/lab"
)

// streamState is a stream's state in RFC 9113 §5.1, seen from the client: "local"
// is the client, "remote" the server.
type streamState uint8

const (
	stIdle             streamState = iota
	stReservedRemote               // the server promised it with PUSH_PROMISE
	stOpen                         // both sides may send
	stHalfClosedLocal              // the client has ended its side (END_STREAM)
	stHalfClosedRemote             // the server has ended its side
	stClosed
)

var stateNames = [...]string{
	stIdle:             "idle",
	stReservedRemote:   "reserved (remote)",
	stOpen:             "open",
	stHalfClosedLocal:  "half-closed (local)",
	stHalfClosedRemote: "half-closed (remote)",
	stClosed:           "closed",
}

func (s streamState) String() string { return stateNames[s] }

// stream is what the analyzer remembers of one stream.
type stream struct {
	id                              uint32
	state                           streamState
	method, scheme, authority, path string
	req                             string   // request's text, made by setRequest
	pair                            string   // the stream's ID as its messages' Pair
	status                          int      // the final status, 0 before it
	body                            [3]int64 // DATA bytes (without padding) by lab.Dir
	pushed                          bool     // opened by the server's PUSH_PROMISE
	reset                           string   // the RST_STREAM error code's name, if reset
	resetBy                         lab.Dir
	summarized                      bool // the exchange's summary has been given
}

// request shows the stream's request briefly: "GET /echo", or "" when unknown.
func (s *stream) request() string { return s.req }

// endSide moves the stream on when dir ends its side with END_STREAM.
func (s *stream) endSide(dir lab.Dir) {
	client := dir == lab.ClientToServer
	switch s.state {
	case stIdle, stOpen:
		if client {
			s.state = stHalfClosedLocal
		} else {
			s.state = stHalfClosedRemote
		}
	case stReservedRemote:
		if !client {
			s.state = stClosed
		}
	case stHalfClosedLocal:
		if !client {
			s.state = stClosed
		}
	case stHalfClosedRemote:
		if client {
			s.state = stClosed
		}
	}
}

// streamTable holds at most MaxStreams streams; when full, the oldest closed
// stream (or, if none is closed, the oldest) is forgotten.
type streamTable struct {
	byID  map[uint32]*stream
	order []uint32 // ids, oldest first
}

// get returns stream id, or nil.
func (t *streamTable) get(id uint32) *stream { return t.byID[id] }

// open returns stream id, remembering it if it is new.
func (t *streamTable) open(id uint32) *stream {
	if s := t.byID[id]; s != nil {
		return s
	}
	if t.byID == nil {
		t.byID = make(map[uint32]*stream)
	}
	if len(t.order) >= MaxStreams {
		t.evict()
	}
	s := &stream{id: id}
	t.byID[id] = s
	t.order = append(t.order, id)
	return s
}

func (t *streamTable) evict() {
	victim := 0
	for i, id := range t.order {
		if t.byID[id].state == stClosed {
			victim = i
			break
		}
	}
	delete(t.byID, t.order[victim])
	t.order = append(t.order[:victim], t.order[victim+1:]...)
}

// streamText names stream id for summaries: "stream 3".
func streamText(id uint32) string { return "stream " + strconv.FormatUint(uint64(id), 10) }
