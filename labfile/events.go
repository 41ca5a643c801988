package labfile

import (
	"time"

	"github.com/protocollab/protolab/lab"
)

// eventSource is where a body's events come from: how many, then each in
// order (a session's slice, or a recording's spool, read a part at a time).
type eventSource struct {
	n    int
	each func(yield func(*lab.Event) error) error
}

// sliceEvents is the source of the events of a slice.
func sliceEvents(evs []lab.Event) eventSource {
	return eventSource{n: len(evs), each: func(yield func(*lab.Event) error) error {
		for i := range evs {
			if err := yield(&evs[i]); err != nil {
				return err
			}
		}
		return nil
	}}
}

// event writes ev, its sequence number and time as the difference from the
// last event's.
func (e *encoder) event(ev *lab.Event) {
	var flags uint8
	if ev.Data != nil {
		flags |= evData
	}
	if ev.Msg != nil {
		flags |= evMsg
	}
	if !ev.At.IsZero() {
		flags |= evAt
	}
	e.u8(uint8(ev.Kind))
	e.u8(uint8(ev.Dir))
	e.u8(uint8(ev.Side))
	e.u8(flags)
	e.uvar(ev.Seq - e.seq) // wraps for a decreasing Seq; read back the same
	e.seq = ev.Seq
	if flags&evAt != 0 {
		ns := ev.At.UnixNano()
		e.svar(ns - e.at)
		e.at = ns
	}
	e.uvar(uint64(ev.Conv))
	e.str(ev.Layer)
	e.str(ev.From)
	e.str(ev.To)
	e.str(ev.Text)
	if ev.Data != nil {
		e.bytes(ev.Data)
	}
	if m := ev.Msg; m != nil {
		m = m.Built()
		var mf uint8
		if m.Handshake {
			mf |= msgHandshake
		}
		if m.Teardown {
			mf |= msgTeardown
		}
		if m.Observed {
			mf |= msgObserved
		}
		if m.Raw != nil {
			mf |= msgRaw
		}
		spans := e.version >= 3 && spanned(m)
		if spans {
			mf |= msgSpans
		}
		mf |= marks(m, e.version)
		e.u8(uint8(m.Dir))
		e.u8(mf)
		e.str(m.Summary)
		e.str(m.Meaning)
		e.str(m.Ref)
		e.str(m.NextState)
		e.str(m.Layer)
		e.uvar(uint64(len(m.Fields)))
		for _, f := range m.Fields {
			e.str(f.Name)
			e.str(f.Value)
		}
		if m.Raw != nil {
			e.bytes(m.Raw)
		}
		if spans {
			e.spans(m)
		}
		e.marks(m, mf)
	}
}

// event reads the next event into ev, reporting whether it could (d.err says
// why not).
func (d *decoder) event(ev *lab.Event) bool {
	ev.Kind = lab.Kind(d.u8())
	ev.Dir = lab.Dir(d.u8())
	ev.Side = lab.Side(d.u8())
	flags := d.u8()
	step := d.uvar()
	if d.events > 0 && (step == 0 || d.seq+step < d.seq) && d.err == nil {
		// The hub numbers events in increasing order; no session has two
		// alike or a later one smaller.
		d.fail("event sequence numbers that do not increase")
		return false
	}
	d.events++
	d.seq += step
	ev.Seq = d.seq
	if flags&evAt != 0 {
		d.at += d.svar()
		ev.At = time.Unix(0, d.at)
	}
	ev.Conv = lab.ConvID(d.uvar())
	ev.Layer = d.str()
	ev.From = d.str()
	ev.To = d.str()
	ev.Text = d.str()
	if flags&evData != 0 {
		ev.Data = d.bytes()
	}
	if flags&evMsg != 0 {
		if len(d.msgs) == cap(d.msgs) {
			d.msgs = make([]lab.Message, 0, 1024)
		}
		d.msgs = d.msgs[:len(d.msgs)+1]
		m := &d.msgs[len(d.msgs)-1]
		m.Dir = lab.Dir(d.u8())
		mf := d.u8()
		m.Handshake = mf&msgHandshake != 0
		m.Teardown = mf&msgTeardown != 0
		m.Observed = mf&msgObserved != 0
		m.Summary = d.str()
		m.Meaning = d.str()
		m.Ref = d.str()
		m.NextState = d.str()
		m.Layer = d.str()
		if nf := d.count(2, "fields"); nf > 0 {
			if cap(d.fields)-len(d.fields) < nf {
				d.fields = make([]lab.Field, 0, max(nf, 4096))
			}
			f := d.fields[len(d.fields) : len(d.fields)+nf : len(d.fields)+nf]
			d.fields = d.fields[:len(d.fields)+nf]
			for j := range f {
				f[j].Name = d.str()
				f[j].Value = d.str()
			}
			m.Fields = f
		}
		if mf&msgRaw != 0 {
			m.Raw = d.bytes()
		}
		if mf&msgSpans != 0 && d.version >= 3 {
			d.spans(m)
		}
		d.marks(m, mf)
		ev.Msg = m
	}
	return d.err == nil
}
