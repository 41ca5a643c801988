// Package framing is the analyzers' kit for cutting a byte stream into the
// messages of a protocol, one direction at a time, holding no more than a bound:
//
//   - Lines frames the CRLF-ended lines of the text protocols (FTP, POP3, SMTP;
//     RFC 5234's CRLF), and skips the rest of a line that outgrows its bound;
//     Overlong and Unended describe those two faults to a person.
//   - Length frames length-prefixed binary data: a Size says, from the start of
//     a frame, how long it is. BigEndian covers a fixed-width length (DNS over
//     TCP's two bytes, PostgreSQL's type byte and int32), VariableLength MQTT's
//     remaining length; a protocol with rules of its own (SSH's packet_length
//     and padding) writes its own Size.
//   - Queue holds the commands that wait for their replies, so that each reply
//     is matched to the command it answers (FTP, SMTP, POP3, IMAP).
//
// Like the analyzers that use them, these types are used from one goroutine at a
// time; their zero values are empty and ready.
package framing
