package labfile

import "github.com/protocollab/protolab/lab"

// Format 4 saves the marks analyzers put on messages (lab/pubsub.go): a
// publication through a broker, a place in an exchange, a request's role and
// the request an answer pairs with. Each follows a message's spans when its
// flag is set (docs/labfile.md). Format 5 adds to a publication the digests
// of a burst's publications after the first (lab.Publication.Burst).

// marks returns the message flags of m's marks, in a file of format version.
func marks(m *lab.Message, version int) uint8 {
	if version < 4 {
		return 0
	}
	var mf uint8
	if m.Pub != nil {
		mf |= msgPub
	}
	if m.Exchange != nil {
		mf |= msgExchange
	}
	if m.Role != lab.RoleNone || m.Pair != "" {
		mf |= msgRole
	}
	return mf
}

// marks writes m's marks that mf flags.
func (e *encoder) marks(m *lab.Message, mf uint8) {
	if mf&msgPub != 0 {
		e.str(m.Pub.Subject)
		e.uvar(m.Pub.Digest)
		e.uvar(uint64(m.Pub.Size))
		if e.version >= 5 {
			e.uvar(uint64(len(m.Pub.Burst)))
			for _, d := range m.Pub.Burst {
				e.uvar(d)
			}
		}
	}
	if mf&msgExchange != 0 {
		e.str(m.Exchange.Kind)
		e.str(m.Exchange.ID)
		e.str(m.Exchange.State)
	}
	if mf&msgRole != 0 {
		e.u8(uint8(m.Role))
		e.str(m.Pair)
	}
}

// marks reads the marks mf flags into m.
func (d *decoder) marks(m *lab.Message, mf uint8) {
	if d.version < 4 {
		return
	}
	if mf&msgPub != 0 {
		p := &lab.Publication{Subject: d.str(), Digest: d.uvar()}
		size := d.uvar()
		if size > MaxRawBytes {
			d.fail("a publication's size past any message")
			return
		}
		p.Size = int(size)
		if d.version >= 5 {
			if n := d.count(1, "publications in a burst"); n > 0 {
				p.Burst = make([]uint64, n)
				for i := range p.Burst {
					p.Burst[i] = d.uvar()
				}
			}
		}
		m.Pub = p
	}
	if mf&msgExchange != 0 {
		m.Exchange = &lab.Exchange{Kind: d.str(), ID: d.str(), State: d.str()}
	}
	if mf&msgRole != 0 {
		r := lab.Role(d.u8())
		if r > lab.RoleAnswer {
			d.fail("a message's role is unknown")
			return
		}
		m.Role = r
		m.Pair = d.str()
	}
}
