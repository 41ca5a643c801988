// Package labfile saves and reopens lab sessions: the whole bench (which servers
// run, on which ports, with which settings), each client pane's saved requests,
// and the captured conversations with their events and TLS keys. Save writes a
// file atomically, Load reads one all or nothing, Session.Restore puts a bench
// back as it was, and an Autosaver keeps a recovery file of the live session.
//
// # The format
//
// A session file (extension .protolab; docs/labfile.md has every byte) is:
//
//	"PROTOLAB\x00"          9 bytes: the magic
//	version                 uint32, big-endian: FormatVersion (5)
//	header length           uint32, big-endian (at most MaxHeaderBytes)
//	header                  JSON: format, app, saved, bench, clients, counts, body sizes
//	body                    the conversations, TLS keys and events, compressed with
//	                        deflate (RFC 1951): a compact binary encoding of varints
//	                        and back-referenced strings
//	trailer                 "PROTOEND", conversations and events (uint64 each),
//	                        CRC-32C (Castagnoli) of every byte before the trailer
//
// A file from a newer format, a damaged or truncated one and one that is not a
// session are refused with an error saying which (ErrNewer, ErrDamaged,
// ErrNotSession); claimed sizes beyond the Max bounds are refused before anything
// is allocated for them, and the checksum is verified before the body is decoded,
// so a reader gets a whole session or none. A 100,000-event session opens in a
// small fraction of a second (BenchmarkLoad).
//
// A session file holds what the lab captured, passwords sent in the clear and the
// secrets that decrypt TLS included: Save makes it readable by its owner only.
package labfile
