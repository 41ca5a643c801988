package mailstore

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Mailboxes lists the user's mailboxes, sorted by name with INBOX first. INBOX
// always exists.
func (s *Store) Mailboxes(user string) ([]MailboxInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userOf(user)
	if err != nil {
		return nil, err
	}
	out := make([]MailboxInfo, 0, len(u.boxes))
	for _, b := range u.boxes {
		out = append(out, b.info())
	}
	slices.SortFunc(out, func(a, b MailboxInfo) int {
		switch {
		case a.Name == b.Name:
			return 0
		case a.Name == Inbox:
			return -1
		case b.Name == Inbox:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

func (b *mailbox) info() MailboxInfo {
	i := MailboxInfo{Name: b.name, UIDValidity: b.uidValidity, UIDNext: b.uidNext, Messages: len(b.msgs)}
	for _, m := range b.msgs {
		if !hasFlag(m.flags, FlagSeen) {
			i.Unseen++
		}
	}
	return i
}

func validName(name string) error {
	if name == "" || strings.HasPrefix(name, Delimiter) || strings.HasSuffix(name, Delimiter) || strings.Contains(name, Delimiter+Delimiter) {
		return fmt.Errorf("mailstore: %q is not a mailbox name", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("mailstore: %q is not a mailbox name (control characters)", name)
		}
	}
	return nil
}

// CreateMailbox makes a mailbox; ErrExists if it exists.
func (s *Store) CreateMailbox(user, name string) error {
	if err := validName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userOf(user)
	if err != nil {
		return err
	}
	_, err = s.createLocked(u, name)
	return err
}

// DeleteMailbox removes a mailbox and its messages. INBOX cannot be deleted.
// Mailboxes below it ("name/child") stay.
func (s *Store) DeleteMailbox(user, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, b, err := s.boxOf(user, name)
	if err != nil {
		return err
	}
	if b.name == Inbox {
		return ErrInbox
	}
	// Rename the folder aside first, so that a failure half-way never leaves a
	// mailbox with some of its messages.
	gone := filepath.Join(u.dir, ".deleted-"+escape(b.name))
	os.RemoveAll(gone)
	b.closeLog()
	if err := os.Rename(b.dir, gone); err != nil {
		return fmt.Errorf("mailstore: cannot delete mailbox %q: %w", b.name, err)
	}
	delete(u.boxes, b.name)
	uids := make([]uint32, len(b.msgs))
	for i, m := range b.msgs {
		uids[i] = m.uid
	}
	os.RemoveAll(gone)
	for _, uid := range uids {
		s.notify(Change{Kind: Expunged, User: s.addr(u.local), Mailbox: b.name, UID: uid})
	}
	return nil
}

// RenameMailbox renames a mailbox and the mailboxes below it ("from/child").
// Renaming INBOX moves its messages into a new mailbox and leaves INBOX empty,
// as RFC 3501 §6.3.5 says.
func (s *Store) RenameMailbox(user, from, to string) error {
	if err := validName(to); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, b, err := s.boxOf(user, from)
	if err != nil {
		return err
	}
	to = canon(to)
	if _, ok := u.boxes[to]; ok {
		return fmt.Errorf("%w: %q", ErrExists, to)
	}
	if b.name == Inbox {
		uids := make([]uint32, len(b.msgs))
		for i, m := range b.msgs {
			uids[i] = m.uid
		}
		nb, err := s.createLocked(u, to)
		if err != nil {
			return err
		}
		_, err = s.moveLocked(u, b, uids, nb)
		return err
	}
	// Children first are collected, then each folder renamed.
	type pair struct {
		b  *mailbox
		to string
	}
	renames := []pair{{b, to}}
	for name, c := range u.boxes {
		if strings.HasPrefix(name, b.name+Delimiter) {
			nn := to + strings.TrimPrefix(name, b.name)
			if _, ok := u.boxes[nn]; ok {
				return fmt.Errorf("%w: %q", ErrExists, nn)
			}
			renames = append(renames, pair{c, nn})
		}
	}
	for _, r := range renames {
		dir := filepath.Join(u.dir, escape(r.to))
		r.b.closeLog()
		if err := os.Rename(r.b.dir, dir); err != nil {
			return fmt.Errorf("mailstore: cannot rename mailbox %q: %w", r.b.name, err)
		}
		delete(u.boxes, r.b.name)
		r.b.name, r.b.dir = r.to, dir
		u.boxes[r.to] = r.b
		if err := r.b.writeIndex(); err != nil {
			return err
		}
	}
	return nil
}

// Status describes one mailbox.
func (s *Store) Status(user, mailbox string) (MailboxInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, b, err := s.boxOf(user, mailbox)
	if err != nil {
		return MailboxInfo{}, err
	}
	return b.info(), nil
}
