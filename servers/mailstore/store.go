// Package mailstore keeps the mail of one lab mail domain (alpha.test, beta.test):
// its accounts, each user's mailboxes (INBOX, Sent, Trash and any the user makes),
// and in them the messages with their UIDs and flags in the sense of RFC 3501
// (IMAP4rev1) §2.3.1. The SMTP server delivers into it, and the POP3 and IMAP
// servers read and change the same messages, so a message deleted through POP3
// is gone from IMAP too.
//
// A Store is kept in a folder and survives a restart:
//
//	<dir>/<user>/<mailbox>/index.json    UIDVALIDITY, UIDNEXT, each message's flags and date
//	<dir>/<user>/<mailbox>/messages.log  the messages' raw RFC 5322 bytes, one record each
//
// A message is appended to messages.log as a record "PLM <uid> <size> <date in
// Unix ns>\n", its raw bytes and "\n", and never changed afterwards; an expunge
// appends "PLX <uid>\n", and the records of expunged messages are reclaimed when
// they outweigh the rest. (Stores of
// earlier versions kept each message in a file <uid>.eml; those files are still
// read, and removed when their message is expunged.) The index is rewritten
// atomically (labdir.WriteFile) whenever flags, UIDs or the set of messages
// change, except on Deliver: a newly delivered message is found at Open by its
// record (its UID is at or above the index's UIDNEXT) and gets the flags of a new
// message, \Recent. So delivery costs one write to an open file and no fsync, and
// a crash loses no delivered message. A damaged index stops Open with an error
// naming the file, rather than losing mail silently; a damaged message log keeps
// its good records and moves the rest aside, unchanged.
//
// Mailbox names use "/" as the hierarchy delimiter; "INBOX" is case-insensitive.
// Folder names are the mailbox names with every byte outside [A-Za-z0-9_-]
// percent-encoded, so any name is safe on disk.
//
// The servers of one domain must share one Store: they get it with
// Default(data, "alpha.test") (in the lab's data folder) or Shared(dir, domain), which
// return the same *Store to every caller in the process. Open is for tests and
// tools that own the folder alone.
//
// A Store is safe for concurrent use by several goroutines.
package mailstore

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Errors returned by the Store; test with errors.Is.
var (
	ErrAuth          = errors.New("mailstore: wrong user name or password")
	ErrNoSuchUser    = errors.New("mailstore: no such user")
	ErrNoSuchMailbox = errors.New("mailstore: no such mailbox")
	ErrExists        = errors.New("mailstore: the mailbox already exists")
	ErrNoSuchMessage = errors.New("mailstore: no such message")
	ErrInbox         = errors.New("mailstore: INBOX cannot be deleted")
)

// Inbox is the name of every user's incoming mailbox.
const Inbox = "INBOX"

// Delimiter separates the levels of a mailbox name ("Archive/2025").
const Delimiter = "/"

// Mailboxes made for a user at the first successful login, besides INBOX.
var defaultMailboxes = []string{"Sent", "Trash"}

// System flags of RFC 3501 §2.3.2.
const (
	FlagSeen     = `\Seen`
	FlagAnswered = `\Answered`
	FlagFlagged  = `\Flagged`
	FlagDeleted  = `\Deleted`
	FlagDraft    = `\Draft`
	FlagRecent   = `\Recent`
)

// Account is one mail user of the domain.
type Account struct {
	User     string // the local part, "alice"
	Password string
}

// Message describes one stored message.
type Message struct {
	UID   uint32
	Flags []string
	Date  time.Time // the internal date: when it was delivered or appended
	Size  int64     // the size of its raw bytes
}

// MailboxInfo describes one mailbox.
type MailboxInfo struct {
	Name        string
	UIDValidity uint32
	UIDNext     uint32
	Messages    int
	Unseen      int // messages without \Seen
}

// FlagOp says how StoreFlags changes flags.
type FlagOp int

const (
	FlagsSet    FlagOp = iota // replace the flags
	FlagsAdd                  // add to the flags
	FlagsRemove               // remove from the flags
)

// ChangeKind says what a Change is.
type ChangeKind int

const (
	Added        ChangeKind = iota // a message arrived (Deliver, Append, Copy, Move)
	Expunged                       // a message was removed (Expunge, Move)
	FlagsChanged                   // a message's flags changed (StoreFlags); Flags holds the new ones
)

func (k ChangeKind) String() string {
	switch k {
	case Added:
		return "added"
	case Expunged:
		return "expunged"
	case FlagsChanged:
		return "flags changed"
	}
	return fmt.Sprintf("ChangeKind(%d)", int(k))
}

// Change is one change to a user's mail, as Watch reports it.
type Change struct {
	Kind    ChangeKind
	User    string // "alice@alpha.test"
	Mailbox string
	UID     uint32
	Flags   []string // the message's flags after the change (Added, FlagsChanged)
}

// watchBuffer is how many changes a watcher may fall behind before it loses some.
const watchBuffer = 256

type watcher struct {
	user string // "" watches every user
	ch   chan Change
}

// Store is the mail of one domain. Its methods take users as full addresses
// ("alice@alpha.test"), as Authenticate returns them.
type Store struct {
	dir    string
	domain string

	mu       sync.Mutex
	accounts []Account
	users    map[string]*user // by lower-case local part
	watchers map[*watcher]struct{}
	lastUV   uint32
}

type user struct {
	local string
	dir   string
	boxes map[string]*mailbox // by name
}

type mailbox struct {
	name        string
	dir         string
	uidValidity uint32
	uidNext     uint32
	msgs        []*msg // sorted by UID

	log              *os.File // the message log, open once used (msglog.go)
	logEnd           int64    // its size
	logLive, logDead int64    // about how many of its bytes hold messages, and expunged ones
}

type msg struct {
	uid   uint32
	flags []string
	date  time.Time
	size  int64
	off   int64 // where its raw bytes start in the message log; -1: a file of its own
}

// Open loads the store kept in dir, making the folder if it is missing, for the
// mail domain domain ("alpha.test").
func Open(dir, domain string) (*Store, error) {
	domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	if domain == "" {
		return nil, errors.New("mailstore: no mail domain given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mailstore: cannot make the mail folder: %w", err)
	}
	s := &Store{dir: dir, domain: domain, users: map[string]*user{}, watchers: map[*watcher]struct{}{}}
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir is the folder the store is kept in.
func (s *Store) Dir() string { return s.dir }

// Domain is the store's mail domain, lower case.
func (s *Store) Domain() string { return s.domain }

// SetAccounts replaces the domain's accounts. Mail of a user whose account is
// removed stays on disk and returns with the account.
func (s *Store) SetAccounts(a []Account) {
	c := make([]Account, 0, len(a))
	for _, acc := range a {
		acc.User = strings.TrimSpace(acc.User)
		if acc.User == "" {
			continue
		}
		c = append(c, acc)
	}
	s.mu.Lock()
	s.accounts = c
	s.mu.Unlock()
}

// Accounts returns a copy of the domain's accounts.
func (s *Store) Accounts() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.accounts)
}

// local returns the lower-case local part of addr ("alice" or
// "alice@alpha.test"), or false if addr names another domain.
func (s *Store) local(addr string) (string, bool) {
	addr = strings.TrimSpace(addr)
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "<"), ">")
	l, d, found := strings.Cut(addr, "@")
	if found && !strings.EqualFold(strings.TrimSuffix(d, "."), s.domain) {
		return "", false
	}
	if l == "" {
		return "", false
	}
	return strings.ToLower(l), true
}

func (s *Store) addr(local string) string { return local + "@" + s.domain }

func (s *Store) account(local string) (Account, bool) {
	for _, a := range s.accounts {
		if strings.EqualFold(a.User, local) {
			return a, true
		}
	}
	return Account{}, false
}

// Authenticate checks a user's password; user may be "alice" or
// "alice@alpha.test". It returns the user's full address, or ErrAuth. At a
// user's first login it makes the mailboxes Sent and Trash.
func (s *Store) Authenticate(name, pass string) (addr string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	local, ok := s.local(name)
	if !ok {
		return "", ErrAuth
	}
	a, ok := s.account(local)
	if !ok || a.Password == "" || subtle.ConstantTimeCompare([]byte(a.Password), []byte(pass)) != 1 {
		return "", ErrAuth
	}
	u, err := s.userLocked(local)
	if err != nil {
		return "", err
	}
	if err := s.firstLogin(u); err != nil {
		return "", err
	}
	return s.addr(local), nil
}

// HasUser reports whether addr ("alice@alpha.test") is an account of this domain.
func (s *Store) HasUser(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	local, ok := s.local(addr)
	if !ok {
		return false
	}
	_, ok = s.account(local)
	return ok
}

// userLocked returns the user's mail, making its folder and INBOX if needed.
func (s *Store) userLocked(local string) (*user, error) {
	if u, ok := s.users[local]; ok {
		return u, nil
	}
	u := &user{local: local, dir: filepath.Join(s.dir, escape(local)), boxes: map[string]*mailbox{}}
	if err := os.MkdirAll(u.dir, 0o700); err != nil {
		return nil, fmt.Errorf("mailstore: cannot make the folder of %s: %w", s.addr(local), err)
	}
	s.users[local] = u
	if _, err := s.createLocked(u, Inbox); err != nil {
		return nil, err
	}
	return u, nil
}

// userOf finds the mail of the user with address addr.
func (s *Store) userOf(addr string) (*user, error) {
	local, ok := s.local(addr)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not in %s", ErrNoSuchUser, addr, s.domain)
	}
	return s.userLocked(local)
}

func (s *Store) boxOf(addr, name string) (*user, *mailbox, error) {
	u, err := s.userOf(addr)
	if err != nil {
		return nil, nil, err
	}
	b, ok := u.boxes[canon(name)]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q", ErrNoSuchMailbox, name)
	}
	return u, b, nil
}

const firstLoginMark = ".mailboxes-made"

func (s *Store) firstLogin(u *user) error {
	mark := filepath.Join(u.dir, firstLoginMark)
	if _, err := os.Stat(mark); err == nil {
		return nil
	}
	for _, name := range defaultMailboxes {
		if _, ok := u.boxes[name]; ok {
			continue
		}
		if _, err := s.createLocked(u, name); err != nil {
			return err
		}
	}
	if err := os.WriteFile(mark, nil, 0o600); err != nil {
		return fmt.Errorf("mailstore: %w", err)
	}
	return nil
}

// canon returns the mailbox name as stored: INBOX in upper case, the rest as given.
func canon(name string) string {
	if strings.EqualFold(name, Inbox) {
		return Inbox
	}
	return name
}

// nextUIDValidity returns a UIDVALIDITY never used before by this store (in
// this run), based on the clock so that a re-made mailbox gets a new one.
func (s *Store) nextUIDValidity() uint32 {
	v := uint32(time.Now().Unix())
	if v <= s.lastUV {
		v = s.lastUV + 1
	}
	s.lastUV = v
	return v
}
