package imapserver

import (
	"bufio"
	"bytes"

	"github.com/emersion/go-imap/v2"
	goimapserver "github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message/textproto"

	"github.com/protocollab/protolab/servers/mailstore"
)

// needsBody reports whether options ask for more than the store's index holds.
func needsBody(o *imap.FetchOptions) bool {
	return o.Envelope || o.BodyStructure != nil || len(o.BodySection) > 0 ||
		len(o.BinarySection) > 0 || len(o.BinarySectionSize) > 0
}

// marksSeen reports whether fetching options sets \Seen (a body section without PEEK).
func marksSeen(o *imap.FetchOptions) bool {
	for _, bs := range o.BodySection {
		if !bs.Peek {
			return true
		}
	}
	for _, bs := range o.BinarySection {
		if !bs.Peek {
			return true
		}
	}
	return false
}

func (s *session) Fetch(w *goimapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	targets, err := s.resolve(numSet)
	if err != nil {
		return err
	}
	seen := marksSeen(options) && !s.readOnly
	for _, t := range targets {
		var raw []byte
		if needsBody(options) {
			raw, err = s.store.Fetch(s.user, s.mailbox, t.msg.UID)
			if err != nil {
				continue // removed meanwhile by another session
			}
		}
		flags := t.msg.Flags
		if seen && !hasFlag(flags, mailstore.FlagSeen) {
			if changed, err := s.store.StoreFlags(s.user, s.mailbox, []uint32{t.msg.UID}, mailstore.FlagsAdd, []string{mailstore.FlagSeen}); err == nil && len(changed) == 1 {
				flags = changed[0].Flags
				// The FETCH below carries the new flags, so the view has them too.
				s.view[t.seq-1].flags = flags
				options.Flags = true
			}
		}
		if err := writeMessage(w.CreateMessage(t.seq), t.msg, flags, raw, options); err != nil {
			return err
		}
	}
	return nil
}

// writeMessage writes one FETCH response: the items options ask for.
func writeMessage(w *goimapserver.FetchResponseWriter, m mailstore.Message, flags []string, raw []byte, options *imap.FetchOptions) error {
	w.WriteUID(imap.UID(m.UID))
	if options.Flags {
		w.WriteFlags(imapFlags(flags))
	}
	if options.InternalDate {
		w.WriteInternalDate(m.Date)
	}
	if options.RFC822Size {
		w.WriteRFC822Size(m.Size)
	}
	if options.Envelope {
		if h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw))); err == nil {
			w.WriteEnvelope(goimapserver.ExtractEnvelope(h))
		} else {
			w.WriteEnvelope(&imap.Envelope{})
		}
	}
	if options.BodyStructure != nil {
		w.WriteBodyStructure(goimapserver.ExtractBodyStructure(bytes.NewReader(raw)))
	}
	for _, bs := range options.BodySection {
		b := goimapserver.ExtractBodySection(bytes.NewReader(raw), bs)
		if err := writeLiteral(w.WriteBodySection(bs, int64(len(b))), b); err != nil {
			return err
		}
	}
	for _, bs := range options.BinarySection {
		b := goimapserver.ExtractBinarySection(bytes.NewReader(raw), bs)
		if err := writeLiteral(w.WriteBinarySection(bs, int64(len(b))), b); err != nil {
			return err
		}
	}
	for _, bss := range options.BinarySectionSize {
		w.WriteBinarySectionSize(bss, goimapserver.ExtractBinarySectionSize(bytes.NewReader(raw), bss))
	}
	return w.Close()
}

func writeLiteral(wc interface {
	Write([]byte) (int, error)
	Close() error
}, b []byte) error {
	_, err := wc.Write(b)
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	return err
}
