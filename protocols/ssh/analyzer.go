package ssh

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// Bounds on what the analyzer holds for one direction.
const (
	// MaxVersionLine is the longest version line, CR LF included (RFC 4253 §4.2).
	MaxVersionLine = 255
	// MaxPreambleLines is how many other lines the analyzer reads before the
	// server's version line (§4.2 lets a server send some) before giving up.
	MaxPreambleLines = 64
	// MaxPacketLength is the largest packet_length an implementation must accept
	// (§6.1); the analyzer holds no bigger packet.
	MaxPacketLength = 35000
	// keptEncrypted is how many encrypted bytes the "encrypted from here" message keeps.
	keptEncrypted = 64
)

// phase says how a direction's bytes are read.
type phase uint8

const (
	phaseVersion   phase = iota // lines, until the version line
	phasePackets                // binary packets in the clear (§6)
	phaseEncrypted              // after NEWKEYS: counted only
	phaseStopped                // after malformed input: counted only
)

// direction is what the analyzer knows of one direction of the connection.
type direction struct {
	phase     phase
	buf       framing.Length // a partial line or packet, at most MaxPacketLength+4 bytes
	lines     int
	version   string
	kexinit   *kexInit
	newkeys   bool
	packets   int
	encrypted int64 // bytes after NEWKEYS
	skipped   int64 // bytes not followed after malformed input
	announced bool  // "encrypted from here" was said
}

// Analyzer follows the clear part of one SSH connection (RFC 4253) and counts the
// encrypted rest. Like every lab.Analyzer it is used from one goroutine at a time.
type Analyzer struct {
	dirs       [3]direction // by lab.Dir
	state      lab.Machine
	negotiated *Algorithms
	closed     bool
}

var _ lab.ConnAnalyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyzer for one SSH connection.
func NewAnalyzer() *Analyzer { return &Analyzer{state: machine} }

// State is the connection's state: "", StateVersion, StateKexInit,
// StateKeyExchange, StateEncrypted or StateClosed.
func (a *Analyzer) State() string { return a.state.State() }

// Pending is how many bytes the analyzer holds for dir (a partial line or packet).
func (a *Analyzer) Pending(dir lab.Dir) int {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	return a.dirs[dir].buf.Held()
}

// Encrypted is how many bytes went in dir after its NEWKEYS.
func (a *Analyzer) Encrypted(dir lab.Dir) int64 {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return 0
	}
	return a.dirs[dir].encrypted
}

// Negotiated returns the algorithms the two KEXINITs settle on, once both were seen.
func (a *Analyzer) Negotiated() (Algorithms, bool) {
	if a.negotiated == nil {
		return Algorithms{}, false
	}
	return *a.negotiated, true
}

// Version is the version line dir sent, without its CR LF ("" before it).
func (a *Analyzer) Version(dir lab.Dir) string {
	if dir != lab.ClientToServer && dir != lab.ServerToClient {
		return ""
	}
	return a.dirs[dir].version
}

// Opened does nothing: SSH says nothing until a version line.
func (a *Analyzer) Opened(lab.OpenInfo) []lab.Message { return nil }

// Feed frames the bytes b that went in direction dir.
func (a *Analyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	if dir != lab.ClientToServer && dir != lab.ServerToClient || len(b) == 0 {
		return nil
	}
	d := &a.dirs[dir]
	var out []lab.Message
	bad, err := d.buf.Feed(b, d.size, func(p []byte) bool {
		out = append(out, a.frame(dir, p)...)
		return false
	})
	if err != nil {
		// The rest of this direction is counted only, these bytes first.
		out = append(out, a.unframed(dir, bad))
		d.skipped += int64(len(bad))
	}
	return out
}

// Errors of the framing: the bytes cannot be the line or packet d's phase wants.
var (
	errLongLine  = errors.New("ssh: a line longer than a version line may be")
	errBadPacket = errors.New("ssh: a packet_length or padding_length no packet can have")
)

// size is the length of what comes next in d's phase (a framing.Size): a line
// of the version exchange, a binary packet (RFC 4253 §6), or, after NEWKEYS or
// malformed input, whatever bytes came, to be counted.
func (d *direction) size(data []byte) (int, error) {
	switch d.phase {
	case phaseVersion:
		i := bytes.IndexByte(data, '\n')
		switch {
		case i < 0 && len(data) < MaxVersionLine:
			return 0, nil
		case i < 0 || i+1 > MaxVersionLine:
			return 0, errLongLine
		}
		return i + 1, nil
	case phasePackets:
		if len(data) < 5 {
			return 0, nil
		}
		n := binary.BigEndian.Uint32(data)
		if n > MaxPacketLength || n < 2 || int(data[4])+1 > int(n) {
			return 0, errBadPacket
		}
		return 4 + int(n), nil
	}
	return len(data), nil
}

// frame reads p, which size cut from dir's bytes.
func (a *Analyzer) frame(dir lab.Dir, p []byte) []lab.Message {
	d := &a.dirs[dir]
	switch d.phase {
	case phaseVersion:
		return a.line(dir, p)
	case phasePackets:
		d.packets++
		return a.packet(dir, p)
	case phaseEncrypted:
		d.encrypted += int64(len(p))
		if !d.announced {
			d.announced = true
			return []lab.Message{a.encryptedFromHere(dir, p)}
		}
	default:
		d.skipped += int64(len(p))
	}
	return nil
}

// unframed reports the bytes data, which size could not frame in dir's phase.
func (a *Analyzer) unframed(dir lab.Dir, data []byte) lab.Message {
	if a.dirs[dir].phase == phaseVersion {
		return a.malformed(dir, data[:min(len(data), MaxVersionLine)],
			fmt.Sprintf("a line of more than %d bytes before the version line", MaxVersionLine),
			"A version line, and any line a server sends before it, is at most 255 bytes with its CR LF.", "RFC 4253 §4.2")
	}
	return a.malformed(dir, data[:5],
		fmt.Sprintf("packet_length %d, padding_length %d", binary.BigEndian.Uint32(data), data[4]),
		fmt.Sprintf("A packet sent in the clear is 4 bytes of length, then that many bytes (at most %d): "+
			"a padding length, the payload and the padding. These numbers cannot be one.", MaxPacketLength),
		"RFC 4253 §6.1")
}

// malformed reports input the analyzer cannot follow and stops reading dir: the
// rest of it is counted only. It consumes nothing: Feed counts what follows.
func (a *Analyzer) malformed(dir lab.Dir, raw []byte, what, meaning, ref string) lab.Message {
	a.dirs[dir].phase = phaseStopped
	return lab.Message{
		Dir:      dir,
		Summary:  "malformed: " + what,
		Meaning:  meaning + " The lab stops reading this direction and only counts its bytes.",
		Ref:      ref,
		Raw:      raw,
		Observed: true,
	}
}

// line reads one line of the version exchange (RFC 4253 §4.2).
func (a *Analyzer) line(dir lab.Dir, raw []byte) []lab.Message {
	d := &a.dirs[dir]
	text := strings.TrimSuffix(strings.TrimSuffix(string(raw), "\n"), "\r")
	if !strings.HasPrefix(text, "SSH-") {
		d.lines++
		m := lab.Message{
			Dir:     dir,
			Summary: "line before the version: " + clip(printable([]byte(text)), 80),
			Meaning: "A server may send lines of text before its version line; a client ignores them. " +
				"Only the line that begins with \"SSH-\" counts.",
			Ref:      "RFC 4253 §4.2",
			Raw:      raw,
			Observed: true,
		}
		if dir == lab.ClientToServer {
			m.Meaning = "A client must send its version line first; this line is not one, and a server would drop the connection."
		}
		out := []lab.Message{m}
		if d.lines > MaxPreambleLines {
			out = append(out, a.malformed(dir, nil, fmt.Sprintf("more than %d lines without a version line", MaxPreambleLines),
				"No SSH version line came.", "RFC 4253 §4.2"))
		}
		return out
	}
	d.version = text
	proto, software, comments := parseVersion(text)
	fields := []lab.Field{
		{Name: "protocol version", Value: proto},
		{Name: "software version", Value: software},
	}
	if comments != "" {
		fields = append(fields, lab.Field{Name: "comments", Value: comments})
	}
	if !strings.HasSuffix(string(raw), "\r\n") {
		fields = append(fields, lab.Field{Name: "line end", Value: "LF without CR (RFC 4253 asks for CR LF; most implementations accept it)"})
	}
	who := "client"
	if dir == lab.ServerToClient {
		who = "server"
	}
	m := lab.Message{
		Dir:     dir,
		Summary: clip(printable([]byte(text)), 120),
		Meaning: fmt.Sprintf("The %s's version line, the first thing each side sends in plain text: it speaks "+
			"SSH protocol version %s, and its software calls itself %q. Both lines go into the key exchange's hash, "+
			"so a change by someone in the middle would be noticed.", who, proto, software),
		Ref:       "RFC 4253 §4.2",
		Fields:    fields,
		Raw:       raw,
		Handshake: true,
		Observed:  true,
	}
	switch proto {
	case "2.0", "1.99":
		d.phase = phasePackets
	default:
		m.Meaning += " This is not SSH 2.0, which the lab follows; the rest is only counted."
		d.phase = phaseStopped
	}
	a.state.Move(&m, StateVersion)
	return []lab.Message{m}
}

// parseVersion splits "SSH-protoversion-softwareversion SP comments".
func parseVersion(line string) (proto, software, comments string) {
	rest := strings.TrimPrefix(line, "SSH-")
	rest, comments, _ = strings.Cut(rest, " ")
	proto, software, _ = strings.Cut(rest, "-")
	return proto, software, comments
}

// encryptedFromHere says that dir's bytes from now on are encrypted.
func (a *Analyzer) encryptedFromHere(dir lab.Dir, first []byte) lab.Message {
	algo := ""
	if n := a.negotiated; n != nil {
		if dir == lab.ClientToServer {
			algo = n.CipherC2S
		} else {
			algo = n.CipherS2C
		}
	}
	m := lab.Message{
		Dir:     dir,
		Summary: "encrypted from here",
		Meaning: "After NEWKEYS this side encrypts every packet, its length included, with keys that only the " +
			"two ends know: SSH, unlike TLS, has no way to hand the lab its keys, so the lab cannot decrypt " +
			"what follows — the login, the channel and the SFTP operations. It counts the bytes; the lab's " +
			"SFTP server reports what it was asked to do as messages of the \"sftp\" layer.",
		Ref:      "RFC 4253 §7.3, §6",
		Raw:      first[:min(len(first), keptEncrypted)],
		Observed: true,
	}
	if algo != "" {
		m.Fields = append(m.Fields, lab.Field{Name: "cipher", Value: algo})
	}
	return m
}

// Closed ends the connection: the state becomes closed, and the first endpoint's
// close says how many bytes went encrypted each way.
func (a *Analyzer) Closed(info lab.CloseInfo) []lab.Message {
	if a.closed {
		return nil
	}
	a.closed = true
	c2s, s2c := &a.dirs[lab.ClientToServer], &a.dirs[lab.ServerToClient]
	m := lab.Message{
		Dir:     info.By.Outbound(),
		Summary: "connection closed by the " + info.By.String(),
		Meaning: "The SSH connection ended. The lab could read its start and counted the encrypted bytes that followed.",
		Ref:     "RFC 4253 §11.1",
		Fields: []lab.Field{
			{Name: "closed by", Value: info.By.String() + " (" + info.How + ")"},
			{Name: "encrypted client→server", Value: Size(c2s.encrypted)},
			{Name: "encrypted server→client", Value: Size(s2c.encrypted)},
			{Name: "packets in the clear", Value: fmt.Sprintf("%d client→server, %d server→client", c2s.packets, s2c.packets)},
		},
		Teardown: true,
		Observed: true,
	}
	if !c2s.newkeys || !s2c.newkeys {
		m.Meaning = "The SSH connection ended before both sides switched on encryption."
	}
	a.state.Move(&m, StateClosed)
	return []lab.Message{m}
}
