package pop3

// commandInfo explains a command: what the client asks (completing "The client
// ...") and where it is specified.
type commandInfo struct {
	meaning string
	ref     string
}

var commands = map[string]commandInfo{
	"USER": {"names the mailbox (user) it wants to log in to; PASS with the password follows", "RFC 1939 §7"},
	"PASS": {"sends the password for the USER just named, in clear text unless STLS protected the connection first (the lab masks it; the raw bytes show it)", "RFC 1939 §7"},
	"APOP": {"logs in with a name and an MD5 digest of the greeting's timestamp and the shared secret, so the password itself never crosses", "RFC 1939 §7"},
	"AUTH": {"starts a SASL login with the mechanism named (without one, asks for the list of mechanisms)", "RFC 5034 §4"},
	"STAT": {"asks how many messages the maildrop holds and their total size in octets (messages marked deleted not counted)", "RFC 1939 §5"},
	"LIST": {"asks for the size of each message (or of the one numbered)", "RFC 1939 §5"},
	"UIDL": {"asks for each message's unique id (or the numbered one's), which stays the same across sessions so a client can tell which mail it already downloaded", "RFC 1939 §7"},
	"RETR": {"asks for the whole message numbered: headers, blank line, body", "RFC 1939 §5"},
	"TOP":  {"asks for the headers of the message numbered and the first lines of its body", "RFC 1939 §7"},
	"DELE": {"marks the message numbered as deleted. Nothing is deleted yet: the server removes marked messages only when the client says QUIT (the UPDATE state), and RSET unmarks them", "RFC 1939 §5"},
	"RSET": {"unmarks every message marked deleted in this session", "RFC 1939 §5"},
	"NOOP": {"does nothing but check that the server is still there", "RFC 1939 §5"},
	"QUIT": {"ends the session; after a login this makes the server enter the UPDATE state and delete the marked messages", "RFC 1939 §6"},
	"CAPA": {"asks which capabilities the server offers (TOP, UIDL, STLS, SASL, ...)", "RFC 2449 §5"},
	"STLS": {"asks to turn the connection into TLS before logging in, so the password crosses encrypted", "RFC 2595 §4"},
	"UTF8": {"asks the server to use UTF-8 for mailbox names and messages", "RFC 6856 §2"},
}

// codeMeaning explains the response codes of RFC 2449 §8 and its extensions.
var codeMeaning = map[string]string{
	"IN-USE":      "the maildrop is locked by another POP3 session (RFC 2449 §8.1.1): POP3 allows one session per maildrop at a time",
	"LOGIN-DELAY": "the user logged in too recently and must wait before logging in again (RFC 2449 §8.1.2)",
	"SYS/TEMP":    "a temporary problem on the server, not the user's fault; trying later may work (RFC 3206 §4)",
	"SYS/PERM":    "a lasting problem on the server; trying again will not help until someone fixes it (RFC 3206 §4)",
	"AUTH":        "the credentials were wrong, or the login is refused as asked (RFC 3206 §5): plain-text login before STLS, for one",
	"UTF8":        "the server needs UTF8 mode for this (RFC 6856 §3)",
}

// CodeMeaning explains an RFC 2449 response code ("IN-USE", "SYS/TEMP"), or
// returns "" for one the lab does not know.
func CodeMeaning(code string) string { return codeMeaning[code] }
