// Package smtp is what the lab knows about SMTP, the protocol that carries mail
// from a client to its server and from server to server: RFC 5321 (commands,
// replies, the DATA section and its dot-stuffing), RFC 3207 (STARTTLS), RFC 4954
// (AUTH, with the PLAIN and LOGIN mechanisms of RFC 4616 and the LOGIN draft),
// RFC 3463 (enhanced status codes such as 5.7.1), RFC 2920 (PIPELINING) and
// RFC 3030 (CHUNKING's BDAT).
//
// Its Analyzer frames a captured SMTP connection into commands and replies
// (multi-line replies as one message), shows a DATA section as one message with
// the mail's From, To, Subject and size, masks the passwords of AUTH in its
// summaries (the raw bytes keep them), and follows the session's state (States,
// Transitions). After "220 Ready to start TLS" it hands the rest of the
// connection to the TLS analyzer, with an SMTP analyzer inside it, so that with
// the lab's key log the commands inside TLS show again.
package smtp
