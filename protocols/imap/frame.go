package imap

import (
	"bytes"
	"strconv"
)

// Bounds on what the Analyzer holds.
const (
	// MaxKeptBytes bounds the bytes of one command or response kept as its Raw;
	// the rest of a long literal (a whole mail in BODY[]) is counted, not kept.
	MaxKeptBytes = 64 << 10
	// MaxLineBytes bounds the text of one command or response outside its
	// literals; a longer one is shown as it is and skipped to the end of its line.
	MaxLineBytes = 256 << 10
	// maxLiteralHead bounds the bytes of each literal kept for summaries (a
	// LOGIN user name sent as a literal).
	maxLiteralHead = 256
	// maxLiterals bounds the literals of one message whose heads are kept.
	maxLiterals = 16
	// maxPending bounds the commands waiting for their tagged completions.
	maxPending = 256
)

// literal is one literal of a framed message.
type literal struct {
	size int64
	sync bool   // a synchronizing literal: the client waits for "+" before sending it
	head []byte // its first bytes, up to maxLiteralHead
}

// frame is one whole command or response as the framer cut it out of a stream.
type frame struct {
	raw  []byte    // the first MaxKeptBytes of its bytes
	size int64     // all its bytes
	text []byte    // its lines without the literals' bytes ("{5}\r\n" markers stay)
	lits []literal // its literals, in order (the first maxLiterals)
	nlit int       // how many literals it has
	cut  bool      // the text passed MaxLineBytes; the rest of the line was skipped
	done bool      // ended normally (not cut short by the connection's end or a refused literal)
}

// framer cuts one direction's bytes into frames: lines, with literals inside.
type framer struct {
	cur     frame
	piece   int   // where in cur.text the line after the last literal begins
	litLeft int64 // bytes of the current literal still to come
	inLit   bool  // inside a literal (litLeft may be 0 only for an empty one)
	skip    bool  // skipping the rest of an overlong line
	// noLiterals reports whether the frame whose first line is text cannot
	// hold literals (a status response's text); nil means every frame may.
	noLiterals func(text []byte) bool
}

// held is how many bytes the framer holds.
func (f *framer) held() int {
	n := len(f.cur.raw) + len(f.cur.text)
	for _, l := range f.cur.lits {
		n += len(l.head)
	}
	return n
}

// started reports whether a frame is under way.
func (f *framer) started() bool { return f.cur.size > 0 }

// waitingSync reports whether the framer waits for a synchronizing literal whose
// first byte has not come: the client sends it only after the server's "+".
func (f *framer) waitingSync() bool {
	return f.inLit && f.cur.nlit > 0 && f.cur.nlit <= maxLiterals &&
		f.cur.lits[f.cur.nlit-1].sync && f.litLeft == f.cur.lits[f.cur.nlit-1].size && f.litLeft > 0
}

// keep records b as bytes of the current frame.
func (f *framer) keep(b []byte) {
	if room := MaxKeptBytes - len(f.cur.raw); room > 0 {
		f.cur.raw = append(f.cur.raw, b[:min(room, len(b))]...)
	}
	f.cur.size += int64(len(b))
}

// feed frames b and calls emit with each whole frame. When emit asks to stop
// (the rest of the connection is TLS), feed returns the bytes after that frame.
func (f *framer) feed(b []byte, emit func(frame) (stop bool)) (rest []byte) {
	for len(b) > 0 {
		if f.inLit {
			n := int(min(f.litLeft, int64(len(b))))
			f.keep(b[:n])
			if f.cur.nlit <= maxLiterals {
				l := &f.cur.lits[f.cur.nlit-1]
				if room := maxLiteralHead - len(l.head); room > 0 {
					l.head = append(l.head, b[:min(room, n)]...)
				}
			}
			f.litLeft -= int64(n)
			b = b[n:]
			if f.litLeft == 0 {
				f.inLit = false
				f.piece = len(f.cur.text)
			}
			continue
		}
		i := bytes.IndexByte(b, '\n')
		seg := b
		if i >= 0 {
			seg = b[:i+1]
		}
		b = b[len(seg):]
		f.keep(seg)
		if f.skip {
			if i >= 0 {
				f.skip = false
				if f.finish(emit) {
					return b
				}
			}
			continue
		}
		if len(f.cur.text)+len(seg) > MaxLineBytes {
			f.cur.text = append(f.cur.text, seg[:MaxLineBytes-len(f.cur.text)]...)
			f.cur.cut = true
			if i >= 0 {
				if f.finish(emit) {
					return b
				}
			} else {
				f.skip = true
			}
			continue
		}
		f.cur.text = append(f.cur.text, seg...)
		if i < 0 {
			continue
		}
		if n, sync, ok := literalAtEnd(f.cur.text[f.piece:]); ok && (f.noLiterals == nil || !f.noLiterals(f.cur.text)) {
			f.cur.nlit++
			if f.cur.nlit <= maxLiterals {
				f.cur.lits = append(f.cur.lits, literal{size: n, sync: sync})
			}
			f.inLit, f.litLeft = true, n
			if n == 0 {
				f.inLit = false
				f.piece = len(f.cur.text)
			}
			continue
		}
		f.cur.done = true
		if f.finish(emit) {
			return b
		}
	}
	return nil
}

// finish emits the current frame and starts the next.
func (f *framer) finish(emit func(frame) bool) bool {
	fr := f.cur
	f.cur, f.piece, f.inLit, f.litLeft = frame{}, 0, false, 0
	return emit(fr)
}

// flush emits a frame cut short (the connection ended, or the server refused a
// synchronizing literal), if one is under way.
func (f *framer) flush(emit func(frame) bool) {
	f.skip = false
	if f.started() {
		f.finish(emit)
	}
}

// literalAtEnd reports whether line (one line, ending in LF) ends with a literal's
// announcement before CRLF: "{n}" (synchronizing), "{n+}" or "{n-}" (LITERAL+ and
// LITERAL-, sent without waiting), or "~{n}" (literal8).
func literalAtEnd(line []byte) (n int64, sync, ok bool) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false, false
	}
	open := bytes.LastIndexByte(line, '{')
	if open < 0 {
		return 0, false, false
	}
	digits := line[open+1 : len(line)-1]
	sync = true
	if len(digits) > 0 && (digits[len(digits)-1] == '+' || digits[len(digits)-1] == '-') {
		sync = false
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false, false
		}
	}
	v, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return 0, false, false
	}
	return v, sync, true
}
