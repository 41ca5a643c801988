// Package pop3 is what the lab knows about the Post Office Protocol, version 3:
// the commands, responses and states of RFC 1939, the capabilities and response
// codes of RFC 2449 (CAPA, [IN-USE], [LOGIN-DELAY], [SYS/TEMP], [SYS/PERM],
// [AUTH]) and the STLS command of RFC 2595.
//
// A POP3 client downloads the mail waiting in a maildrop: it logs in (USER and
// PASS, or APOP) in the AUTHORIZATION state, lists, retrieves and marks messages
// for deletion (DELE) in the TRANSACTION state, and only when it says QUIT does
// the server enter the UPDATE state and delete the marked messages. RSET unmarks
// them; a connection that ends without QUIT deletes nothing.
//
// ParseCommand, ParseResponse, Reader and WriteMultiline are the parsers and
// writers the lab's POP3 server and client share with the Analyzer, which frames
// a conversation into commands and responses (each shown as the line that
// crossed, secrets masked; a retrieved mail is one message, its status line
// with the mail's sender, subject and size beside it), explains each and
// follows the session's state (States, Transitions). After STLS is accepted the
// rest of the connection is TLS; given the lab's key log the analyzer shows the
// decrypted POP3 inside.
//
// Left out: the SASL exchange of AUTH (RFC 5034) is shown but not decoded, and
// the UTF8 and LANG extensions (RFC 6856) are shown as unknown commands.
package pop3
