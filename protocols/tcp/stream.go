package tcp

import (
	"bytes"

	"github.com/protocollab/protolab/lab"
	fr "github.com/protocollab/protolab/protocols/internal/framing"
)

// FlushLimit bounds the bytes of a partial line the analyzer holds per direction:
// a line that grows past it is shown in pieces.
const FlushLimit = 4096

// refData is where TCP's byte-stream service is described.
const refData = "RFC 9293 §2.2"

// stream holds one direction's partial line: text after the last newline, not yet shown.
type stream struct {
	pending []byte // a private copy, never longer than FlushLimit
}

// framing says how a data message's bytes were cut from the stream.
type framing uint8

const (
	frameLine     framing = iota // a whole line, ending in a newline
	frameLineEnd                 // the end of a line whose start was shown already
	frameChunk                   // bytes that are not text, as one write or read delivered them
	frameLong                    // text with no newline for longer than FlushLimit
	flushLimit                   // part of a line: it grew past FlushLimit
	flushBinary                  // part of a line: bytes that are not text followed it
	flushAnswered                // part of a line: the other end sent data meanwhile
	flushClosed                  // part of a line: the sender closed or the connection ended
)

var framings = [...]struct{ field, meaning string }{
	frameLine: {"one line (up to and including its newline)",
		"One line of text. The lab splits text at newlines, the boundary line-oriented applications " +
			"such as the echo and chat services use."},
	frameLineEnd: {"the end of a long line",
		"The end of a line whose start is shown in the message before."},
	frameChunk: {"a chunk as one write or read delivered it",
		"These bytes are not line-oriented text, so the lab shows them as one write (or read) delivered them."},
	frameLong: {"text without a newline, longer than 4 KiB",
		"Text with no newline for more than 4 KiB, shown as one write (or read) delivered it."},
	flushLimit: {"part of a line: more than 4 KiB without a newline",
		"Part of a line, shown now because it grew past 4 KiB without a newline."},
	flushBinary: {"part of a line: bytes that are not text followed",
		"Part of a line, shown now because bytes that are not text followed it."},
	flushAnswered: {"part of a line: the other end sent data meanwhile",
		"Part of a line, shown now because the other end sent data before the newline came: the " +
			"application treated it as complete."},
	flushClosed: {"part of a line: the stream ended",
		"The last bytes of this direction, without a newline: the sender closed or the connection ended."},
}

const streamNote = " TCP carries a byte stream: it keeps the bytes in order but not the sizes of the " +
	"writes, so one write may arrive in pieces and several may arrive together. Where one message ends " +
	"is up to the application, not TCP."

// meanings are the framings' full meanings, built once.
var meanings = func() (m [len(framings)]string) {
	for i, f := range framings {
		m[i] = f.meaning + streamNote
	}
	return m
}()

// feed frames b (non-empty, in direction dir). Text is cut into lines: a line split
// across chunks waits, up to FlushLimit bytes, for its newline. Other bytes become one
// message per chunk. Bytes pending in the other direction are shown first, since the
// other end has answered them. Messages alias b wherever they can.
func (a *Analyzer) feed(dir lab.Dir, b []byte) []lab.Message {
	return a.block.Done(a.frame(a.block.Start(), dir, b))
}

// frame is feed, appending its messages to out.
func (a *Analyzer) frame(out []lab.Message, dir lab.Dir, b []byte) []lab.Message {
	limit := a.maxPending()
	out = a.flush(out, opposite(dir), flushAnswered)
	s := &a.streams[dir]
	if fr.Binary(b) {
		out = a.flush(out, dir, flushBinary)
		return append(out, a.dataMessage(dir, b, frameChunk))
	}
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break
		}
		line := b[:i+1]
		b = b[i+1:]
		switch {
		case len(s.pending) == 0:
			out = append(out, a.dataMessage(dir, line, frameLine))
		case len(s.pending)+len(line) <= limit:
			raw := append(s.pending, line...)
			s.pending = nil
			out = append(out, a.dataMessage(dir, raw, frameLine))
		default:
			out = a.flush(out, dir, flushLimit)
			out = append(out, a.dataMessage(dir, line, frameLineEnd))
		}
	}
	switch {
	case len(b) == 0:
	case len(s.pending)+len(b) <= limit:
		s.pending = append(s.pending, b...)
	case len(b) <= limit:
		out = a.flush(out, dir, flushLimit)
		s.pending = append(s.pending, b...)
	default:
		out = a.flush(out, dir, flushLimit)
		out = append(out, a.dataMessage(dir, b, frameLong))
	}
	return out
}

// maxPending is FlushLimit, or a smaller bound tests set to reach it with small inputs.
func (a *Analyzer) maxPending() int {
	if a.limit > 0 {
		return a.limit
	}
	return FlushLimit
}

// flush shows dir's partial line, if any, appending it to out.
func (a *Analyzer) flush(out []lab.Message, dir lab.Dir, why framing) []lab.Message {
	s := &a.streams[dir]
	if len(s.pending) == 0 {
		return out
	}
	raw := s.pending
	s.pending = nil // the message owns the bytes now
	return append(out, a.dataMessage(dir, raw, why))
}

func opposite(d lab.Dir) lab.Dir {
	if d == lab.ClientToServer {
		return lab.ServerToClient
	}
	return lab.ClientToServer
}

// dataMessage describes raw, application bytes that went in direction dir.
// Its summary is made now, its fields when someone looks (dataFill).
func (a *Analyzer) dataMessage(dir lab.Dir, raw []byte, f framing) lab.Message {
	sum := fr.AppendByteCount(a.scratch[:0], len(raw))
	if fr.Binary(raw) {
		sum = lab.AppendHexPreview(append(sum, " binary: "...), raw, 12)
	} else {
		sum = lab.AppendPreview(append(sum, ' '), raw, 60)
	}
	m := lab.Message{
		Dir:      dir,
		Summary:  a.arena.Text(&a.scratch, sum),
		Meaning:  meanings[f],
		Ref:      refData,
		Raw:      raw,
		Observed: true,
	}
	m.DeferTo(dataFill(f))
	return m
}

// dataFill builds a data message's fields from its bytes, cut from the stream
// as the framing says (lab.Message.DeferTo: a value of one byte, which an
// interface holds without an allocation).
type dataFill framing

// Fill builds m's fields: its length, its framing, and its bytes as text (and
// its line ending) or hex.
func (f dataFill) Fill(m *lab.Message) ([]lab.Field, string) {
	raw := m.Raw
	fields := make([]lab.Field, 0, 4)
	fields = append(fields,
		lab.Field{Name: "length", Value: fr.ByteCount(len(raw))},
		lab.Field{Name: "framing", Value: framings[f].field})
	if fr.Binary(raw) {
		// Escaped binary reads worse than hex and costs more to make.
		return append(fields, lab.Field{Name: "hex", Value: lab.HexPreview(raw, 64), Len: len(raw)}), ""
	}
	text := lab.Preview(raw, 256) // all of it, up to 256 bytes: the summary shows the first 60
	end := lineEnding(raw)
	n := len(raw) - endBytes[end] // the text without its line ending
	fields = append(fields, lab.Field{Name: "text", Value: text, Len: n})
	if end != "" {
		fields = append(fields, lab.Field{Name: "line ending", Value: end, Off: n, Len: len(raw) - n})
	}
	return fields, ""
}

// endBytes is how many bytes each line ending lineEnding names takes.
var endBytes = map[string]int{"CRLF": 2, "LF": 1}

func lineEnding(b []byte) string {
	switch {
	case bytes.HasSuffix(b, []byte("\r\n")):
		return "CRLF"
	case bytes.HasSuffix(b, []byte("\n")):
		return "LF"
	}
	return ""
}
