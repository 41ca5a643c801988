package lab

// Defer leaves m's fields and meaning to fill, which builds them from the
// message (its Raw and Dir) each time they are asked for (Detail), from any
// goroutine. It is an analyzer's way to keep the capture cheap for busy
// traffic, most of whose messages nobody opens; nothing built is held. fill
// must not change the message, must read nothing else but what it captured
// when the message was framed (never the analyzer's later state), and must
// return the same each time. Fields and Meaning set on m as well come first.
func (m *Message) Defer(fill func(*Message) ([]Field, string)) {
	if fill == nil {
		m.fill = nil
		return
	}
	m.fill = fillFunc(fill)
}

// Filler builds a message's fields and meaning when they are asked for: what
// Defer's fill does, as a method.
type Filler interface {
	Fill(*Message) ([]Field, string)
}

// DeferTo is Defer with f's Fill as fill. A pointer to what the analyzer kept
// for the message (in a framing.Slab, say) costs no allocation of its own,
// where a method value passed to Defer is a closure on the heap.
func (m *Message) DeferTo(f Filler) { m.fill = f }

// fillFunc is Defer's function as a Filler.
type fillFunc func(*Message) ([]Field, string)

func (f fillFunc) Fill(m *Message) ([]Field, string) { return f(m) }

// Holds adds n bytes to what m costs the hub's bound: what its analyzer keeps
// for it that neither its Raw (when that is the fed bytes) nor its text
// counts, such as a private copy of its bytes or what Defer's fill reads. The
// bound holds the process's memory only as far as messages say what they hold.
func (m *Message) Holds(n int) { m.held = int32(min(int64(m.held)+int64(max(n, 0)), 1<<30)) }

// Held returns the bytes Holds added to what m costs.
func (m *Message) Held() int { return int(m.held) }

// Detail returns m's fields and its meaning, built now if they were deferred.
// Whoever reads a message's fields or meaning reads them here.
func (m *Message) Detail() ([]Field, string) {
	if m.fill == nil {
		return m.Fields, m.Meaning
	}
	fields, meaning := m.fill.Fill(m)
	if len(m.Fields) > 0 {
		fields = append(append([]Field(nil), m.Fields...), fields...)
	}
	switch {
	case m.Meaning == "":
	case meaning == "":
		meaning = m.Meaning
	default:
		meaning = m.Meaning + " " + meaning
	}
	return fields, meaning
}

// Deferred reports whether m's fields and meaning are built when asked for.
func (m *Message) Deferred() bool { return m.fill != nil }

// Built returns m when its fields and meaning are not deferred, and otherwise
// a copy of m with them built, for a reader that needs them all (a saved
// session's writer).
func (m *Message) Built() *Message {
	if m.fill == nil {
		return m
	}
	b := *m
	b.Fields, b.Meaning = m.Detail()
	b.fill, b.held = nil, 0
	return &b
}
