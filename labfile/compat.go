package labfile

import (
	"strings"

	"github.com/protocollab/protolab/lab"
)

// linkOfFormat1 reads a link as format 1 saved it: a parent and a label only.
// Those labels were made by the lab's own servers and clients in three shapes,
// which tell the kind: "RETR a.txt · passive" (an FTP data connection; active
// ones were dialled by the server), "relay to beta.test" (an SMTP relay hop) and
// "www.lab.test → 127.0.0.1" (a connection after its lookup). Format 2 saves the
// kind itself; this is only how older files open.
func linkOfFormat1(parent lab.ConvID, label string) lab.Link {
	l := lab.Link{Parent: parent, Label: label}
	if parent == 0 {
		return lab.Link{Label: label}
	}
	switch {
	case strings.HasPrefix(label, "relay to "):
		l.Kind, l.Dialler = lab.LinkRelay, lab.SideServer
	case strings.Contains(label, " → "):
		l.Kind, l.Dialler = lab.LinkLookup, lab.SideClient
	default:
		l.Kind, l.Dialler = lab.LinkData, lab.SideClient
		if name, mode, ok := strings.Cut(label, " · "); ok && (mode == "passive" || mode == "active") {
			l.Label, l.Mode = name, mode
			if mode == "active" {
				l.Dialler = lab.SideServer
			}
		}
	}
	return l
}
