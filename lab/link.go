package lab

// LinkKind says why one conversation exists because of another. The inspector
// and the exports read the kind and the dialler, never a link's label.
type LinkKind uint8

// The kinds of link between conversations.
const (
	// LinkNone: the conversation stands alone.
	LinkNone LinkKind = iota
	// LinkData: a data connection of a control session (FTP's RETR, STOR, LIST);
	// Dialler says which end of the session opened it (passive: the client;
	// active: the server).
	LinkData
	// LinkRelay: a server passing on what a session brought it (an SMTP relay
	// hop): the session's server is this conversation's client.
	LinkRelay
	// LinkLookup: the DNS lookup whose answer this conversation dialled; the
	// parent is the lookup, and it came first.
	LinkLookup
	// LinkSignal: a signalling channel that set this conversation up (a WebRTC
	// offer and answer).
	LinkSignal
	// LinkCancel: a request on a connection of its own to cancel what the
	// parent conversation is running (PostgreSQL's CancelRequest).
	LinkCancel
	nLinkKinds
)

var linkNames = [nLinkKinds]string{"", "data", "relay", "lookup", "signal", "cancel"}

// String is the kind's name as saved sessions and JSON lines spell it.
func (k LinkKind) String() string {
	if k < nLinkKinds {
		return linkNames[k]
	}
	return "unknown"
}

// ParseLinkKind returns the kind String spells s as, and whether there is one.
func ParseLinkKind(s string) (LinkKind, bool) {
	for k, n := range linkNames {
		if n == s {
			return LinkKind(k), true
		}
	}
	return LinkNone, false
}

// Link ties a conversation to the one it exists because of.
type Link struct {
	Kind   LinkKind
	Parent ConvID // the conversation linked to; 0 with LinkNone
	// Dialler is the end of the parent conversation that opened this one: for a
	// data connection SideClient (passive FTP) or SideServer (active FTP); for a
	// relay hop SideServer (the parent's server is this hop's client); for a
	// lookup SideClient (the client that looked up the name dialled); for a
	// cancel request SideClient (the parent's client sent it).
	Dialler Side
	// Mode says for people how it was set up ("passive", "active"); may be empty.
	Mode string
	// Label says for people what it is ("RETR a.txt", "relay to beta.test",
	// "www.lab.test → 127.0.0.1"). Nothing decides by it.
	Label string
}

// Linked reports whether l ties the conversation to another.
func (l Link) Linked() bool { return l.Kind != LinkNone && l.Parent != 0 }

// Text is the link as one line for people: the label and, when there is one, the mode.
func (l Link) Text() string {
	switch {
	case l.Mode == "":
		return l.Label
	case l.Label == "":
		return l.Mode
	}
	return l.Label + " · " + l.Mode
}
