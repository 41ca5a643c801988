package imapserver

import (
	"bufio"
	"bytes"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	goimapserver "github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

func (s *session) Search(kind goimapserver.NumKind, criteria *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	all := imap.SeqSet{{Start: 1, Stop: 0}}
	targets, err := s.resolve(all)
	if err != nil {
		return nil, err
	}
	var maxUID uint32
	if len(targets) > 0 {
		maxUID = targets[len(targets)-1].msg.UID
	}
	c := &matcher{s: s, maxSeq: uint32(len(s.view)), maxUID: maxUID}
	data := &imap.SearchData{}
	var seqs imap.SeqSet
	var uids imap.UIDSet
	for _, t := range targets {
		c.raw, c.header = nil, nil
		if !c.match(t, criteria) {
			continue
		}
		n := t.seq
		if kind == goimapserver.NumKindUID {
			n = t.msg.UID
			uids.AddNum(imap.UID(n))
		} else {
			seqs.AddNum(n)
		}
		if data.Min == 0 || n < data.Min {
			data.Min = n
		}
		data.Max = max(data.Max, n)
		data.Count++
	}
	if kind == goimapserver.NumKindUID {
		data.All = uids
	} else {
		data.All = seqs
	}
	return data, nil
}

// matcher checks one message at a time against search criteria, reading its
// bytes only when a criterion needs them.
type matcher struct {
	s      *session
	maxSeq uint32
	maxUID uint32
	raw    []byte
	header *mail.Header
}

func (c *matcher) body(t target) []byte {
	if c.raw == nil {
		c.raw, _ = c.s.store.Fetch(c.s.user, c.s.mailbox, t.msg.UID)
		if c.raw == nil {
			c.raw = []byte{}
		}
	}
	return c.raw
}

func (c *matcher) head(t target) *mail.Header {
	if c.header == nil {
		h, _ := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(c.body(t))))
		c.header = &mail.Header{Header: message.Header{Header: h}}
	}
	return c.header
}

// day drops the time of day: SINCE and BEFORE compare dates (RFC 9051 §6.4.4).
func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

func (c *matcher) match(t target, cr *imap.SearchCriteria) bool {
	for _, set := range cr.SeqNum {
		if set = staticSeqSet(set, c.maxSeq); !set.Contains(t.seq) {
			return false
		}
	}
	for _, set := range cr.UID {
		if !staticUIDSet(set, c.maxUID).Contains(imap.UID(t.msg.UID)) {
			return false
		}
	}
	for _, f := range cr.Flag {
		if !hasFlag(t.msg.Flags, string(f)) {
			return false
		}
	}
	for _, f := range cr.NotFlag {
		if hasFlag(t.msg.Flags, string(f)) {
			return false
		}
	}
	if !cr.Since.IsZero() && day(t.msg.Date).Before(cr.Since) {
		return false
	}
	if !cr.Before.IsZero() && !day(t.msg.Date).Before(cr.Before) {
		return false
	}
	if cr.Larger != 0 && t.msg.Size <= cr.Larger {
		return false
	}
	if cr.Smaller != 0 && t.msg.Size >= cr.Smaller {
		return false
	}
	if !cr.SentSince.IsZero() || !cr.SentBefore.IsZero() {
		d, err := c.head(t).Date()
		if err != nil {
			return false
		}
		if !cr.SentSince.IsZero() && day(d).Before(cr.SentSince) || !cr.SentBefore.IsZero() && !day(d).Before(cr.SentBefore) {
			return false
		}
	}
	for _, hf := range cr.Header {
		if !c.headerHas(t, hf.Key, hf.Value) {
			return false
		}
	}
	for _, text := range cr.Text {
		if !containsFold(c.body(t), text) {
			return false
		}
	}
	for _, text := range cr.Body {
		b := c.body(t)
		if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
			b = b[i+4:]
		} else if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
			b = b[i+2:]
		}
		if !containsFold(b, text) {
			return false
		}
	}
	for i := range cr.Not {
		if c.match(t, &cr.Not[i]) {
			return false
		}
	}
	for i := range cr.Or {
		if !c.match(t, &cr.Or[i][0]) && !c.match(t, &cr.Or[i][1]) {
			return false
		}
	}
	return true
}

// headerHas reports whether a header field key holds value (any, if value is "").
func (c *matcher) headerHas(t target, key, value string) bool {
	fields := c.head(t).FieldsByKey(key)
	for fields.Next() {
		v, err := fields.Text()
		if err != nil {
			v = fields.Value()
		}
		if value == "" || strings.Contains(strings.ToLower(v), strings.ToLower(value)) {
			return true
		}
	}
	return false
}

func containsFold(b []byte, s string) bool {
	return bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(s)))
}
