package labfile

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/protocollab/protolab/lab"
)

// The body, before compression, is a sequence of records in a compact binary
// encoding (docs/labfile.md): unsigned and signed varints (encoding/binary), and
// strings by reference to a table built as they first appear, so that the
// meaning and RFC reference of a thousand alike messages are stored, and read
// back, once.

// Flag bits.
const (
	evData = 1 << iota // Data is not nil
	evMsg              // Msg is not nil
	evAt               // At is not zero
)

const (
	msgHandshake = 1 << iota
	msgTeardown
	msgObserved
	msgRaw      // Raw is not nil
	msgSpans    // the fields' spans follow Raw (format 3)
	msgPub      // a publication follows the spans (format 4; a burst's digests, format 5)
	msgExchange // an exchange follows it
	msgRole     // a role and a pair follow it
)

const (
	cvLive = 1 << iota
	cvClientSeen
	cvServerSeen
	cvDatagram
	cvKernel
	cvStart
	cvEnd
	cvLast
)

const (
	kSACK = 1 << iota
	kTimestamps
	kWindowScaling
	kECN
)

// Smallest encodings, to bound a claimed count by the bytes there are.
const (
	minEvent = 10 // kind, dir, side, flags, seq, conv, four string references
	minConv  = 14 // flags, id, parent, seven strings, closed by, three counts
)

// encoder writes the body's records to w in chunks.
type encoder struct {
	version int // the format version written (older ones only in tests)
	w       io.Writer
	buf     []byte
	raw     int64
	strs    map[string]uint64
	err     error
	seq     uint64 // the last event's sequence number, and its time in ns:
	at      int64  // each event's are written as the difference
}

func (e *encoder) flush(force bool) {
	if e.err != nil || (!force && len(e.buf) < 64<<10) {
		return
	}
	_, e.err = e.w.Write(e.buf)
	e.raw += int64(len(e.buf))
	e.buf = e.buf[:0]
}

func (e *encoder) u8(v uint8)     { e.buf = append(e.buf, v) }
func (e *encoder) uvar(v uint64)  { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) svar(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }
func (e *encoder) bytes(b []byte) { e.uvar(uint64(len(b))); e.buf = append(e.buf, b...) }

// str writes s as a reference to the table: 0 then the string when it is new
// (it becomes the next entry), otherwise its entry's number (1 is "").
func (e *encoder) str(s string) {
	if ref, ok := e.strs[s]; ok {
		e.uvar(ref)
		return
	}
	e.strs[s] = uint64(len(e.strs) + 1)
	e.uvar(0)
	e.uvar(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) time(t time.Time) { e.svar(t.UnixNano()) }

// encodeBody writes s's conversations, keys and events, returning how many
// bytes that took before compression.
func encodeBody(w io.Writer, s *Session) (int64, error) {
	return encodeAs(w, s, FormatVersion)
}

// encodeAs is encodeBody in format version (older ones only in tests).
func encodeAs(w io.Writer, s *Session, version int) (int64, error) {
	return encodeWith(w, s, version, sliceEvents(s.Events))
}

// encodeWith is encodeAs with the events from src rather than s.Events.
func encodeWith(w io.Writer, s *Session, version int, src eventSource) (int64, error) {
	e := &encoder{version: version, w: w, buf: make([]byte, 0, 80<<10), strs: map[string]uint64{"": 1}}
	e.uvar(uint64(len(s.Conversations)))
	for i := range s.Conversations {
		e.conv(&s.Conversations[i])
		e.flush(false)
	}
	e.uvar(uint64(len(s.Keys)))
	for _, k := range s.Keys {
		e.bytes([]byte(k))
	}
	e.uvar(uint64(src.n))
	written := 0
	err := src.each(func(ev *lab.Event) error {
		if written++; written > src.n {
			return fmt.Errorf("labfile: more than the %d events counted", src.n)
		}
		e.event(ev)
		e.flush(false)
		return e.err
	})
	if err == nil && written != src.n {
		err = fmt.Errorf("labfile: %d events of the %d counted", written, src.n)
	}
	if e.err == nil {
		e.err = err
	}
	e.flush(true)
	return e.raw, e.err
}

func (e *encoder) conv(c *lab.ConvInfo) {
	var flags uint8
	for _, f := range []struct {
		on  bool
		bit uint8
	}{{c.Live, cvLive}, {c.ClientSeen, cvClientSeen}, {c.ServerSeen, cvServerSeen}, {c.Datagram, cvDatagram},
		{c.Kernel != nil, cvKernel}, {!c.Start.IsZero(), cvStart}, {!c.End.IsZero(), cvEnd}, {!c.Last.IsZero(), cvLast}} {
		if f.on {
			flags |= f.bit
		}
	}
	e.u8(flags)
	e.uvar(uint64(c.ID))
	e.uvar(uint64(c.Link.Parent))
	e.str(c.Protocol)
	e.str(c.Transport)
	e.str(c.Client)
	e.str(c.Server)
	e.str(c.State)
	e.str(c.CloseHow)
	if e.version >= 2 {
		e.str(c.Link.Label)
		e.str(c.Link.Kind.String())
		e.u8(uint8(c.Link.Dialler))
		e.str(c.Link.Mode)
	} else {
		e.str(c.Link.Text()) // format 1 kept the mode in the label
	}
	e.u8(uint8(c.ClosedBy))
	e.svar(c.BytesC2S)
	e.svar(c.BytesS2C)
	e.svar(int64(c.Messages))
	for _, t := range []struct {
		t   time.Time
		bit uint8
	}{{c.Start, cvStart}, {c.End, cvEnd}, {c.Last, cvLast}} {
		if flags&t.bit != 0 {
			e.time(t.t)
		}
	}
	if k := c.Kernel; k != nil {
		var kf uint8
		for _, f := range []struct {
			on  bool
			bit uint8
		}{{k.SACK, kSACK}, {k.Timestamps, kTimestamps}, {k.WindowScaling, kWindowScaling}, {k.ECN, kECN}} {
			if f.on {
				kf |= f.bit
			}
		}
		e.u8(kf)
		e.str(k.State)
		for _, v := range []int64{int64(k.RTT), int64(k.RTTVar), int64(k.SndMSS), int64(k.RcvMSS), int64(k.SndWScale),
			int64(k.RcvWScale), int64(k.Retransmits), int64(k.SndCwnd), int64(k.Unacked)} {
			e.svar(v)
		}
	}
}

// decoder reads records from the uncompressed body. The first problem sticks
// in err, and every read after it returns zeros, so callers check err once a record.
type decoder struct {
	version int // the file's format version
	b       []byte
	i       int
	strs    []string
	err     error

	// The events': the last one's sequence number and time, how many were
	// read, and the slabs their messages and fields are allocated in.
	seq    uint64
	at     int64
	events int
	msgs   []lab.Message
	fields []lab.Field
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = damaged("its events are garbled (%s at byte %d of %d)", what, d.i, len(d.b))
	}
}

func (d *decoder) u8() uint8 {
	if d.err != nil {
		return 0
	}
	if d.i >= len(d.b) {
		d.fail("ends early")
		return 0
	}
	v := d.b[d.i]
	d.i++
	return v
}

func (d *decoder) uvar() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.i:])
	if n <= 0 {
		d.fail("a bad number")
		d.i = len(d.b)
		return 0
	}
	d.i += n
	return v
}

func (d *decoder) svar() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.i:])
	if n <= 0 {
		d.fail("a bad number")
		d.i = len(d.b)
		return 0
	}
	d.i += n
	return v
}

// count reads a count of items that take at least min bytes each.
func (d *decoder) count(min int, what string) int {
	n := d.uvar()
	if d.err != nil {
		return 0
	}
	if n > uint64(len(d.b)-d.i)/uint64(min) {
		d.fail(fmt.Sprintf("%d %s claimed in %d bytes", n, what, len(d.b)-d.i))
		return 0
	}
	return int(n)
}

// bytes returns the next length-prefixed bytes, sharing the body's memory.
func (d *decoder) bytes() []byte {
	n := d.uvar()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)-d.i) {
		d.fail("bytes past the end")
		return nil
	}
	b := d.b[d.i : d.i+int(n) : d.i+int(n)]
	d.i += int(n)
	return b
}

func (d *decoder) str() string {
	ref := d.uvar()
	if d.err != nil {
		return ""
	}
	if ref == 0 {
		b := d.bytes()
		if d.err != nil {
			return ""
		}
		s := string(b)
		d.strs = append(d.strs, s)
		return s
	}
	if ref > uint64(len(d.strs)) {
		d.fail("a reference to an unknown string")
		return ""
	}
	return d.strs[ref-1]
}

func (d *decoder) time() time.Time { return time.Unix(0, d.svar()) }

// decodeBody decompresses and decodes body into s, or fails as a whole.
func decodeBody(body []byte, h *header, s *Session) error {
	// Deflate expands at most 1032 times: a larger claim is false, and refused
	// before the room for it is allocated.
	if h.RawBytes > 1032*int64(len(body))+1024 {
		return damaged("it claims %d bytes of events from %d compressed", h.RawBytes, len(body))
	}
	zr := flate.NewReader(bytes.NewReader(body))
	raw := make([]byte, h.RawBytes)
	if _, err := io.ReadFull(zr, raw); err != nil {
		return inflateError(err)
	}
	if n, err := zr.Read(make([]byte, 1)); n > 0 || (err != nil && err != io.EOF) {
		if n > 0 {
			return damaged("its events are longer than its header says")
		}
		return inflateError(err)
	}

	if err := decodeRaw(raw, s); err != nil {
		return err
	}
	switch {
	case int64(len(s.Conversations)) != h.Conversations:
		return damaged("it holds %d conversations, its header says %d", len(s.Conversations), h.Conversations)
	case int64(len(s.Keys)) != h.Keys:
		return damaged("it holds %d TLS keys, its header says %d", len(s.Keys), h.Keys)
	case int64(len(s.Events)) != h.Events:
		return damaged("it holds %d events, its header says %d", len(s.Events), h.Events)
	}
	return nil
}

// decodeRaw decodes the uncompressed body into s's conversations, keys and
// events. Counts are bounded by the bytes that follow them, and room is made
// for at most one event per 32 bytes of them (real events take more) before
// they are read, so a false count costs memory in proportion to the body.
func decodeRaw(raw []byte, s *Session) error {
	d := &decoder{version: s.Format, b: raw, strs: make([]string, 1, 1024)}
	if d.version == 0 {
		d.version = FormatVersion
	}
	nc := d.count(minConv, "conversations")
	s.Conversations = make([]lab.ConvInfo, nc)
	for i := range s.Conversations {
		d.conv(&s.Conversations[i])
		if d.err != nil {
			return d.err
		}
	}
	nk := d.count(1, "keys")
	s.Keys = make([]string, nk)
	for i := range s.Keys {
		s.Keys[i] = string(d.bytes())
	}
	ne := d.count(minEvent, "events")
	if d.err != nil {
		return d.err
	}
	s.Events = make([]lab.Event, 0, min(ne, (len(d.b)-d.i)/32+1))
	for range ne {
		s.Events = append(s.Events, lab.Event{})
		if !d.event(&s.Events[len(s.Events)-1]) {
			return d.err
		}
	}
	if d.i != len(d.b) {
		return damaged("%d bytes follow its last event", len(d.b)-d.i)
	}
	return nil
}

func inflateError(err error) error {
	var ce flate.CorruptInputError
	switch {
	case errors.As(err, &ce):
		return damaged("its compressed events are corrupt (%v)", err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return damaged("its compressed events end early")
	}
	return damaged("its compressed events cannot be read (%v)", err)
}

func (d *decoder) conv(c *lab.ConvInfo) {
	flags := d.u8()
	c.Live = flags&cvLive != 0
	c.ClientSeen = flags&cvClientSeen != 0
	c.ServerSeen = flags&cvServerSeen != 0
	c.Datagram = flags&cvDatagram != 0
	c.ID = lab.ConvID(d.uvar())
	c.Link.Parent = lab.ConvID(d.uvar())
	c.Protocol = d.str()
	c.Transport = d.str()
	c.Client = d.str()
	c.Server = d.str()
	c.State = d.str()
	c.CloseHow = d.str()
	c.Link.Label = d.str()
	if d.version >= 2 {
		kind := d.str()
		k, ok := lab.ParseLinkKind(kind)
		if !ok {
			d.fail(fmt.Sprintf("link kind %q", kind))
		}
		c.Link.Kind, c.Link.Dialler, c.Link.Mode = k, lab.Side(d.u8()), d.str()
		if c.Link.Dialler > lab.SideServer {
			d.fail("link dialler")
		}
	} else {
		c.Link = linkOfFormat1(c.Link.Parent, c.Link.Label)
	}
	c.ClosedBy = lab.Side(d.u8())
	c.BytesC2S = d.svar()
	c.BytesS2C = d.svar()
	c.Messages = int(d.svar())
	if flags&cvStart != 0 {
		c.Start = d.time()
	}
	if flags&cvEnd != 0 {
		c.End = d.time()
	}
	if flags&cvLast != 0 {
		c.Last = d.time()
	}
	if flags&cvKernel != 0 {
		k := &lab.TCPInfo{}
		kf := d.u8()
		k.SACK = kf&kSACK != 0
		k.Timestamps = kf&kTimestamps != 0
		k.WindowScaling = kf&kWindowScaling != 0
		k.ECN = kf&kECN != 0
		k.State = d.str()
		k.RTT = time.Duration(d.svar())
		k.RTTVar = time.Duration(d.svar())
		k.SndMSS = int(d.svar())
		k.RcvMSS = int(d.svar())
		k.SndWScale = int(d.svar())
		k.RcvWScale = int(d.svar())
		k.Retransmits = int(d.svar())
		k.SndCwnd = int(d.svar())
		k.Unacked = int(d.svar())
		c.Kernel = k
	}
}
