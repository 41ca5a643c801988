package lab

import "time"

// ConvInfo is a snapshot of a conversation for lists and exports.
type ConvInfo struct {
	ID         ConvID
	Protocol   string
	Transport  string
	Client     string // client endpoint, "127.0.0.1:53912"
	Server     string // server endpoint
	Start      time.Time
	End        time.Time // zero while live
	Last       time.Time // last activity
	Live       bool
	BytesC2S   int64
	BytesS2C   int64
	Messages   int
	State      string // the top layer's state
	ClosedBy   Side   // who closed first
	CloseHow   string // "FIN", "RST", "idle", ""
	ClientSeen bool   // the client's tap is in the lab
	ServerSeen bool   // the server's tap is in the lab
	Datagram   bool
	// Kernel is the kernel's latest view of one of the connection's sockets, nil if
	// unknown. It is the connection's state now only with KernelLive; otherwise it is
	// the last view taken while the conversation was open, which an ended
	// conversation may show only as such.
	Kernel *TCPInfo
	// KernelLive says Kernel was read just now (by Info(true)) from a socket still
	// open in a conversation that has not ended. Never true once every tap has closed
	// (or a reset ended it).
	KernelLive bool
	Link       Link // the conversation this one exists because of, if any
}

// Duration is how long the conversation lasted (or has lasted so far, at now).
func (i ConvInfo) Duration(now time.Time) time.Duration {
	switch {
	case !i.End.IsZero():
		return i.End.Sub(i.Start)
	case i.Datagram:
		return i.Last.Sub(i.Start)
	}
	return now.Sub(i.Start)
}

// Info returns a snapshot. With askKernel, a live TCP connection's TCP_INFO is read
// anew from a socket still open (KernelLive); an ended one's is never read again.
func (c *Conversation) Info(askKernel bool) ConvInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	var kernelLive bool
	if askKernel && c.live && !c.ending {
		kernelLive = c.readKernel() != nil
	}
	i := ConvInfo{
		ID:         c.id,
		Protocol:   c.proto.Name,
		Transport:  c.key.transport,
		Client:     c.key.client,
		Server:     c.key.server,
		Start:      c.start,
		End:        c.end,
		Last:       c.last,
		Live:       c.liveLocked(now),
		BytesC2S:   c.bytes[ClientToServer],
		BytesS2C:   c.bytes[ServerToClient],
		Messages:   c.msgs,
		ClosedBy:   c.closedBy,
		CloseHow:   c.how,
		ClientSeen: c.attached[SideClient],
		ServerSeen: c.attached[SideServer],
		Datagram:   c.datagram,
		Kernel:     c.kernel,
		KernelLive: kernelLive,
	}
	if c.link != nil {
		i.Link = *c.link
	}
	if !i.Live && i.End.IsZero() {
		i.End = c.last
		if c.how == "" {
			i.CloseHow = HowIdle
		}
	}
	if n := len(c.layers); n > 0 {
		i.State = c.layers[n-1].state
	}
	return i
}

// Conversation returns the conversation with that id, or nil.
func (h *Hub) Conversation(id ConvID) *Conversation {
	h.convMu.Lock()
	defer h.convMu.Unlock()
	return h.convs[id]
}

// Conversations returns a snapshot of every remembered conversation, oldest first.
func (h *Hub) Conversations() []ConvInfo {
	h.convMu.Lock()
	list := append([]*Conversation(nil), h.order...)
	h.convMu.Unlock()
	out := make([]ConvInfo, len(list))
	for i, c := range list {
		out[i] = c.Info(false)
	}
	return out
}
