package smtpserver

// MaxLineBytes bounds a line a client sends, a command or a line of DATA, CRLF
// included. RFC 5321 §4.5.3.1.6 sets 1,000 bytes for a text line; go-smtp's
// default, twice that, is kept for lenient clients. A longer line is answered
// 500 5.4.0 as soon as the bound is read, and the connection closed. A whole
// message is bounded by Options.MaxMessageBytes (552 5.3.4).
const MaxLineBytes = 2000
