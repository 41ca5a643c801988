package mailstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab/labdir"
)

const (
	indexFile    = "index.json"
	indexVersion = 1
	msgExt       = ".eml"
)

// index is the on-disk form of a mailbox's state.
type index struct {
	Version     int          `json:"version"`
	Name        string       `json:"name"`
	UIDValidity uint32       `json:"uidValidity"`
	UIDNext     uint32       `json:"uidNext"`
	Messages    []indexEntry `json:"messages"`
}

type indexEntry struct {
	UID   uint32    `json:"uid"`
	Flags []string  `json:"flags,omitempty"`
	Date  time.Time `json:"date"`
}

// escape turns a name into a safe folder name.
func escape(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func unescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// msgPath is the file of message uid in stores of earlier versions, which
// kept each message in a file of its own.
func (b *mailbox) msgPath(uid uint32) string {
	return filepath.Join(b.dir, strconv.FormatUint(uint64(uid), 10)+msgExt)
}

// writeIndex rewrites the mailbox's index atomically.
func (b *mailbox) writeIndex() error {
	ix := index{Version: indexVersion, Name: b.name, UIDValidity: b.uidValidity, UIDNext: b.uidNext,
		Messages: make([]indexEntry, len(b.msgs))}
	for i, m := range b.msgs {
		ix.Messages[i] = indexEntry{UID: m.uid, Flags: m.flags, Date: m.date}
	}
	data, err := json.MarshalIndent(ix, "", " ")
	if err != nil {
		return fmt.Errorf("mailstore: %w", err)
	}
	if err := labdir.WriteFile(filepath.Join(b.dir, indexFile), data, 0o600); err != nil {
		return fmt.Errorf("mailstore: cannot save the index of mailbox %q: %w", b.name, err)
	}
	return nil
}

// createLocked makes mailbox name for u, on disk and in memory.
func (s *Store) createLocked(u *user, name string) (*mailbox, error) {
	name = canon(name)
	if _, ok := u.boxes[name]; ok {
		return nil, fmt.Errorf("%w: %q", ErrExists, name)
	}
	b := &mailbox{name: name, dir: filepath.Join(u.dir, escape(name)), uidValidity: s.nextUIDValidity(), uidNext: 1}
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		return nil, fmt.Errorf("mailstore: cannot make mailbox %q: %w", name, err)
	}
	if err := b.writeIndex(); err != nil {
		return nil, err
	}
	u.boxes[name] = b
	return b, nil
}

// load reads every user's mailboxes from disk.
func (s *Store) load() error {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("mailstore: cannot read the mail folder: %w", err)
	}
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		local, err := unescape(e.Name())
		if err != nil {
			continue // not ours
		}
		u := &user{local: strings.ToLower(local), dir: filepath.Join(s.dir, e.Name()), boxes: map[string]*mailbox{}}
		boxes, err := os.ReadDir(u.dir)
		if err != nil {
			return fmt.Errorf("mailstore: cannot read %s: %w", u.dir, err)
		}
		for _, be := range boxes {
			if !be.IsDir() || strings.HasPrefix(be.Name(), ".") {
				continue
			}
			b, err := s.loadMailbox(filepath.Join(u.dir, be.Name()), be.Name())
			if err != nil {
				return err
			}
			if _, dup := u.boxes[b.name]; dup {
				return fmt.Errorf("mailstore: two folders hold mailbox %q of %s (one in %s): remove one", b.name, s.addr(u.local), b.dir)
			}
			u.boxes[b.name] = b
		}
		s.users[u.local] = u
		if _, ok := u.boxes[Inbox]; !ok {
			if _, err := s.createLocked(u, Inbox); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadMailbox reads one mailbox folder: its index, its message log, then the
// message files of earlier versions. Messages delivered after the index was
// last written (UID ≥ the index's UIDNEXT) get the flags of new mail; messages
// expunged just before a crash (UID below UIDNEXT but not in the index) are
// left out, their files removed and their records reclaimed with the others.
func (s *Store) loadMailbox(dir, folder string) (*mailbox, error) {
	b := &mailbox{dir: dir}
	ixPath := filepath.Join(dir, indexFile)
	data, err := os.ReadFile(ixPath)
	var ix index
	switch {
	case errors.Is(err, fs.ErrNotExist):
		name, uerr := unescape(folder)
		if uerr != nil {
			return nil, fmt.Errorf("mailstore: folder %s is no mailbox: %v", dir, uerr)
		}
		ix = index{Version: indexVersion, Name: name, UIDValidity: s.nextUIDValidity(), UIDNext: 1}
	case err != nil:
		return nil, fmt.Errorf("mailstore: cannot read the index %s: %w", ixPath, err)
	default:
		if err := json.Unmarshal(data, &ix); err != nil {
			return nil, fmt.Errorf("mailstore: the mailbox index %s is damaged (%v); no mail was changed — repair the file or move it aside, and the mailbox is rebuilt from its messages with new UIDs", ixPath, err)
		}
		if ix.Version != indexVersion || ix.Name == "" || ix.UIDValidity == 0 || ix.UIDNext == 0 {
			return nil, fmt.Errorf("mailstore: the mailbox index %s is damaged or of another version (version %d, name %q, UIDVALIDITY %d, UIDNEXT %d); no mail was changed — move it aside and the mailbox is rebuilt from its messages with new UIDs",
				ixPath, ix.Version, ix.Name, ix.UIDValidity, ix.UIDNext)
		}
	}
	b.name, b.uidValidity, b.uidNext = canon(ix.Name), ix.UIDValidity, ix.UIDNext
	if b.uidValidity > s.lastUV {
		s.lastUV = b.uidValidity
	}
	known := make(map[uint32]indexEntry, len(ix.Messages))
	for _, e := range ix.Messages {
		known[e.UID] = e
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("mailstore: cannot read %s: %w", dir, err)
	}
	dirty := false
	recs, err := b.loadLog()
	if err != nil {
		return nil, err
	}
	tombs := map[uint32]bool{}
	for _, r := range recs {
		if r.tomb {
			tombs[r.uid] = true
		}
	}
	// present says whether a message found on disk is one of the mailbox's:
	// in the index, or delivered after it was last written; the others were
	// expunged (the log says so, or the index does: their records not yet
	// reclaimed, their files left by a crash).
	present := func(uid uint32, date time.Time) (*msg, bool) {
		m := &msg{uid: uid, date: date}
		if tombs[uid] {
			return nil, false
		}
		if e, ok := known[uid]; ok {
			m.flags, m.date = e.Flags, e.Date
		} else if uid >= ix.UIDNext || len(data) == 0 {
			m.flags = []string{FlagRecent}
			dirty = true
		} else {
			return nil, false
		}
		if uid >= b.uidNext {
			b.uidNext = uid + 1
		}
		return m, true
	}
	inLog := make(map[uint32]bool, len(recs))
	for _, r := range recs {
		if r.tomb {
			continue
		}
		if r.uid >= b.uidNext {
			b.uidNext = r.uid + 1 // never a UID the log holds again, gone or not
		}
		m, ok := present(r.uid, r.date)
		if !ok {
			b.logDead += recordLen(r.size)
			continue
		}
		m.off, m.size = r.off, r.size
		b.msgs = append(b.msgs, m)
		b.logLive += recordLen(m.size)
		inLog[r.uid] = true
	}
	for _, f := range files {
		n := f.Name()
		if strings.HasPrefix(n, ".") {
			if strings.HasSuffix(n, ".tmp") || strings.Contains(n, ".tmp") {
				os.Remove(filepath.Join(dir, n)) // an interrupted write
			}
			continue
		}
		if !strings.HasSuffix(n, msgExt) {
			continue
		}
		v, err := strconv.ParseUint(strings.TrimSuffix(n, msgExt), 10, 32)
		if err != nil || v == 0 || inLog[uint32(v)] {
			continue // not a message file, or one the log holds too (left as it is)
		}
		info, err := f.Info()
		if err != nil {
			return nil, fmt.Errorf("mailstore: %w", err)
		}
		m, ok := present(uint32(v), info.ModTime())
		if !ok {
			os.Remove(filepath.Join(dir, n)) // expunged just before a crash
			continue
		}
		m.off, m.size = -1, info.Size()
		b.msgs = append(b.msgs, m)
	}
	slices.SortFunc(b.msgs, func(x, y *msg) int { return cmpUID(x.uid, y.uid) })
	if len(b.msgs) != len(ix.Messages) {
		dirty = true // messages vanished from disk, or new ones arrived
	}
	if dirty || len(data) == 0 {
		if err := b.writeIndex(); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func cmpUID(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
