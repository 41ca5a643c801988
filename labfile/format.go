package labfile

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// FormatVersion is the version of the format Write writes and the newest Read reads.
const FormatVersion = 5

// Magic begins every session file.
const Magic = "PROTOLAB\x00"

// trailerMagic begins the trailer, the file's last 28 bytes.
const trailerMagic = "PROTOEND"

// Bounds on what Read accepts, checked before anything is allocated for it.
const (
	MaxHeaderBytes   = 16 << 20 // the JSON header
	MaxBodyBytes     = 4 << 30  // the compressed body
	MaxRawBytes      = 8 << 30  // the body uncompressed
	MaxEvents        = 50_000_000
	MaxConversations = 10_000_000
	MaxKeys          = 1_000_000
)

const (
	prefixLen  = len(Magic) + 4 + 4 // magic, version, header length
	trailerLen = len(trailerMagic) + 8 + 8 + 4
)

// Errors Read and Load return, wrapped with what exactly is wrong.
var (
	// ErrNotSession: the file is not a Protocol Lab session.
	ErrNotSession = errors.New("labfile: not a Protocol Lab session")
	// ErrNewer: the file was written by a newer Protocol Lab, in a format this one cannot read.
	ErrNewer = errors.New("labfile: made by a newer Protocol Lab")
	// ErrDamaged: the file is a session, but truncated or corrupted.
	ErrDamaged = errors.New("labfile: the session file is damaged")
)

func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}

// header is the JSON after the file's prefix.
type header struct {
	Format        int                        `json:"format"`
	App           string                     `json:"app"`
	Saved         time.Time                  `json:"saved"`
	Bench         BenchState                 `json:"bench"`
	Clients       map[string]json.RawMessage `json:"clients,omitempty"`
	View          *ViewState                 `json:"view,omitempty"`
	Conversations int64                      `json:"conversations"`
	Events        int64                      `json:"events"`
	Keys          int64                      `json:"keys"`
	Lost          uint64                     `json:"lost,omitempty"` // events the recording lost to its bound
	Compression   string                     `json:"compression"`    // "deflate" (RFC 1951)
	BodyBytes     int64                      `json:"bodyBytes"`      // compressed
	RawBytes      int64                      `json:"rawBytes"`       // uncompressed

	size int64 // the whole file's, once read
}

// view is v for the header: nil (left out) for the zero value.
func view(v ViewState) *ViewState {
	if v == (ViewState{}) {
		return nil
	}
	return &v
}

// SessionInfo is what a session file's header says, read without its body:
// enough to offer it ("restore the session of 14:02, 3 servers, 12,400 events?").
type SessionInfo struct {
	Format        int
	App           string
	Saved         time.Time
	Bench         BenchState
	Conversations int
	Events        int
	Lost          uint64 // events the recording lost to the capture bound before it was saved
	Size          int64  // the file's size in bytes
}

func (h *header) info() *SessionInfo {
	return &SessionInfo{Format: h.Format, App: h.App, Saved: h.Saved, Bench: h.Bench,
		Conversations: int(h.Conversations), Events: int(h.Events), Lost: h.Lost,
		Size: h.size}
}

// Write writes s to w in the session format. The body is compressed in memory
// first, so w sees one sequence of writes of the whole file.
func Write(w io.Writer, s *Session) error {
	return write(w, s, sliceEvents(s.Events))
}

// write is Write with the events from src.
func write(w io.Writer, s *Session, src eventSource) error {
	var body bytes.Buffer
	zw, err := flate.NewWriter(&body, flate.BestSpeed)
	if err != nil {
		return err
	}
	raw, err := encodeWith(zw, s, FormatVersion, src)
	if err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	saved := s.Saved
	if saved.IsZero() {
		saved = time.Now()
	}
	app := s.App
	if app == "" {
		app = "protolab"
	}
	hdr, err := json.Marshal(&header{
		Format:        FormatVersion,
		App:           app,
		Saved:         saved.Round(0),
		Bench:         s.Bench,
		Clients:       s.Clients,
		View:          view(s.View),
		Conversations: int64(len(s.Conversations)),
		Events:        int64(src.n),
		Keys:          int64(len(s.Keys)),
		Lost:          s.Lost,
		Compression:   "deflate",
		BodyBytes:     int64(body.Len()),
		RawBytes:      raw,
	})
	if err != nil {
		return fmt.Errorf("labfile: %w", err)
	}
	if len(hdr) > MaxHeaderBytes {
		return fmt.Errorf("labfile: the bench and client settings take %d bytes, more than a session file holds (%d)", len(hdr), MaxHeaderBytes)
	}

	sum := crc32.New(castagnoli)
	out := io.MultiWriter(w, sum)
	prefix := make([]byte, 0, prefixLen)
	prefix = append(prefix, Magic...)
	prefix = binary.BigEndian.AppendUint32(prefix, FormatVersion)
	prefix = binary.BigEndian.AppendUint32(prefix, uint32(len(hdr)))
	for _, b := range [][]byte{prefix, hdr, body.Bytes()} {
		if _, err := out.Write(b); err != nil {
			return err
		}
	}
	trailer := make([]byte, 0, trailerLen)
	trailer = append(trailer, trailerMagic...)
	trailer = binary.BigEndian.AppendUint64(trailer, uint64(len(s.Conversations)))
	trailer = binary.BigEndian.AppendUint64(trailer, uint64(src.n))
	trailer = binary.BigEndian.AppendUint32(trailer, sum.Sum32())
	_, err = w.Write(trailer)
	return err
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Read reads a whole session from r. It returns a session or an error, never
// part of one: the checksum is verified before the body is decoded. Errors wrap
// ErrNotSession, ErrNewer or ErrDamaged and say what is wrong.
func Read(r io.Reader) (*Session, error) {
	h, body, err := readFile(r, true)
	if err != nil {
		return nil, err
	}
	s := &Session{Format: h.Format, App: h.App, Saved: h.Saved, Bench: h.Bench, Clients: h.Clients, Lost: h.Lost}
	if h.View != nil {
		s.View = *h.View
	}
	if err := decodeBody(body, h, s); err != nil {
		return nil, err
	}
	return s, nil
}

// ReadInfo reads a session's header and checks the whole file's checksum without
// decoding its body: whether a file opens, and what it holds.
func ReadInfo(r io.Reader) (*SessionInfo, error) {
	h, _, err := readFile(r, false)
	if err != nil {
		return nil, err
	}
	return h.info(), nil
}

// readFile reads and checks the prefix, header, body and trailer; keep says
// whether to return the compressed body (otherwise it is only checksummed).
func readFile(r io.Reader, keep bool) (*header, []byte, error) {
	sum := crc32.New(castagnoli)
	tr := io.TeeReader(r, sum)
	prefix := make([]byte, prefixLen)
	if n, err := io.ReadFull(tr, prefix); err != nil {
		m := min(n, len(Magic))
		switch {
		case n == 0:
			return nil, nil, fmt.Errorf("%w: the file is empty", ErrNotSession)
		case string(prefix[:m]) != Magic[:m]:
			return nil, nil, fmt.Errorf("%w: it does not begin with %q", ErrNotSession, Magic[:len(Magic)-1])
		case n >= len(Magic):
			return nil, nil, damaged("it ends in its first bytes (the file was cut short)")
		}
		return nil, nil, fmt.Errorf("%w: it is too short to be one", ErrNotSession)
	}
	if string(prefix[:len(Magic)]) != Magic {
		return nil, nil, fmt.Errorf("%w: it does not begin with %q", ErrNotSession, Magic[:len(Magic)-1])
	}
	version := binary.BigEndian.Uint32(prefix[len(Magic):])
	if version > FormatVersion {
		return nil, nil, fmt.Errorf("%w (format %d); this one reads up to %d: update Protocol Lab to open it", ErrNewer, version, FormatVersion)
	}
	if version == 0 {
		return nil, nil, damaged("its format version is 0")
	}
	hlen := binary.BigEndian.Uint32(prefix[len(Magic)+4:])
	if hlen > MaxHeaderBytes {
		return nil, nil, damaged("its header claims %d bytes, more than the %d a session has", hlen, MaxHeaderBytes)
	}
	hdrBytes, err := readN(tr, int64(hlen), "header")
	if err != nil {
		return nil, nil, err
	}
	var h header
	if err := json.Unmarshal(hdrBytes, &h); err != nil {
		return nil, nil, damaged("its header is not valid JSON (%v)", err)
	}
	if err := h.check(version); err != nil {
		return nil, nil, err
	}
	var body []byte
	if keep {
		body, err = readN(tr, h.BodyBytes, "events")
	} else {
		var n int64
		n, err = io.CopyN(io.Discard, tr, h.BodyBytes)
		if err != nil {
			err = cutShort("events", n, h.BodyBytes, err)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	want := sum.Sum32()
	trailer := make([]byte, trailerLen)
	if n, err := io.ReadFull(r, trailer); err != nil {
		return nil, nil, cutShort("trailer", int64(n), int64(trailerLen), err)
	}
	if string(trailer[:len(trailerMagic)]) != trailerMagic {
		return nil, nil, damaged("its trailer is missing (the file was cut short or overwritten)")
	}
	convs := binary.BigEndian.Uint64(trailer[8:])
	events := binary.BigEndian.Uint64(trailer[16:])
	if got := binary.BigEndian.Uint32(trailer[24:]); got != want {
		return nil, nil, damaged("its checksum does not match its contents (CRC-32C %08x, want %08x): some bytes were changed", want, got)
	}
	if convs != uint64(h.Conversations) || events != uint64(h.Events) {
		return nil, nil, damaged("its trailer counts %d conversations and %d events, its header %d and %d", convs, events, h.Conversations, h.Events)
	}
	if n, _ := r.Read(make([]byte, 1)); n > 0 {
		return nil, nil, damaged("there are bytes after its end")
	}
	h.size = int64(prefixLen) + int64(hlen) + h.BodyBytes + int64(trailerLen)
	return &h, body, nil
}

// check refuses a header whose claims are out of bounds, before any allocation.
func (h *header) check(version uint32) error {
	switch {
	case h.Format != int(version):
		return damaged("its header says format %d, its first bytes %d", h.Format, version)
	case h.Compression != "deflate":
		return damaged("its events are compressed with %q, which format %d does not use", h.Compression, version)
	case h.BodyBytes < 0 || h.BodyBytes > MaxBodyBytes:
		return damaged("it claims %d bytes of events, beyond the %d a session may hold", h.BodyBytes, int64(MaxBodyBytes))
	case h.RawBytes < 0 || h.RawBytes > MaxRawBytes:
		return damaged("it claims %d bytes of events uncompressed, beyond the %d a session may hold", h.RawBytes, int64(MaxRawBytes))
	case h.Events < 0 || h.Events > MaxEvents:
		return damaged("it claims %d events, beyond the %d a session may hold", h.Events, MaxEvents)
	case h.Conversations < 0 || h.Conversations > MaxConversations:
		return damaged("it claims %d conversations, beyond the %d a session may hold", h.Conversations, MaxConversations)
	case h.Keys < 0 || h.Keys > MaxKeys:
		return damaged("it claims %d TLS keys, beyond the %d a session may hold", h.Keys, MaxKeys)
	}
	return nil
}

// readN reads n bytes of the named part, growing the buffer as bytes arrive, so
// a false length in a short file costs no more than the file.
func readN(r io.Reader, n int64, part string) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(n, 1<<20)))
	got, err := io.CopyN(&buf, r, n)
	if err != nil {
		return nil, cutShort(part, got, n, err)
	}
	return buf.Bytes(), nil
}

func cutShort(part string, got, want int64, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return damaged("it ends in its %s, after %d of %d bytes (the file was cut short)", part, got, want)
	}
	return fmt.Errorf("labfile: reading the session's %s: %w", part, err)
}
