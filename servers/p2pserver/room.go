package p2pserver

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gorilla/websocket"
	pion "github.com/pion/webrtc/v4"
	"github.com/protocollab/protolab/protocols/p2p"
)

// room is a set of peers by name. Its fields are guarded by the server's mu.
type room struct {
	name    string
	kept    bool // one of SignalOptions.Rooms: never removed
	members map[string]*member
}

// names returns the room's peers but skip, sorted.
func (r *room) names(skip *member) []string {
	var out []string
	for n, m := range r.members {
		if m != skip {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// member is one peer's WebSocket. read runs the conversation; write sends
// what out queues, so a peer that does not read is dropped, never waited on.
type member struct {
	s    *SignalServer
	ws   *websocket.Conn
	out  chan p2p.Message
	quit chan struct{} // closed when read ends
	once sync.Once

	// guarded by s.mu
	room *room
	name string
}

func (m *member) read() {
	defer m.s.wg.Done()
	defer m.leave()
	defer close(m.quit)
	for {
		_, b, err := m.ws.ReadMessage()
		if err != nil {
			return
		}
		var msg p2p.Message
		if err := json.Unmarshal(b, &msg); err != nil {
			m.send(refuse("", "not a signalling message (%v): send a JSON object with a \"type\"", err))
			continue
		}
		m.handle(msg)
	}
}

func (m *member) write() {
	defer m.s.wg.Done()
	defer m.ws.Close()
	for {
		select {
		case msg := <-m.out:
			m.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := m.ws.WriteJSON(msg); err != nil {
				return
			}
		case <-m.quit:
			return
		}
	}
}

// send queues msg for m; a peer 64 messages behind is dropped.
func (m *member) send(msg p2p.Message) {
	select {
	case m.out <- msg:
	default:
		m.once.Do(func() {
			m.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "too slow: not reading"), time.Now().Add(time.Second))
			m.ws.Close()
		})
	}
}

func (m *member) goingAway() {
	m.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server stopping"), time.Now().Add(time.Second))
}

// refuse is an error message about a message of type about.
func refuse(about, format string, args ...any) p2p.Message {
	return p2p.Message{Type: p2p.TypeError, About: about, Error: fmt.Sprintf(format, args...)}
}

func (m *member) handle(msg p2p.Message) {
	switch msg.Type {
	case p2p.TypeJoin:
		m.join(msg)
	case p2p.TypeOffer, p2p.TypeAnswer:
		if !m.joined() {
			m.send(refuse(msg.Type, "join a room first: send {\"type\":\"join\",\"room\":%q}", p2p.DefaultRoom))
			return
		}
		if err := checkSDP(msg.Type, msg.SDP); err != nil {
			m.send(refuse(msg.Type, "%v: the %s was not passed on", err, msg.Type))
			return
		}
		m.pass(msg)
	case p2p.TypeCandidate:
		if !strings.HasPrefix(msg.Candidate, "candidate:") && msg.Candidate != "" {
			m.send(refuse(msg.Type, "a candidate begins \"candidate:\" (RFC 8839 §5.1), not %.40q", msg.Candidate))
			return
		}
		m.pass(msg)
	case p2p.TypeError: // a peer refusing another's offer
		m.pass(msg)
	case p2p.TypeLeave:
		m.leave()
	default:
		m.send(refuse(msg.Type, "unknown message type %q: join, offer, answer, candidate or leave", msg.Type))
	}
}

func (m *member) joined() bool {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return m.room != nil
}

func (m *member) join(msg p2p.Message) {
	s := m.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.room != nil {
		m.send(refuse(msg.Type, "already in room %q as %q: leave it first", m.room.name, m.name))
		return
	}
	r := s.rooms[msg.Room]
	switch {
	case r != nil:
	case msg.Room == "" || len(msg.Room) > 64:
		m.send(refuse(msg.Type, "give a room name of 1 to 64 characters (the lab's room is %q)", p2p.DefaultRoom))
		return
	case !msg.Create || s.opts.NoCreate:
		how := "join one of them, or send create:true to make it"
		if s.opts.NoCreate {
			how = "this server makes no new rooms"
		}
		m.send(refuse(msg.Type, "room %q does not exist (rooms: %s): %s", msg.Room, strings.Join(s.roomNames(), ", "), how))
		return
	case len(s.rooms) >= s.opts.MaxRooms:
		m.send(refuse(msg.Type, "room %q cannot be made: the server has its %d rooms", msg.Room, s.opts.MaxRooms))
		return
	default:
		r = &room{name: msg.Room, members: make(map[string]*member)}
		s.rooms[r.name] = r
	}
	name := msg.Peer
	if name == "" {
		for i := 1; name == "" || r.members[name] != nil; i++ {
			name = fmt.Sprintf("peer-%d", i)
		}
	}
	switch {
	case !validName(name):
		m.send(refuse(msg.Type, "peer name %.70q: use 1 to 64 letters, digits, '-', '_' or '.'", name))
	case r.members[name] != nil:
		m.send(refuse(msg.Type, "the name %q is taken in room %q: choose another, or send none to get one", name, r.name))
	case len(r.members) >= s.opts.MaxPeers:
		m.send(refuse(msg.Type, "room %q is full (%d peers)", r.name, s.opts.MaxPeers))
	default:
		for _, o := range r.members {
			o.send(p2p.Message{Type: p2p.TypePeerJoined, Room: r.name, Peer: name})
		}
		m.send(p2p.Message{Type: p2p.TypeJoined, Room: r.name, Peer: name, Peers: r.names(nil)})
		r.members[name] = m
		m.room, m.name = r, name
		return
	}
	if len(r.members) == 0 && !r.kept {
		delete(s.rooms, r.name)
	}
}

func (s *SignalServer) roomNames() []string {
	var out []string
	for n := range s.rooms {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func validName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, r := range n {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.", r) {
			return false
		}
	}
	return true
}

// pass sends msg on to the peer it is for, from m.
func (m *member) pass(msg p2p.Message) {
	s := m.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.room == nil {
		m.send(refuse(msg.Type, "join a room first: send {\"type\":\"join\",\"room\":%q}", p2p.DefaultRoom))
		return
	}
	to := m.room.members[msg.To]
	if msg.To == "" {
		others := m.room.names(m)
		if len(others) != 1 {
			m.send(refuse(msg.Type, "room %q has %d other peers (%s): say which one with \"to\"", m.room.name, len(others), strings.Join(others, ", ")))
			return
		}
		to = m.room.members[others[0]]
	}
	if to == nil || to == m {
		m.send(refuse(msg.Type, "no peer %q in room %q (peers: %s)", msg.To, m.room.name, strings.Join(m.room.names(m), ", ")))
		return
	}
	msg.From, msg.To, msg.Room = m.name, "", ""
	to.send(msg)
}

// leave takes m out of its room and tells the others.
func (m *member) leave() {
	s := m.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, open := s.peers[m]; open && isClosed(m.quit) {
		delete(s.peers, m)
	}
	r := m.room
	if r == nil {
		return
	}
	delete(r.members, m.name)
	for _, o := range r.members {
		o.send(p2p.Message{Type: p2p.TypePeerLeft, Room: r.name, Peer: m.name})
	}
	if len(r.members) == 0 && !r.kept {
		delete(s.rooms, r.name)
	}
	m.room, m.name = nil, ""
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// checkSDP says what is wrong with an offer's or answer's SDP for WebRTC.
func checkSDP(kind, sdp string) error {
	if strings.TrimSpace(sdp) == "" {
		return fmt.Errorf("the %s has no SDP (\"sdp\")", kind)
	}
	typ := pion.SDPTypeOffer
	if kind == p2p.TypeAnswer {
		typ = pion.SDPTypeAnswer
	}
	d := pion.SessionDescription{Type: typ, SDP: sdp}
	parsed, err := d.Unmarshal()
	if err != nil {
		return fmt.Errorf("bad SDP in the %s (RFC 8866): %v", kind, err)
	}
	if len(parsed.MediaDescriptions) == 0 {
		return fmt.Errorf("the %s's SDP has no media section (m=): nothing to connect", kind)
	}
	if ufrag, pwd := p2p.ICECredentials(sdp); ufrag == "" || pwd == "" {
		return fmt.Errorf("the %s's SDP has no ICE credentials (a=ice-ufrag and a=ice-pwd, RFC 8839 §5.4)", kind)
	}
	if !strings.Contains(sdp, "a=fingerprint:") {
		return fmt.Errorf("the %s's SDP has no DTLS fingerprint (a=fingerprint, RFC 8122): the other peer could not check its certificate", kind)
	}
	return nil
}
