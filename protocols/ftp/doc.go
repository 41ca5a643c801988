// Package ftp is what the lab knows about the File Transfer Protocol: the command
// and reply syntax of RFC 959 (with the multi-line replies of §4.2), the extended
// addresses of RFC 2428 (EPRT, EPSV), the extensions of RFC 3659 (SIZE, MDTM,
// REST STREAM, MLST and MLSD), feature negotiation of RFC 2389 (FEAT, OPTS) and
// AUTH TLS of RFC 4217.
//
// FTP uses two kinds of TCP connection. The control connection carries commands
// (client → server, one CRLF-terminated line each) and numbered replies (server →
// client); Protocol describes it and its Analyzer shows each command and reply with
// its meaning, decodes the addresses of PASV, EPSV, PORT and EPRT into who will
// connect to whom, and follows the session's state. Every listing or file travels
// on a data connection of its own, opened by the client in passive mode (PASV,
// EPSV) or by the server in active mode (PORT, EPRT); DataProtocol describes those,
// and its analyzer counts and hashes their bytes and keeps only a preview. After
// PROT P (RFC 4217 §9) a data connection is TLS from its first byte, the FTP
// client being the TLS client whoever connected; the analyzer hands it to TLS and,
// given the lab's key log, reports the decrypted file, or says it cannot be read.
//
// ParseCommand, ParseReply and ReplyReader are the parsers the lab's FTP server
// and client share with the analyzer.
//
// Left out: after AUTH TLS is accepted (234) the control connection is TLS; the
// analyzer says "encrypted from here" and, given the lab's key log, shows the
// decrypted commands and replies as the "ftp" layer inside the "tls" layer. Block
// and compressed modes (MODE B, C), record structure (STRU R) and the Telnet
// option negotiation beyond stripping IAC sequences are not analyzed.
package ftp
