package imap

import (
	"fmt"
	"strings"
)

// info is what the lab says about one command, response or code.
type info struct {
	meaning string
	ref     string
}

// commands explains the client's commands ("the client ...").
var commands = map[string]info{
	"CAPABILITY":     {"asks what the server supports (IMAP4rev1, IMAP4rev2, IDLE, STARTTLS, ...)", "RFC 9051 §6.1.1"},
	"NOOP":           {"does nothing, which gives the server a chance to report changes (new mail, flags)", "RFC 9051 §6.1.2"},
	"LOGOUT":         {"ends the session; the server says BYE and closes the connection", "RFC 9051 §6.1.3"},
	"STARTTLS":       {"asks to encrypt the connection: after the server's OK a TLS handshake begins", "RFC 9051 §6.2.1"},
	"AUTHENTICATE":   {"logs in with a SASL mechanism; challenges (+) and responses may follow", "RFC 9051 §6.2.2"},
	"LOGIN":          {"logs in with a user name and a password, in the clear unless TLS protects the connection", "RFC 9051 §6.2.3"},
	"ENABLE":         {"turns on extensions that change how the server answers", "RFC 9051 §6.3.1"},
	"SELECT":         {"opens a mailbox to read and change its messages; the server reports its size, flags and UIDs", "RFC 9051 §6.3.2"},
	"EXAMINE":        {"opens a mailbox read-only: nothing the client does marks messages as seen", "RFC 9051 §6.3.3"},
	"CREATE":         {"creates a mailbox", "RFC 9051 §6.3.4"},
	"DELETE":         {"deletes a mailbox and the messages in it", "RFC 9051 §6.3.5"},
	"RENAME":         {"renames a mailbox", "RFC 9051 §6.3.6"},
	"SUBSCRIBE":      {"adds a mailbox to its subscribed list", "RFC 9051 §6.3.7"},
	"UNSUBSCRIBE":    {"removes a mailbox from its subscribed list", "RFC 9051 §6.3.8"},
	"LIST":           {"lists mailboxes whose names match a pattern (* is any, % is any within one level)", "RFC 9051 §6.3.9"},
	"LSUB":           {"lists subscribed mailboxes (IMAP4rev1)", "RFC 3501 §6.3.9"},
	"NAMESPACE":      {"asks where personal, other users' and shared mailboxes live", "RFC 9051 §6.3.10"},
	"STATUS":         {"asks about a mailbox without selecting it: how many messages, unseen, the next UID", "RFC 9051 §6.3.11"},
	"APPEND":         {"uploads a whole message into a mailbox (a sent copy, a draft); the message travels as a literal", "RFC 9051 §6.3.12"},
	"IDLE":           {"asks to be told of changes as they happen: the server sends EXISTS, EXPUNGE and FETCH without being asked, until the client sends DONE", "RFC 9051 §6.3.13"},
	"CLOSE":          {"closes the mailbox, silently removing the messages flagged \\Deleted", "RFC 9051 §6.4.1"},
	"UNSELECT":       {"closes the mailbox without removing anything", "RFC 9051 §6.4.2"},
	"EXPUNGE":        {"removes for good every message flagged \\Deleted; the server reports each with EXPUNGE", "RFC 9051 §6.4.3"},
	"SEARCH":         {"asks which messages match criteria (UNSEEN, FROM, SINCE, ...)", "RFC 9051 §6.4.4"},
	"FETCH":          {"asks for data about messages: flags, envelope, structure, size, the message itself or parts of it", "RFC 9051 §6.4.5"},
	"STORE":          {"changes messages' flags (+FLAGS adds, -FLAGS removes, FLAGS replaces); .SILENT skips the FETCH replies", "RFC 9051 §6.4.6"},
	"COPY":           {"copies messages into another mailbox", "RFC 9051 §6.4.7"},
	"MOVE":           {"moves messages into another mailbox (copy, then expunge, in one step)", "RFC 9051 §6.4.8"},
	"UID":            {"runs a command with UIDs instead of sequence numbers", "RFC 9051 §6.4.9"},
	"UNAUTHENTICATE": {"logs out but keeps the connection, back to not authenticated", "RFC 8437 §3"},
	"ID":             {"tells the server who it is (name, version) and asks the same", "RFC 2971 §3.1"},
	"COMPRESS":       {"asks to compress the rest of the connection", "RFC 4978 §3"},
	"GETQUOTAROOT":   {"asks for the storage quota of a mailbox", "RFC 9208 §4.3.2"},
}

// untagged explains untagged responses by kind.
var untagged = map[string]info{
	"OK":         {"Information from the server", "RFC 9051 §7.1.1"},
	"NO":         {"A warning from the server", "RFC 9051 §7.1.2"},
	"BAD":        {"The server reports a protocol error it cannot tie to a command", "RFC 9051 §7.1.3"},
	"PREAUTH":    {"The greeting: the connection is already authenticated (the server knows who this is), so no login is needed", "RFC 9051 §7.1.4"},
	"BYE":        {"The server is about to close the connection", "RFC 9051 §7.1.5"},
	"ENABLED":    {"The extensions the server turned on for ENABLE", "RFC 9051 §7.2.1"},
	"CAPABILITY": {"What the server supports", "RFC 9051 §7.2.2"},
	"LIST":       {"One mailbox that matches the LIST pattern", "RFC 9051 §7.3.1"},
	"LSUB":       {"One subscribed mailbox", "RFC 3501 §7.2.3"},
	"NAMESPACE":  {"Where the mailboxes live", "RFC 9051 §7.3.2"},
	"STATUS":     {"The status of a mailbox", "RFC 9051 §7.3.3"},
	"ESEARCH":    {"The result of a search", "RFC 9051 §7.3.4"},
	"SEARCH":     {"The messages that match the search (IMAP4rev1)", "RFC 3501 §7.2.5"},
	"FLAGS":      {"The flags this mailbox knows", "RFC 9051 §7.3.5"},
	"EXISTS":     {"The number of messages in the mailbox", "RFC 9051 §7.4.1"},
	"RECENT":     {"The number of messages new since the last session (IMAP4rev1)", "RFC 3501 §7.3.2"},
	"EXPUNGE":    {"A message was removed for good", "RFC 9051 §7.5.1"},
	"FETCH":      {"Data about one message", "RFC 9051 §7.5.2"},
	"VANISHED":   {"Messages removed for good, by UID", "RFC 7162 §3.2.10"},
	"ID":         {"Who the server is (name, version)", "RFC 2971 §3.2"},
	"QUOTA":      {"A storage quota and its use", "RFC 9208 §5.1"},
	"QUOTAROOT":  {"The quota roots of a mailbox", "RFC 9208 §5.2"},
}

// codes explains response codes ("[UIDVALIDITY 17]").
var codes = map[string]string{
	"ALERT":                "a message the client must show the person",
	"ALREADYEXISTS":        "the mailbox already exists",
	"APPENDUID":            "the UID validity and the UID the appended message got",
	"AUTHENTICATIONFAILED": "the user name or password is wrong",
	"BADCHARSET":           "the search's character set is not supported",
	"CANNOT":               "the operation can never succeed",
	"CAPABILITY":           "what the server supports, so the client need not ask",
	"CLIENTBUG":            "the client did something pointless",
	"CLOSED":               "the previously selected mailbox is now closed",
	"COPYUID":              "the UID validity of the target, and the UIDs of the copies",
	"EXPUNGEISSUED":        "another session removed messages meanwhile",
	"INUSE":                "the mailbox is in use by someone else",
	"LIMIT":                "a limit of the server was reached",
	"NONEXISTENT":          "there is no such mailbox",
	"NOPERM":               "the user may not do that",
	"OVERQUOTA":            "the mailbox is full",
	"PARSE":                "a message could not be parsed",
	"PERMANENTFLAGS":       "the flags the client may change for good (\\* means it may create keywords)",
	"PRIVACYREQUIRED":      "the connection must be encrypted first (STARTTLS)",
	"READ-ONLY":            "the mailbox is open read-only",
	"READ-WRITE":           "the mailbox is open for changes",
	"SERVERBUG":            "the server failed",
	"TRYCREATE":            "the target mailbox does not exist; create it first",
	"UIDNEXT":              "the UID the next new message will get",
	"UIDNOTSTICKY":         "this mailbox's UIDs are not kept between sessions",
	"UIDVALIDITY":          "the UIDs' epoch: while it stays the same, a message's UID names that message forever",
	"UNAVAILABLE":          "the server cannot do it right now",
	"UNSEEN":               "the first message without \\Seen",
	"HIGHESTMODSEQ":        "the highest modification sequence in the mailbox",
}

// fetchItems explains a FETCH response's items.
var fetchItems = map[string]string{
	"FLAGS":         "flags",
	"UID":           "UID",
	"RFC822.SIZE":   "size in bytes",
	"INTERNALDATE":  "date it arrived",
	"ENVELOPE":      "envelope (date, subject, from, to, message-id)",
	"BODYSTRUCTURE": "MIME structure",
	"BODY":          "MIME structure",
	"MODSEQ":        "modification sequence",
	"RFC822":        "whole message",
	"RFC822.HEADER": "header",
	"RFC822.TEXT":   "body",
	"PREVIEW":       "preview",
	"EMAILID":       "email ID",
	"THREADID":      "thread ID",
	"SAVEDATE":      "date it was saved",
}

// statusWord reports whether s is a status response's word.
func statusWord(s string) bool {
	switch asciiUpper(s) {
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		return true
	}
	return false
}

// responseCode splits a status response's text into its code ("UIDNEXT 5", no
// brackets) and the rest.
func responseCode(text string) (code, rest string) {
	if !strings.HasPrefix(text, "[") {
		return "", text
	}
	end := strings.IndexByte(text, ']')
	if end < 0 {
		return "", text
	}
	return text[1:end], strings.TrimSpace(text[end+1:])
}

// codeMeaning explains a response code, "" when the lab does not know it.
func codeMeaning(code string) string {
	name, arg, _ := strings.Cut(code, " ")
	m, ok := codes[asciiUpper(name)]
	if !ok {
		return ""
	}
	if arg != "" {
		return fmt.Sprintf("[%s] is %s: %s", name, m, arg)
	}
	return fmt.Sprintf("[%s]: %s", name, m)
}

// describeFetch explains a FETCH response's list of items.
func describeFetch(items []token) (string, []fieldPair) {
	var parts []string
	var fields []fieldPair
	for i := 0; i+1 < len(items); i += 2 {
		name, val := asciiUpper(items[i].text), items[i+1]
		var what string
		switch {
		case fetchItems[name] != "":
			what = fetchItems[name]
		case strings.HasPrefix(name, "BODY[") || strings.HasPrefix(name, "BINARY["):
			section := name[strings.IndexByte(name, '[')+1:]
			section = strings.TrimSuffix(section[:strings.IndexByte(section+"]", ']')], "]")
			if section == "" {
				what = "whole message"
			} else {
				what = "section " + section
			}
		default:
			what = name
		}
		v := val.value()
		switch val.kind {
		case tokLiteral:
			v = fmt.Sprintf("%d bytes", val.size)
			parts = append(parts, fmt.Sprintf("its %s (%d bytes)", what, val.size))
		case tokList:
			if name == "FLAGS" {
				v = words(val.items)
				if v == "" {
					parts = append(parts, "no flags")
				} else {
					parts = append(parts, "flags "+v)
				}
			} else {
				parts = append(parts, "its "+what)
			}
		default:
			parts = append(parts, what+" "+v)
		}
		fields = append(fields, fieldPair{items[i].text, shorten(v, 200)})
	}
	return strings.Join(parts, ", "), fields
}

type fieldPair struct{ name, value string }
