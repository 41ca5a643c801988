// Package export turns a lab session's conversations and events into the files
// other programs read:
//
//   - PCAPNG: a capture file for Wireshark and tshark (the pcapng format,
//     draft-ietf-opsawg-pcapng). Each TCP conversation becomes real packets on a
//     synthetic Ethernet link (the three-way handshake of RFC 9293 §3.5, data
//     segments with continuous sequence and acknowledgement numbers, one per
//     write, or as the reader took the bytes when only the reader's tap saw them,
//     then the FINs and RST the taps saw, half-closes in their place), each UDP
//     flow datagrams (RFC 768). The lab's
//     TLS key log goes into a Decryption Secrets Block before the packets, so
//     Wireshark decrypts HTTPS and FTPS too.
//   - HAR: the HTTP Archive 1.2 format that browsers' developer tools open, one
//     entry per HTTP/1.x exchange (RFC 9112), over plain connections and inside
//     TLS (the TLS analyzer's decrypted "http" layer).
//   - EML: mail messages (RFC 5322) found in SMTP's DATA (RFC 5321 §4.1.1.4),
//     one .eml file each.
//   - JSONL: events as JSON lines, the lines `protolab serve --json` prints.
//
// The exports write what the lab kept. Bytes it did not keep (past a protocol's
// capture limit, or events dropped by the hub's bound) cannot be exported: the
// pcapng file then jumps its sequence numbers over them, as a capture that lost
// packets does, and says so in comments that Wireshark shows.
package export
