package smtp

import (
	"fmt"
	"strings"
)

// cmdInfo is what the lab says of a command verb: the verb itself (one string
// for every command framed), and its meaning with the RFC that defines it.
type cmdInfo struct{ verb, meaning, ref string }

var commands = func() map[string]cmdInfo {
	m := map[string]cmdInfo{}
	for _, c := range []cmdInfo{
		{"EHLO", "greets the server by its own name and asks which extensions (SIZE, STARTTLS, AUTH, ...) the server offers", "RFC 5321 §4.1.1.1"},
		{"HELO", "greets the server by its own name, the old way, without asking for extensions", "RFC 5321 §4.1.1.1"},
		{"MAIL", "opens a mail transaction and names the sender (the envelope's return path, where bounces go)", "RFC 5321 §4.1.1.2"},
		{"RCPT", "names one recipient of the mail; a mail to several people has one RCPT per address", "RFC 5321 §4.1.1.3"},
		{"DATA", "asks to send the message itself; after 354 the message follows, ended by a line holding only a dot", "RFC 5321 §4.1.1.4"},
		{"BDAT", "sends a chunk of the message of a stated size, with no dot at the end (LAST marks the final chunk)", "RFC 3030 §2"},
		{"RSET", "abandons the current mail transaction (sender and recipients are forgotten)", "RFC 5321 §4.1.1.5"},
		{"VRFY", "asks whether an address is a user here (servers usually refuse, so as not to help spammers)", "RFC 5321 §4.1.1.6"},
		{"EXPN", "asks for the members of a mailing list (usually refused)", "RFC 5321 §4.1.1.7"},
		{"HELP", "asks for help", "RFC 5321 §4.1.1.8"},
		{"NOOP", "does nothing; the server answers 250 (keeps the connection alive)", "RFC 5321 §4.1.1.9"},
		{"QUIT", "ends the session; the server answers 221 and closes the connection", "RFC 5321 §4.1.1.10"},
		{"STARTTLS", "asks to switch this connection to TLS; after 220 the TLS handshake begins and everything after is encrypted", "RFC 3207 §4"},
		{"AUTH", "logs in with a SASL mechanism (PLAIN sends name and password base64-encoded — not encrypted — so it belongs inside TLS)", "RFC 4954 §4"},
	} {
		// The sentence is made once, not for every command framed.
		c.meaning = "The client " + c.meaning + "."
		m[c.verb] = c
	}
	return m
}()

// CommandMeaning explains a command verb in a sentence for a person.
func CommandMeaning(verb string) (meaning, ref string) {
	if c, ok := commands[verb]; ok {
		return c.meaning, c.ref
	}
	if c, ok := commands[strings.ToUpper(verb)]; ok {
		return c.meaning, c.ref
	}
	return "A command this lab does not know; a server answers 500 or 502.", "RFC 5321 §4.2.4"
}

var replies = map[int]string{
	211: "system status",
	214: "help text",
	220: "the service is ready",
	221: "the service is closing the connection",
	235: "authentication succeeded (RFC 4954)",
	250: "the requested action was completed",
	251: "the user is not local; the server will forward the mail",
	252: "the server cannot verify the user but will accept mail for it",
	334: "the server waits for the next piece of the login, a base64 challenge is in the text (RFC 4954)",
	354: "the server waits for the message; end it with <CRLF>.<CRLF>",
	421: "the service is not available and closes the connection",
	432: "a password transition is needed (RFC 4954)",
	450: "the mailbox is unavailable for now (busy or blocked); try again later",
	451: "the server had a local error; try again later",
	452: "the server has too little storage, or too many recipients were given; try again later",
	454: "a temporary authentication failure, or TLS is not available now",
	455: "the server cannot take these parameters now",
	500: "syntax error: the command is not recognized or the line is too long",
	501: "syntax error in the parameters or arguments",
	502: "the command is not implemented",
	503: "bad sequence of commands (for example RCPT before MAIL)",
	504: "the command parameter (such as the AUTH mechanism) is not implemented",
	530: "authentication required (or TLS must come first)",
	534: "the authentication mechanism is too weak",
	535: "authentication failed: the user name or password is wrong",
	538: "encryption is required for this authentication mechanism",
	550: "the action was refused: no such mailbox, or relaying is not allowed",
	551: "the user is not local",
	552: "the action was aborted: the message exceeds the storage allocation (too big)",
	553: "the mailbox name is not allowed (a bad address)",
	554: "the transaction failed (or: no SMTP service here)",
	555: "MAIL FROM or RCPT TO parameters are not recognized",
}

// ReplyMeaning explains a reply code in plain words.
func ReplyMeaning(code int) string {
	if m, ok := replies[code]; ok {
		return m + "."
	}
	switch code / 100 {
	case 2:
		return "done."
	case 3:
		return "the server waits for more from the client."
	case 4:
		return "a temporary failure; the client may try again later."
	case 5:
		return "a permanent failure; the client should not repeat the same request."
	}
	return "an unknown reply code."
}

var enhancedSubjects = map[string]string{
	"0": "other or undefined status",
	"1": "addressing",
	"2": "the mailbox",
	"3": "the mail system",
	"4": "the network and routing",
	"5": "the mail delivery protocol",
	"6": "the message content or media",
	"7": "security or policy",
}

var enhancedDetails = map[string]string{
	"0.0": "nothing more to say", "1.0": "something about the address",
	"1.1": "the destination mailbox does not exist", "1.2": "the destination system (domain) does not exist or takes no mail",
	"1.3": "the destination address is malformed", "1.5": "the destination address is valid",
	"1.6": "the mailbox has moved", "1.7": "the sender's address is malformed",
	"1.8": "the sender's domain is not valid", "2.0": "something about the mailbox",
	"2.1": "the mailbox is disabled", "2.2": "the mailbox is full",
	"2.3": "the message is longer than the mailbox allows", "3.0": "something about the mail system",
	"3.1": "the mail system is full", "3.4": "the message is too big for the system",
	"4.0": "something about the network", "4.1": "no answer from the destination host",
	"4.4": "the mail could not be routed (no MX found)", "4.7": "the delivery took too long",
	"5.0": "something about the protocol", "5.1": "invalid command",
	"5.2": "syntax error", "5.3": "too many recipients", "5.4": "invalid command arguments",
	"6.0": "something about the content", "7.0": "something about security or policy",
	"7.1": "delivery is not authorized: the message is refused (for example, no relaying for you)",
	"7.8": "the credentials are not valid (RFC 4954)", "7.9": "the authentication mechanism is too weak (RFC 4954)",
	"7.11": "encryption is required (RFC 4954)", "7.12": "a password transition is needed (RFC 4954)",
}

// EnhancedMeaning explains an enhanced status code such as "5.7.1" (RFC 3463 §3).
func EnhancedMeaning(code string) string {
	parts := strings.SplitN(code, ".", 3)
	if len(parts) != 3 {
		return ""
	}
	var class string
	switch parts[0] {
	case "2":
		class = "success"
	case "4":
		class = "a temporary failure"
	case "5":
		class = "a permanent failure"
	default:
		class = "an unknown class"
	}
	if d, ok := enhancedDetails[parts[1]+"."+parts[2]]; ok && d != "" {
		return fmt.Sprintf("%s is %s: %s.", code, class, d)
	}
	if s, ok := enhancedSubjects[parts[1]]; ok {
		return fmt.Sprintf("%s is %s about %s.", code, class, s)
	}
	return fmt.Sprintf("%s is %s.", code, class)
}
