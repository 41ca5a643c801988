package imapserver

import (
	"slices"

	"github.com/emersion/go-imap/v2"
	goimapserver "github.com/emersion/go-imap/v2/imapserver"

	"github.com/protocollab/protolab/servers/mailstore"
)

// updateWriter is what Poll writes the changes with (UpdateWriter, or the
// writers of EXPUNGE and MOVE, which only write expunges).
type updateWriter interface {
	WriteExpunge(seqNum uint32) error
}

// Poll tells the client what changed in the selected mailbox since it last
// heard: removals (EXPUNGE, when allowed), other sessions' flag changes (FETCH)
// and new messages (EXISTS).
func (s *session) Poll(w *goimapserver.UpdateWriter, allowExpunge bool) error {
	return s.sync(w, allowExpunge)
}

// sync compares the client's view with the store and writes the differences.
func (s *session) sync(w *goimapserver.UpdateWriter, allowExpunge bool) error {
	if s.mailbox == "" {
		return nil
	}
	msgs, err := s.store.List(s.user, s.mailbox)
	if err != nil {
		return nil // the mailbox went (deleted or renamed elsewhere); the next command says so
	}
	byUID := make(map[uint32]mailstore.Message, len(msgs))
	for _, m := range msgs {
		byUID[m.UID] = m
	}
	if allowExpunge {
		for i := len(s.view) - 1; i >= 0; i-- {
			if _, ok := byUID[s.view[i].uid]; ok {
				continue
			}
			if err := w.WriteExpunge(uint32(i + 1)); err != nil {
				return err
			}
			s.view = slices.Delete(s.view, i, i+1)
		}
	}
	for i := range s.view {
		v := &s.view[i]
		m, ok := byUID[v.uid]
		if !ok || sameFlags(m.Flags, v.flags) {
			continue
		}
		v.flags = m.Flags
		if err := w.WriteMessageFlags(uint32(i+1), imap.UID(v.uid), imapFlags(m.Flags)); err != nil {
			return err
		}
	}
	var last uint32
	if len(s.view) > 0 {
		last = s.view[len(s.view)-1].uid
	}
	added := false
	for _, m := range msgs {
		if m.UID > last {
			s.view = append(s.view, viewMsg{uid: m.UID, flags: m.Flags})
			added = true
		}
	}
	if added {
		return w.WriteNumMessages(uint32(len(s.view)))
	}
	return nil
}

// Idle reports changes the moment the store's Watch tells of them, until stop.
func (s *session) Idle(w *goimapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.sync(w, true); err != nil {
		return err
	}
	for {
		select {
		case <-stop:
			return nil
		case c, ok := <-s.watch:
			if !ok {
				<-stop
				return nil
			}
			relevant := c.Mailbox == s.mailbox
			// Take every change already queued, then compare once.
			for more := true; more; {
				select {
				case c, ok := <-s.watch:
					if !ok {
						more = false
						break
					}
					relevant = relevant || c.Mailbox == s.mailbox
				default:
					more = false
				}
			}
			if relevant {
				if err := s.sync(w, true); err != nil {
					return err
				}
			}
		}
	}
}

// target is one message a command names: its place in the view and in the store.
type target struct {
	seq uint32
	msg mailstore.Message
}

// resolve returns the messages of numSet the client knows and the store still
// holds, in order.
func (s *session) resolve(numSet imap.NumSet) ([]target, error) {
	msgs, err := s.store.List(s.user, s.mailbox)
	if err != nil {
		return nil, storeErr(err, s.mailbox)
	}
	byUID := make(map[uint32]mailstore.Message, len(msgs))
	for _, m := range msgs {
		byUID[m.UID] = m
	}
	var out []target
	switch set := numSet.(type) {
	case imap.SeqSet:
		set = staticSeqSet(set, uint32(len(s.view)))
		for i, v := range s.view {
			if m, ok := byUID[v.uid]; ok && set.Contains(uint32(i+1)) {
				out = append(out, target{uint32(i + 1), m})
			}
		}
	case imap.UIDSet:
		var max uint32
		if len(msgs) > 0 {
			max = msgs[len(msgs)-1].UID
		}
		set = staticUIDSet(set, max)
		for i, v := range s.view {
			if m, ok := byUID[v.uid]; ok && set.Contains(imap.UID(v.uid)) {
				out = append(out, target{uint32(i + 1), m})
			}
		}
	}
	return out, nil
}

// staticSeqSet replaces "*" (0) by the highest sequence number.
func staticSeqSet(set imap.SeqSet, max uint32) imap.SeqSet {
	out := slices.Clone(set)
	for i := range out {
		out[i].Start, out[i].Stop = staticRange(out[i].Start, out[i].Stop, max)
	}
	return out
}

// staticUIDSet replaces "*" (0) by the highest UID.
func staticUIDSet(set imap.UIDSet, max uint32) imap.UIDSet {
	out := slices.Clone(set)
	for i := range out {
		a, b := staticRange(uint32(out[i].Start), uint32(out[i].Stop), max)
		out[i].Start, out[i].Stop = imap.UID(a), imap.UID(b)
	}
	return out
}

func staticRange(start, stop, max uint32) (uint32, uint32) {
	if start == 0 {
		start = max
	}
	if stop == 0 {
		stop = max
	}
	if start > stop {
		start, stop = stop, start
	}
	return start, stop
}

// readOnlyErr answers a change to a mailbox selected with EXAMINE.
var readOnlyErr = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "The mailbox is read-only (EXAMINE)"}

func (s *session) Store(w *goimapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) error {
	if s.readOnly {
		return readOnlyErr
	}
	targets, err := s.resolve(numSet)
	if err != nil {
		return err
	}
	uids := make([]uint32, len(targets))
	for i, t := range targets {
		uids[i] = t.msg.UID
	}
	op := mailstore.FlagsSet
	switch flags.Op {
	case imap.StoreFlagsAdd:
		op = mailstore.FlagsAdd
	case imap.StoreFlagsDel:
		op = mailstore.FlagsRemove
	}
	changed, err := s.store.StoreFlags(s.user, s.mailbox, uids, op, storeFlags(flags.Flags))
	if err != nil {
		return storeErr(err, s.mailbox)
	}
	now := make(map[uint32][]string, len(changed))
	for _, m := range changed {
		now[m.UID] = m.Flags
	}
	for _, t := range targets {
		f, ok := now[t.msg.UID]
		if !ok {
			continue
		}
		s.view[t.seq-1].flags = f
		if flags.Silent {
			continue
		}
		rw := w.CreateMessage(t.seq)
		rw.WriteUID(imap.UID(t.msg.UID))
		rw.WriteFlags(imapFlags(f))
		if err := rw.Close(); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	targets, err := s.resolve(numSet)
	if err != nil {
		return nil, err
	}
	info, err := s.store.Status(s.user, dest)
	if err != nil {
		return nil, tryCreate(err, dest)
	}
	uids := make([]uint32, len(targets))
	for i, t := range targets {
		uids[i] = t.msg.UID
	}
	newUIDs, err := s.store.Copy(s.user, s.mailbox, uids, info.Name)
	if err != nil {
		return nil, tryCreate(err, dest)
	}
	return copyData(info.UIDValidity, uids, newUIDs), nil
}

func copyData(validity uint32, from, to []uint32) *imap.CopyData {
	data := &imap.CopyData{UIDValidity: validity}
	for i := range min(len(from), len(to)) {
		data.SourceUIDs.AddNum(imap.UID(from[i]))
		data.DestUIDs.AddNum(imap.UID(to[i]))
	}
	return data
}

func (s *session) Move(w *goimapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if s.readOnly {
		return readOnlyErr
	}
	targets, err := s.resolve(numSet)
	if err != nil {
		return err
	}
	info, err := s.store.Status(s.user, dest)
	if err != nil {
		return tryCreate(err, dest)
	}
	if info.Name == s.mailbox {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "The message is already in that mailbox"}
	}
	uids := make([]uint32, len(targets))
	for i, t := range targets {
		uids[i] = t.msg.UID
	}
	newUIDs, err := s.store.Move(s.user, s.mailbox, uids, info.Name)
	if err != nil {
		return tryCreate(err, dest)
	}
	if err := w.WriteCopyData(copyData(info.UIDValidity, uids, newUIDs)); err != nil {
		return err
	}
	return s.expunged(w, uids)
}

// expunged removes uids from the view, writing an EXPUNGE for each, highest
// sequence number first so that the numbers stay those the client knows.
func (s *session) expunged(w updateWriter, uids []uint32) error {
	for i := len(s.view) - 1; i >= 0; i-- {
		if !slices.Contains(uids, s.view[i].uid) {
			continue
		}
		if err := w.WriteExpunge(uint32(i + 1)); err != nil {
			return err
		}
		s.view = slices.Delete(s.view, i, i+1)
	}
	return nil
}

func (s *session) Expunge(w *goimapserver.ExpungeWriter, uids *imap.UIDSet) error {
	if s.readOnly {
		return readOnlyErr
	}
	msgs, err := s.store.List(s.user, s.mailbox)
	if err != nil {
		return storeErr(err, s.mailbox)
	}
	known := make(map[uint32]bool, len(s.view))
	for _, v := range s.view {
		known[v.uid] = true
	}
	var drop []uint32
	for _, m := range msgs {
		if known[m.UID] && hasFlag(m.Flags, mailstore.FlagDeleted) && (uids == nil || uids.Contains(imap.UID(m.UID))) {
			drop = append(drop, m.UID)
		}
	}
	if len(drop) == 0 {
		return nil
	}
	if err := s.store.Expunge(s.user, s.mailbox, drop); err != nil {
		return storeErr(err, s.mailbox)
	}
	return s.expunged(w, drop)
}
