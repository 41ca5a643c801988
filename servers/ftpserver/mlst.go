package ftpserver

import (
	"fmt"
	"io/fs"
	"strings"
)

// fact is one of the MLST facts the server offers (RFC 3659 §7.5), as a bit of
// a factSet.
type fact uint8

const (
	factType fact = 1 << iota
	factSize
	factPerm
	factModify
)

// mlstFacts are the facts offered, in the order FEAT and OPTS MLST name them.
var mlstFacts = []struct {
	f    fact
	name string
}{{factType, "type"}, {factSize, "size"}, {factModify, "modify"}, {factPerm, "perm"}}

// factSet is a choice of facts. A session keeps the facts turned off, so that
// its zero value shows every fact, as RFC 3659 §7.8 has it before any OPTS MLST.
type factSet uint8

// on reports whether f is shown when s holds the facts turned off.
func (s factSet) on(f fact) bool { return s&factSet(f) == 0 }

// parseFactList reads OPTS MLST's argument, a list of fact names each ended by
// ";" (RFC 3659 §7.9), and returns the facts it turns off. Names the server
// does not offer are ignored; an empty list turns every fact off.
func parseFactList(list string) (off factSet, ok bool) {
	if strings.ContainsAny(list, " \t") {
		return 0, false
	}
	off = factSet(0xff)
	for _, name := range strings.Split(strings.TrimSuffix(list, ";"), ";") {
		for _, m := range mlstFacts {
			if strings.EqualFold(name, m.name) {
				off &^= factSet(m.f)
			}
		}
	}
	return off, true
}

// names are the facts s shows, each followed by ";", starred when star is
// set: FEAT lists every fact offered and stars those shown (§7.8); OPTS MLST
// answers with the ones shown (§7.9).
func (s factSet) names(all, star bool) string {
	var b strings.Builder
	for _, m := range mlstFacts {
		switch {
		case s.on(m.f):
			b.WriteString(m.name)
			if star {
				b.WriteByte('*')
			}
		case all:
			b.WriteString(m.name)
		default:
			continue
		}
		b.WriteByte(';')
	}
	return b.String()
}

// facts are a file's MLST facts that s shows (RFC 3659 §7.5).
func (s factSet) facts(fi fs.FileInfo, write bool) string {
	var b strings.Builder
	kind, perm := "file", "r"
	switch {
	case fi.IsDir() && write:
		kind, perm = "dir", "eflcmpd"
	case fi.IsDir():
		kind, perm = "dir", "el"
	case write:
		perm = "radfw"
	}
	if s.on(factType) {
		fmt.Fprintf(&b, "type=%s;", kind)
	}
	if s.on(factSize) && !fi.IsDir() {
		fmt.Fprintf(&b, "size=%d;", fi.Size())
	}
	if s.on(factPerm) {
		fmt.Fprintf(&b, "perm=%s;", perm)
	}
	if s.on(factModify) {
		fmt.Fprintf(&b, "modify=%s;", fi.ModTime().UTC().Format("20060102150405"))
	}
	return b.String()
}

// cmdOPTSMLST chooses the facts MLST and MLSD show, and answers with the
// facts chosen (RFC 3659 §7.9).
func (ss *session) cmdOPTSMLST(list string) {
	off, ok := parseFactList(list)
	if !ok {
		ss.reply(501, "OPTS MLST takes fact names each ended by ';', with no spaces: OPTS MLST type;size;")
		return
	}
	ss.mlstOff = off
	if chosen := off.names(false, false); chosen != "" {
		ss.reply(200, "MLST OPTS %s", chosen)
	} else {
		ss.reply(200, "MLST OPTS")
	}
}
