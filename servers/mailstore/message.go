package mailstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"
)

func (m *msg) export() Message {
	return Message{UID: m.uid, Flags: slices.Clone(m.flags), Date: m.date, Size: m.size}
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if strings.EqualFold(x, f) {
			return true
		}
	}
	return false
}

// cleanFlags drops empty and repeated flags (flags compare case-insensitively).
func cleanFlags(flags []string) []string {
	var out []string
	for _, f := range flags {
		f = strings.TrimSpace(f)
		if f != "" && !hasFlag(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func (b *mailbox) find(uid uint32) (int, bool) {
	return slices.BinarySearchFunc(b.msgs, uid, func(m *msg, uid uint32) int { return cmpUID(m.uid, uid) })
}

// Deliver puts raw into the INBOX of rcpt ("bob@beta.test") as a new message
// with the flag \Recent. It returns ErrNoSuchUser if rcpt has no account here.
func (s *Store) Deliver(rcpt string, raw []byte) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	local, ok := s.local(rcpt)
	if !ok {
		return Message{}, fmt.Errorf("%w: %s is not in %s", ErrNoSuchUser, rcpt, s.domain)
	}
	if _, ok := s.account(local); !ok {
		return Message{}, fmt.Errorf("%w: %s", ErrNoSuchUser, rcpt)
	}
	u, err := s.userLocked(local)
	if err != nil {
		return Message{}, err
	}
	b := u.boxes[Inbox]
	m, err := s.addLocked(u, b, raw, []string{FlagRecent}, time.Now(), false)
	if err != nil {
		return Message{}, err
	}
	return m.export(), nil
}

// addLocked stores raw as the next message of b and reports it; the index is
// rewritten only if writeIndex is set (Deliver relies on Open finding the record).
func (s *Store) addLocked(u *user, b *mailbox, raw []byte, flags []string, date time.Time, writeIndex bool) (*msg, error) {
	uid := b.uidNext
	off, err := b.appendLog(uid, raw, date)
	if err != nil {
		return nil, err
	}
	b.uidNext++
	m := &msg{uid: uid, flags: flags, date: date, size: int64(len(raw)), off: off}
	b.msgs = append(b.msgs, m)
	if writeIndex {
		if err := b.writeIndex(); err != nil {
			return nil, err
		}
	}
	s.notify(Change{Kind: Added, User: s.addr(u.local), Mailbox: b.name, UID: uid, Flags: slices.Clone(flags)})
	return m, nil
}

// Append stores raw in a mailbox with the given flags and internal date (the
// zero time means now), as IMAP APPEND and a client's "Sent" copy do.
func (s *Store) Append(user, mailbox string, raw []byte, flags []string, date time.Time) (Message, error) {
	if date.IsZero() {
		date = time.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, b, err := s.boxOf(user, mailbox)
	if err != nil {
		return Message{}, err
	}
	m, err := s.addLocked(u, b, raw, cleanFlags(flags), date, true)
	if err != nil {
		return Message{}, err
	}
	return m.export(), nil
}

// List returns a mailbox's messages, sorted by UID.
func (s *Store) List(user, mailbox string) ([]Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, b, err := s.boxOf(user, mailbox)
	if err != nil {
		return nil, err
	}
	out := make([]Message, len(b.msgs))
	for i, m := range b.msgs {
		out[i] = m.export()
	}
	return out, nil
}

// Fetch returns the raw RFC 5322 bytes of a message; ErrNoSuchMessage if the
// mailbox holds no message uid.
func (s *Store) Fetch(user, mailbox string, uid uint32) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, b, err := s.boxOf(user, mailbox)
	if err != nil {
		return nil, err
	}
	i, ok := b.find(uid)
	if !ok {
		return nil, fmt.Errorf("%w: UID %d in %q", ErrNoSuchMessage, uid, b.name)
	}
	return b.read(b.msgs[i])
}

// read returns the raw bytes of m, from the log or from its file.
func (b *mailbox) read(m *msg) ([]byte, error) {
	if m.off >= 0 {
		return b.readLog(m)
	}
	data, err := os.ReadFile(b.msgPath(m.uid))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: UID %d in %q (its file %s is gone)", ErrNoSuchMessage, m.uid, b.name, b.msgPath(m.uid))
	}
	if err != nil {
		return nil, fmt.Errorf("mailstore: %w", err)
	}
	return data, nil
}

// StoreFlags changes the flags of the messages uids (UIDs not in the mailbox
// are skipped) and returns those messages as they are now.
func (s *Store) StoreFlags(user, mailbox string, uids []uint32, op FlagOp, flags []string) ([]Message, error) {
	flags = cleanFlags(flags)
	s.mu.Lock()
	defer s.mu.Unlock()
	u, b, err := s.boxOf(user, mailbox)
	if err != nil {
		return nil, err
	}
	var out []Message
	var changed []*msg
	for _, uid := range uids {
		i, ok := b.find(uid)
		if !ok {
			continue
		}
		m := b.msgs[i]
		var nf []string
		switch op {
		case FlagsSet:
			nf = slices.Clone(flags)
		case FlagsAdd:
			nf = cleanFlags(append(slices.Clone(m.flags), flags...))
		case FlagsRemove:
			for _, f := range m.flags {
				if !hasFlag(flags, f) {
					nf = append(nf, f)
				}
			}
		default:
			return nil, fmt.Errorf("mailstore: unknown flag operation %d", op)
		}
		if !sameFlags(m.flags, nf) {
			m.flags = nf
			changed = append(changed, m)
		}
		out = append(out, m.export())
	}
	if len(changed) > 0 {
		if err := b.writeIndex(); err != nil {
			return nil, err
		}
		for _, m := range changed {
			s.notify(Change{Kind: FlagsChanged, User: s.addr(u.local), Mailbox: b.name, UID: m.uid, Flags: slices.Clone(m.flags)})
		}
	}
	return out, nil
}

func sameFlags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, f := range a {
		if !hasFlag(b, f) {
			return false
		}
	}
	return true
}

// Expunge removes the messages uids from the mailbox now (UIDs not in it are
// skipped). POP3 calls it at QUIT, IMAP at EXPUNGE.
func (s *Store) Expunge(user, mailbox string, uids []uint32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, b, err := s.boxOf(user, mailbox)
	if err != nil {
		return err
	}
	return s.expungeLocked(u, b, uids)
}

func (s *Store) expungeLocked(u *user, b *mailbox, uids []uint32) error {
	drop := make(map[uint32]bool, len(uids))
	for _, uid := range uids {
		if _, ok := b.find(uid); ok {
			drop[uid] = true
		}
	}
	if len(drop) == 0 {
		return nil
	}
	old := b.msgs
	b.msgs = slices.DeleteFunc(slices.Clone(b.msgs), func(m *msg) bool { return drop[m.uid] })
	// The index forgets the messages first; a record or file left by a crash
	// after this is recognised at Open (its UID is below UIDNEXT).
	if err := b.writeIndex(); err != nil {
		b.msgs = old
		return err
	}
	var gone []*msg
	for _, m := range old {
		if drop[m.uid] {
			if m.off < 0 {
				os.Remove(b.msgPath(m.uid))
			}
			gone = append(gone, m)
			s.notify(Change{Kind: Expunged, User: s.addr(u.local), Mailbox: b.name, UID: m.uid})
		}
	}
	b.expunged(gone)
	return nil
}

// Copy copies the messages uids of mailbox from into mailbox to, keeping their
// flags and dates and adding \Recent (RFC 3501 §6.4.7). It returns the new UIDs
// in the order of uids (UIDs not in from are skipped).
func (s *Store) Copy(user, from string, uids []uint32, to string) (newUIDs []uint32, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, src, err := s.boxOf(user, from)
	if err != nil {
		return nil, err
	}
	_, dst, err := s.boxOf(user, to)
	if err != nil {
		return nil, err
	}
	return s.copyLocked(u, src, uids, dst)
}

func (s *Store) copyLocked(u *user, src *mailbox, uids []uint32, dst *mailbox) ([]uint32, error) {
	var out []uint32
	var added []*msg
	var failed error
	for _, uid := range uids {
		i, ok := src.find(uid)
		if !ok {
			continue
		}
		m := src.msgs[i]
		nuid := dst.uidNext
		raw, err := src.read(m)
		var off int64
		if err == nil {
			off, err = dst.appendLog(nuid, raw, m.date)
		}
		if err != nil {
			// The messages copied so far stay copied, and are reported.
			failed = fmt.Errorf("mailstore: cannot copy a message to %q: %w", dst.name, err)
			break
		}
		dst.uidNext++
		nm := &msg{uid: nuid, flags: cleanFlags(append(slices.Clone(m.flags), FlagRecent)), date: m.date, size: m.size, off: off}
		added = append(added, nm)
		out = append(out, nuid)
	}
	dst.msgs = append(dst.msgs, added...)
	if len(added) > 0 {
		if err := dst.writeIndex(); err != nil {
			return out, err
		}
	}
	for _, m := range added {
		s.notify(Change{Kind: Added, User: s.addr(u.local), Mailbox: dst.name, UID: m.uid, Flags: slices.Clone(m.flags)})
	}
	return out, failed
}

// Move moves the messages uids of mailbox from into mailbox to, like Copy and
// then Expunge in from.
func (s *Store) Move(user, from string, uids []uint32, to string) (newUIDs []uint32, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, src, err := s.boxOf(user, from)
	if err != nil {
		return nil, err
	}
	_, dst, err := s.boxOf(user, to)
	if err != nil {
		return nil, err
	}
	return s.moveLocked(u, src, uids, dst)
}

func (s *Store) moveLocked(u *user, src *mailbox, uids []uint32, dst *mailbox) ([]uint32, error) {
	var moved []uint32
	for _, uid := range uids {
		if _, ok := src.find(uid); ok {
			moved = append(moved, uid)
		}
	}
	out, err := s.copyLocked(u, src, moved, dst)
	if err != nil {
		return out, err
	}
	if src == dst {
		return out, nil
	}
	return out, s.expungeLocked(u, src, moved)
}
