package ui

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/protocollab/protolab/servers/smtpserver"
)

// smtpDefaults is what an SMTP pane starts with: the first account of its
// server's mail domain, and a mail to the first account of another lab domain,
// which the server relays there.
type smtpDefaults struct {
	from, user, pass, to, subject, body string
}

// smtpDefaultsOf reads the defaults of ctx's pane from the servers' settings on
// the bench: the domain and accounts of the pane's server, and those of another
// server of the same layer (SMTP) that takes mail for another domain.
func smtpDefaultsOf(ctx PaneContext) smtpDefaults {
	b, self := ctx.Bench, ctx.Protocol
	domain := b.Setting(self.Name, smtpserver.SettingDomain)
	user, pass := firstAccount(b.Setting(self.Name, smtpserver.SettingAccounts))
	d := smtpDefaults{user: user, pass: pass, from: mailAddress(user, domain)}
	if domain != "" {
		d.subject = "Hello from " + domain
	}
	for _, p := range b.Registry().All() {
		other := b.Setting(p.Name, smtpserver.SettingDomain)
		if p == self || p.LayerName() != self.LayerName() || other == "" || strings.EqualFold(other, domain) {
			continue
		}
		to, _ := firstAccount(b.Setting(p.Name, smtpserver.SettingAccounts))
		d.to = mailAddress(to, other)
		d.body = fmt.Sprintf("Hi %s,\n\nthis mail goes from %s's client to %s's server, which looks up %s's MX "+
			"in the lab DNS and relays it there.\n\n%s", capitalized(to), user, domain, other, capitalized(user))
		break
	}
	return d
}

// firstAccount is the first user and password of an accounts setting
// ("user:password" lines), or nothing.
func firstAccount(setting string) (user, pass string) {
	accounts, err := smtpserver.ParseAccounts(setting)
	if err != nil || len(accounts) == 0 {
		return "", ""
	}
	return accounts[0].User, accounts[0].Password
}

// mailAddress is user@domain, or "" without either.
func mailAddress(user, domain string) string {
	if user == "" || domain == "" {
		return ""
	}
	return user + "@" + domain
}

// capitalized is s with its first letter upper-case: "Bob".
func capitalized(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
