// Package imap is what the lab knows about the Internet Message Access Protocol:
// IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501), with the extensions the lab's
// server speaks: IDLE (RFC 2177), MOVE (RFC 6851), UNSELECT (RFC 3691),
// LITERAL+ and LITERAL- (RFC 7888) and STARTTLS (RFC 9051 §6.2.1).
//
// IMAP keeps mail on the server. A client sends tagged commands ("a1 LOGIN ...");
// the server answers each with untagged data ("* 3 EXISTS") and, at the end, a
// tagged completion with the same tag ("a1 OK"). Between them the server may ask
// for more with a continuation request ("+ ..."): before a synchronizing literal,
// during IDLE and AUTHENTICATE. Strings of any length travel as literals: "{n}" at
// the end of a line announces n bytes that follow raw, and the line carries on
// after them. A whole message fetched with BODY[] is one such literal.
//
// The Analyzer frames both directions into whole commands and responses, literals
// included however the bytes were chunked, matches each tagged completion to its
// command, explains untagged responses, masks LOGIN's password in the summary (the
// raw bytes show it) and follows the session's state: not-authenticated →
// authenticated → selected (and idle inside it) → logout → closed. After a tagged
// OK to STARTTLS the rest of the connection is TLS; given the lab's key log, the
// commands and responses inside show as the "imap" layer within the "tls" layer.
//
// Left out: the contents of SASL exchanges (AUTHENTICATE) are shown but not
// decoded, COMPRESS=DEFLATE (RFC 4978) is not inflated, and the analyzer checks
// framing rather than the full grammar: a malformed command shows as it is.
package imap
