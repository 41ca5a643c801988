package mailstore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// The message log: every message added to a mailbox (delivered, appended,
// copied) is one record appended to the mailbox's messages.log,
//
//	PLM <uid> <size> <date>\n<size raw bytes>\n
//
// with <date> the internal date in Unix nanoseconds, and every message
// expunged from it a line "PLX <uid>\n", so that the log alone says which of
// its messages are gone, should the index be lost. Appending a record is one
// write to an open file, where a file of its own per message cost a file
// system's slowest operation, making a file (0.4–1 ms on an ext4 disk). Records
// are in UID order; a record whose UID the index no longer holds (below its
// UIDNEXT) is of an expunged message, and its bytes are reclaimed when such
// records are more than the live ones (compactLog).
const (
	logFile      = "messages.log"
	logMagic     = "PLM "
	logTomb      = "PLX "
	logHeaderMax = 64      // "PLM " and three decimal numbers, with room
	compactMin   = 1 << 20 // expunged bytes a log carries before it is rewritten
)

// logRecord is one record of a message log: a message, or the line saying
// one was expunged (tomb).
type logRecord struct {
	uid  uint32
	off  int64 // where the raw bytes start; for a tomb, where its line ends
	size int64
	date time.Time
	tomb bool
}

// end is the offset just past the record.
func (r logRecord) end() int64 {
	if r.tomb {
		return r.off
	}
	return r.off + r.size + 1
}

// appendTomb appends the line saying message uid was expunged.
func appendTomb(dst []byte, uid uint32) []byte {
	dst = append(dst, logTomb...)
	return append(strconv.AppendUint(dst, uint64(uid), 10), '\n')
}

// appendLogHeader appends a record's header line to dst.
func appendLogHeader(dst []byte, uid uint32, size int, date time.Time) []byte {
	dst = append(dst, logMagic...)
	dst = strconv.AppendUint(dst, uint64(uid), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(size), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, date.UnixNano(), 10)
	return append(dst, '\n')
}

// logDamage says where and how a message log stops being records.
type logDamage struct {
	at     int64
	reason string
}

// scanLog reads the records of a message log of size bytes. It stops at the
// first place that is not a whole record (a header that does not parse, a UID
// not above the one before, bytes cut short), and says where in damage; the
// records before it are returned. err is a failure to read.
func scanLog(r io.ReaderAt, size int64) (recs []logRecord, damage *logDamage, err error) {
	var buf [logHeaderMax + 1]byte // the terminator of the record before, then a header
	pos := int64(0)
	last := uint32(0)
	for pos < size {
		// Read the byte that must end the message before (none at the start,
		// nor after a tomb, whose line ends in it).
		msgBefore := len(recs) > 0 && !recs[len(recs)-1].tomb
		start := pos
		if msgBefore {
			start = pos - 1
		}
		want := min(int64(len(buf)), size-start)
		n, rerr := r.ReadAt(buf[:want], start)
		if int64(n) < want {
			if rerr == nil {
				rerr = io.ErrUnexpectedEOF
			}
			return recs, nil, fmt.Errorf("mailstore: cannot read the message log: %w", rerr)
		}
		b := buf[:n]
		if msgBefore {
			if b[0] != '\n' {
				// The record before was cut short, or its size was wrong.
				prev := recs[len(recs)-1]
				recs = recs[:len(recs)-1]
				return recs, &logDamage{prev.off - int64(headerLen(prev)), fmt.Sprintf("the record of UID %d does not end where its size says", prev.uid)}, nil
			}
			b = b[1:]
		}
		rec, hl, why := parseLogHeader(b)
		if why != "" {
			return recs, &logDamage{pos, why}, nil
		}
		if rec.tomb {
			rec.off = pos + int64(hl)
			recs = append(recs, rec)
			pos = rec.off
			continue
		}
		if rec.uid <= last {
			return recs, &logDamage{pos, fmt.Sprintf("UID %d follows UID %d", rec.uid, last)}, nil
		}
		rec.off = pos + int64(hl)
		if rec.size > size-rec.off-1 {
			return recs, &logDamage{pos, fmt.Sprintf("the record of UID %d is cut short (%d of its %d bytes)", rec.uid, max(size-rec.off, 0), rec.size)}, nil
		}
		recs = append(recs, rec)
		last = rec.uid
		pos = rec.end()
	}
	if len(recs) > 0 && !recs[len(recs)-1].tomb {
		// The last message's terminator.
		var nl [1]byte
		if _, rerr := r.ReadAt(nl[:], pos-1); rerr != nil {
			return recs, nil, fmt.Errorf("mailstore: cannot read the message log: %w", rerr)
		}
		if nl[0] != '\n' {
			prev := recs[len(recs)-1]
			return recs[:len(recs)-1], &logDamage{prev.off - int64(headerLen(prev)), fmt.Sprintf("the record of UID %d does not end where its size says", prev.uid)}, nil
		}
	}
	return recs, nil, nil
}

// headerLen is the length of rec's header line.
func headerLen(rec logRecord) int {
	var b [logHeaderMax]byte
	return len(appendLogHeader(b[:0], rec.uid, int(rec.size), rec.date))
}

// parseLogHeader parses the header line at the start of b: the record (without
// its offset), the line's length with its end, or why it is no header.
func parseLogHeader(b []byte) (rec logRecord, n int, why string) {
	end := bytes.IndexByte(b, '\n')
	if end < 0 {
		return rec, 0, "a record's header has no end"
	}
	line := b[:end]
	if bytes.HasPrefix(line, []byte(logTomb)) {
		uid, err := strconv.ParseUint(string(line[len(logTomb):]), 10, 32)
		rec = logRecord{uid: uint32(uid), tomb: true}
		if err != nil || uid == 0 || len(appendTomb(nil, rec.uid)) != end+1 {
			return rec, 0, "an expunge line is not as the lab writes it"
		}
		return rec, end + 1, ""
	}
	if !bytes.HasPrefix(line, []byte(logMagic)) {
		return rec, 0, "no record starts here"
	}
	f := bytes.Split(line[len(logMagic):], []byte{' '})
	if len(f) != 3 {
		return rec, 0, "a record's header has not three numbers"
	}
	uid, err1 := strconv.ParseUint(string(f[0]), 10, 32)
	size, err2 := strconv.ParseInt(string(f[1]), 10, 64)
	date, err3 := strconv.ParseInt(string(f[2]), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || uid == 0 || size < 0 {
		return rec, 0, "a record's header has a bad number"
	}
	// The header is rebuilt exactly as written, so that its length tells where
	// the raw bytes start even for a record read back for compaction.
	rec = logRecord{uid: uint32(uid), size: size, date: time.Unix(0, date)}
	if headerLen(rec) != end+1 {
		return rec, 0, "a record's header is not as the lab writes it"
	}
	return rec, end + 1, ""
}

func (b *mailbox) logPath() string { return filepath.Join(b.dir, logFile) }

// openLog opens the mailbox's message log for appending and reading, making it
// if needed.
func (b *mailbox) openLog() error {
	if b.log != nil {
		return nil
	}
	f, err := os.OpenFile(b.logPath(), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("mailstore: cannot open the messages of %q: %w", b.name, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("mailstore: cannot open the messages of %q: %w", b.name, err)
	}
	b.log, b.logEnd = f, fi.Size()
	return nil
}

// closeLog closes the message log, as a folder with an open file can be
// neither renamed nor removed on every system; it is opened again when needed.
func (b *mailbox) closeLog() {
	if b.log != nil {
		b.log.Close()
		b.log = nil
	}
}

// appendLog writes raw as the record of message uid, in one write, and returns
// where its raw bytes start. A write that fails is undone, so that a record cut
// short never hides the ones after it.
func (b *mailbox) appendLog(uid uint32, raw []byte, date time.Time) (int64, error) {
	if err := b.openLog(); err != nil {
		return 0, err
	}
	rec := make([]byte, 0, logHeaderMax+len(raw)+1)
	rec = appendLogHeader(rec, uid, len(raw), date)
	hl := len(rec)
	rec = append(rec, raw...)
	rec = append(rec, '\n')
	if _, err := b.log.Write(rec); err != nil {
		if terr := b.log.Truncate(b.logEnd); terr != nil {
			b.closeLog() // opened again, its end read anew
		}
		return 0, fmt.Errorf("mailstore: cannot store a message in %q: %w", b.name, err)
	}
	off := b.logEnd + int64(hl)
	b.logEnd += int64(len(rec))
	b.logLive += int64(len(rec))
	return off, nil
}

// readLog returns the raw bytes of m, a message in the log.
func (b *mailbox) readLog(m *msg) ([]byte, error) {
	if err := b.openLog(); err != nil {
		return nil, err
	}
	data := make([]byte, m.size)
	if _, err := b.log.ReadAt(data, m.off); err != nil {
		return nil, fmt.Errorf("mailstore: cannot read UID %d of %q: %w", m.uid, b.name, err)
	}
	return data, nil
}

// recordLen is about the length of the record of a message of size bytes, for
// counting what is live and what is expunged.
func recordLen(size int64) int64 { return size + logHeaderMax/2 }

// expunged notes in the log that the messages gone (just expunged, the index
// already written without them) are: a line each, and their bytes counted as
// bytes to reclaim. The log is rewritten without them when such bytes are many
// (compactMin) and more than the live ones. A failed write leaves the log as
// it was, the index saying what is gone.
func (b *mailbox) expunged(gone []*msg) {
	var tombs []byte
	for _, m := range gone {
		if m.off < 0 {
			continue
		}
		n := recordLen(m.size)
		b.logLive -= n
		b.logDead += n
		tombs = appendTomb(tombs, m.uid)
	}
	if len(tombs) == 0 {
		return
	}
	if b.logDead >= compactMin && b.logDead > b.logLive {
		if b.compactLog() == nil {
			return // the records are gone, and with them the need to say so
		}
	}
	if b.openLog() == nil {
		if _, err := b.log.Write(tombs); err != nil {
			if b.log.Truncate(b.logEnd) != nil {
				b.closeLog()
			}
			return
		}
		b.logEnd += int64(len(tombs))
	}
}

// compactLog rewrites the message log with only the records of the
// mailbox's messages: into a temporary file renamed over the log, so that a
// crash leaves the one or the other.
func (b *mailbox) compactLog() error {
	if err := b.openLog(); err != nil {
		return err
	}
	tmp := filepath.Join(b.dir, "."+logFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	offs := make([]int64, len(b.msgs))
	pos, live := int64(0), int64(0)
	var hdr [logHeaderMax]byte
	for i, m := range b.msgs {
		if m.off < 0 {
			continue
		}
		h := appendLogHeader(hdr[:0], m.uid, int(m.size), m.date)
		w.Write(h)
		if _, err = io.Copy(w, io.NewSectionReader(b.log, m.off, m.size)); err != nil {
			break
		}
		w.WriteByte('\n')
		offs[i] = pos + int64(len(h))
		pos += int64(len(h)) + m.size + 1
		live += recordLen(m.size)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		b.closeLog()
		err = os.Rename(tmp, b.logPath())
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	for i, m := range b.msgs {
		if m.off >= 0 {
			m.off = offs[i]
		}
	}
	b.logLive, b.logDead = live, 0
	return nil
}

// loadLog reads the records of the mailbox's message log. A log that stops
// being records somewhere (a disk that filled, a hand that edited it) keeps
// the records before; the rest is moved, unchanged, into a file of its own
// beside it (messages.log.damaged-<time>), so that no byte is lost and new
// messages follow the last good record.
func (b *mailbox) loadLog() ([]logRecord, error) {
	f, err := os.Open(b.logPath()) // read only: a store on a folder it may not write loads too
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mailstore: cannot read the messages of %q: %w", b.name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("mailstore: cannot read the messages of %q: %w", b.name, err)
	}
	recs, damage, err := scanLog(f, fi.Size())
	if err != nil || damage == nil {
		return recs, err
	}
	aside := fmt.Sprintf("%s.damaged-%d", b.logPath(), time.Now().UnixNano())
	out, err := os.OpenFile(aside, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, err = io.Copy(out, io.NewSectionReader(f, damage.at, fi.Size()-damage.at))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Truncate(b.logPath(), damage.at)
	}
	if err != nil {
		return nil, fmt.Errorf("mailstore: the messages of %q (%s) are damaged at byte %d: %s, and cannot be set aside (%v); no mail was changed", b.name, b.logPath(), damage.at, damage.reason, err)
	}
	return recs, nil
}
