package smtpserver

import (
	"fmt"
	"strings"

	"github.com/emersion/go-smtp"
)

// mayUseSender checks the reverse-path of MAIL FROM: a client logged in sends
// only as its own address (553 5.7.1 otherwise), unless Options.AllowAnySender
// lets it spoof on purpose. A client not logged in may name any sender: it
// can only deliver to this server's own users, as any mail host would take.
func (ss *session) mayUseSender(from string) error {
	if ss.user == "" || ss.s.opts.AllowAnySender || sameAddress(from, ss.user) {
		return nil
	}
	shown := "<" + from + ">"
	if from == "" {
		shown = "the null sender <> (kept for the bounces servers send)"
	}
	return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
		Message: fmt.Sprintf("Sender address rejected: logged in as %s, you may send only as <%s>, not as %s", ss.user, ss.user, shown)}
}

// sameAddress reports whether a and b are one mailbox: the lab's user names
// and domains are both case-insensitive.
func sameAddress(a, b string) bool {
	la, da, _ := strings.Cut(a, "@")
	lb, db, _ := strings.Cut(b, "@")
	return la != "" && strings.EqualFold(la, lb) && domainOf(a) == domainOf(b) && da != "" && db != ""
}
