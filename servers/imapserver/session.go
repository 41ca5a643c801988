package imapserver

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	goimapserver "github.com/emersion/go-imap/v2/imapserver"

	"github.com/protocollab/protolab/servers/mailstore"
)

// session is one connection's IMAP session over the store. go-imap calls its
// methods from the connection's goroutine, one at a time; Idle runs on another
// goroutine while that one only waits for DONE, so nothing here needs a lock.
type session struct {
	srv  *Server
	conn *goimapserver.Conn

	store     *mailstore.Store // after login
	user      string           // "alice@alpha.test", after login
	watch     <-chan mailstore.Change
	stopWatch func()

	mailbox  string    // the selected mailbox, "" for none
	readOnly bool      // selected with EXAMINE
	view     []viewMsg // the client's view: sequence number i+1 is view[i]
}

// viewMsg is one message as this session's client knows it.
type viewMsg struct {
	uid   uint32
	flags []string // as last reported to the client
}

var (
	_ goimapserver.SessionIMAP4rev2   = (*session)(nil)
	_ goimapserver.SessionAppendLimit = (*session)(nil)
)

func (s *session) Close() error {
	if s.stopWatch != nil {
		s.stopWatch()
	}
	s.srv.ended(s)
	return nil
}

// Login tries user and password against each store: the one of the address's
// domain when user has one, else every store in turn.
func (s *session) Login(username, password string) error {
	for _, st := range s.srv.Stores {
		if _, domain, ok := strings.Cut(username, "@"); ok && !strings.EqualFold(domain, st.Domain()) {
			continue
		}
		addr, err := st.Authenticate(username, password)
		if errors.Is(err, mailstore.ErrAuth) {
			continue
		}
		if err != nil {
			return fmt.Errorf("imapserver: %w", err)
		}
		s.srv.guard.Succeed(s.conn.NetConn().RemoteAddr())
		s.store, s.user = st, addr
		s.watch, s.stopWatch = st.Watch(addr)
		return nil
	}
	if s.srv.Log != nil {
		s.srv.Log.Printf("imapserver: failed login for %q from %v", username, s.conn.NetConn().RemoteAddr())
	}
	s.srv.guard.FailConn(s.srv.done, s.conn.NetConn())
	return goimapserver.ErrAuthFailed
}

func (s *session) AppendLimit() uint32 {
	if s.srv.AppendLimit > 0 {
		return s.srv.AppendLimit
	}
	return DefaultAppendLimit
}

// storeErr turns a store error into the IMAP response a client understands.
func storeErr(err error, mailbox string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mailstore.ErrNoSuchMailbox):
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeNonExistent, Text: fmt.Sprintf("No mailbox %q", mailbox)}
	case errors.Is(err, mailstore.ErrExists):
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAlreadyExists, Text: fmt.Sprintf("The mailbox %q already exists", mailbox)}
	case errors.Is(err, mailstore.ErrInbox):
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "INBOX cannot be deleted"}
	}
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeServerBug, Text: err.Error()}
}

// tryCreate is the answer to a COPY, MOVE or APPEND into a missing mailbox.
func tryCreate(err error, mailbox string) error {
	if errors.Is(err, mailstore.ErrNoSuchMailbox) {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeTryCreate, Text: fmt.Sprintf("No mailbox %q; create it first", mailbox)}
	}
	return storeErr(err, mailbox)
}

// imapFlags converts the store's flags for IMAP, leaving out \Recent.
func imapFlags(flags []string) []imap.Flag {
	out := make([]imap.Flag, 0, len(flags))
	for _, f := range flags {
		if !strings.EqualFold(f, mailstore.FlagRecent) {
			out = append(out, imap.Flag(f))
		}
	}
	return out
}

// storeFlags converts IMAP flags for the store, leaving out \Recent, which
// clients may not set.
func storeFlags(flags []imap.Flag) []string {
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		if !strings.EqualFold(string(f), mailstore.FlagRecent) {
			out = append(out, string(f))
		}
	}
	return out
}

// sameFlags reports whether a and b hold the same flags, \Recent aside.
func sameFlags(a, b []string) bool {
	fa, fb := imapFlags(a), imapFlags(b)
	if len(fa) != len(fb) {
		return false
	}
	for _, f := range fa {
		if !slices.ContainsFunc(fb, func(g imap.Flag) bool { return strings.EqualFold(string(f), string(g)) }) {
			return false
		}
	}
	return true
}

func hasFlag(flags []string, f string) bool {
	return slices.ContainsFunc(flags, func(g string) bool { return strings.EqualFold(f, g) })
}

// systemFlags are the flags every mailbox knows.
var systemFlags = []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft}

func (s *session) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	s.Unselect()
	info, err := s.store.Status(s.user, name)
	if err != nil {
		return nil, storeErr(err, name)
	}
	msgs, err := s.store.List(s.user, name)
	if err != nil {
		return nil, storeErr(err, name)
	}
	s.mailbox, s.readOnly = info.Name, options != nil && options.ReadOnly
	s.view = make([]viewMsg, len(msgs))
	data := &imap.SelectData{
		Flags:          systemFlags,
		PermanentFlags: append(slices.Clone(systemFlags), imap.FlagWildcard),
		NumMessages:    uint32(len(msgs)),
		UIDNext:        imap.UID(info.UIDNext),
		UIDValidity:    info.UIDValidity,
	}
	if s.readOnly {
		data.PermanentFlags = nil
	}
	for i, m := range msgs {
		s.view[i] = viewMsg{uid: m.UID, flags: m.Flags}
		if data.FirstUnseenSeqNum == 0 && !hasFlag(m.Flags, mailstore.FlagSeen) {
			data.FirstUnseenSeqNum = uint32(i + 1)
		}
	}
	return data, nil
}

func (s *session) Unselect() error {
	s.mailbox, s.readOnly, s.view = "", false, nil
	return nil
}

func (s *session) Create(mailbox string, options *imap.CreateOptions) error {
	return storeErr(s.store.CreateMailbox(s.user, strings.TrimSuffix(mailbox, mailstore.Delimiter)), mailbox)
}

func (s *session) Delete(mailbox string) error {
	if err := s.store.DeleteMailbox(s.user, mailbox); err != nil {
		return storeErr(err, mailbox)
	}
	if strings.EqualFold(mailbox, s.mailbox) {
		s.Unselect()
	}
	return nil
}

func (s *session) Rename(mailbox, newName string, options *imap.RenameOptions) error {
	if err := s.store.RenameMailbox(s.user, mailbox, newName); err != nil {
		if errors.Is(err, mailstore.ErrExists) {
			return storeErr(err, newName)
		}
		return storeErr(err, mailbox)
	}
	if mailbox == s.mailbox {
		s.mailbox = newName
	}
	return nil
}

// Subscriptions are not kept: every mailbox counts as subscribed.
func (s *session) Subscribe(mailbox string) error {
	_, err := s.store.Status(s.user, mailbox)
	return storeErr(err, mailbox)
}

func (s *session) Unsubscribe(mailbox string) error { return nil }

// specialUse gives the lab's default mailboxes their SPECIAL-USE attributes (RFC 6154).
var specialUse = map[string]imap.MailboxAttr{"Sent": imap.MailboxAttrSent, "Trash": imap.MailboxAttrTrash}

func (s *session) List(w *goimapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if len(patterns) == 0 {
		// LIST "" "": the hierarchy delimiter and root.
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: '/'})
	}
	boxes, err := s.store.Mailboxes(s.user)
	if err != nil {
		return storeErr(err, "")
	}
	for _, b := range boxes {
		match := false
		for _, p := range patterns {
			if goimapserver.MatchList(b.Name, '/', ref, p) {
				match = true
				break
			}
		}
		if !match {
			continue
		}
		use, special := specialUse[b.Name]
		if options.SelectSpecialUse && !special {
			continue
		}
		data := &imap.ListData{Mailbox: b.Name, Delim: '/'}
		children := slices.ContainsFunc(boxes, func(o mailstore.MailboxInfo) bool {
			return strings.HasPrefix(o.Name, b.Name+mailstore.Delimiter)
		})
		if children {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasChildren)
		} else {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasNoChildren)
		}
		if options.SelectSubscribed || options.ReturnSubscribed {
			data.Attrs = append(data.Attrs, imap.MailboxAttrSubscribed)
		}
		if special {
			data.Attrs = append(data.Attrs, use)
		}
		if options.ReturnStatus != nil {
			data.Status = statusData(b, options.ReturnStatus, s.size(b.Name, options.ReturnStatus))
		}
		if err := w.WriteList(data); err != nil {
			return err
		}
	}
	return nil
}

// size is the total size of a mailbox's messages, when STATUS asks for it.
func (s *session) size(mailbox string, options *imap.StatusOptions) int64 {
	if !options.Size {
		return 0
	}
	msgs, _ := s.store.List(s.user, mailbox)
	var n int64
	for _, m := range msgs {
		n += m.Size
	}
	return n
}

func statusData(info mailstore.MailboxInfo, options *imap.StatusOptions, size int64) *imap.StatusData {
	data := &imap.StatusData{Mailbox: info.Name}
	if options.NumMessages {
		n := uint32(info.Messages)
		data.NumMessages = &n
	}
	if options.UIDNext {
		data.UIDNext = imap.UID(info.UIDNext)
	}
	if options.UIDValidity {
		data.UIDValidity = info.UIDValidity
	}
	if options.NumUnseen {
		n := uint32(info.Unseen)
		data.NumUnseen = &n
	}
	if options.NumRecent {
		n := uint32(0)
		data.NumRecent = &n
	}
	if options.Size {
		data.Size = &size
	}
	return data
}

func (s *session) Status(mailbox string, options *imap.StatusOptions) (*imap.StatusData, error) {
	info, err := s.store.Status(s.user, mailbox)
	if err != nil {
		return nil, storeErr(err, mailbox)
	}
	data := statusData(info, options, s.size(mailbox, options))
	if options.NumDeleted {
		msgs, _ := s.store.List(s.user, mailbox)
		n := uint32(0)
		for _, m := range msgs {
			if hasFlag(m.Flags, mailstore.FlagDeleted) {
				n++
			}
		}
		data.NumDeleted = &n
	}
	return data, nil
}

func (s *session) Append(mailbox string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	raw, err := io.ReadAll(io.LimitReader(r, int64(s.AppendLimit())+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > int64(s.AppendLimit()) {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeTooBig, Text: "The message is too big"}
	}
	info, err := s.store.Status(s.user, mailbox)
	if err != nil {
		return nil, tryCreate(err, mailbox)
	}
	m, err := s.store.Append(s.user, info.Name, raw, storeFlags(options.Flags), options.Time)
	if err != nil {
		return nil, tryCreate(err, mailbox)
	}
	return &imap.AppendData{UID: imap.UID(m.UID), UIDValidity: info.UIDValidity}, nil
}

func (s *session) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{Personal: []imap.NamespaceDescriptor{{Prefix: "", Delim: '/'}}}, nil
}
