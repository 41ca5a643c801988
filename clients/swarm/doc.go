// Package swarm shares one file among N lab peers (2–8) in pieces over
// WebRTC data channels, as BitTorrent (BEP 3) does over TCP: every peer
// downloads pieces from several others and uploads to them, and the file is
// whole at each peer without one server carrying it to all.
//
// # The swarm
//
// A Meta describes the file as a .torrent does: its name, size, piece size
// and each piece's SHA-256. Each Member joins one room of the lab's
// signalling server (servers/p2pserver) and connects to every other member:
// a member calls (p2pclient.Peer.Call) the members already in the room and
// answers those that join after it, so the swarm is a full mesh with no two
// peers offering to each other at once. Each connection has its own UDP
// socket, tapped by Options.Tap: the caller's as the client's side, the
// answerer's as the server's, so the lab joins both views of each flow.
//
// # The piece protocol
//
// Each connection carries one ordered, reliable data channel labelled
// "swarm" (subprotocol "protolab-swarm/1"). Every message is binary, its
// first byte its kind, integers big-endian:
//
//	'B' bitfield          the pieces the sender has, one bit each, most significant first (sent once, when the channel opens)
//	'H' index(4)          the sender now has piece index (sent to every neighbour when a piece is whole and checked)
//	'R' index(4)          the sender asks for piece index (only of a neighbour that has it)
//	'P' index(4) off(4) b a block of piece index at byte off (BlockSize bytes, the last block of a piece shorter)
//
// A member keeps at most Options.MaxRequests pieces requested from each
// neighbour and chooses the next piece rarest first among its neighbours'
// (ties broken at random), never asking two neighbours for one piece. A
// piece whose SHA-256 does not match is dropped and asked again; a
// neighbour that vanishes (its connection closes or fails) takes its
// requests with it, and they go to the neighbours that remain. A neighbour
// asking for a piece the member does not have, or sending what was not asked
// for, is ignored.
//
// # What a pane shows
//
// Options.OnPiece is told each piece that arrives whole (from whom, to
// whom); Member.Stats is a snapshot of a member's totals, per neighbour and
// per piece (who sent it).
//
// Left out of BEP 3: choking and tit-for-tat (every neighbour is served),
// endgame mode, the tracker (the signalling room finds the peers) and the
// metainfo's transfer (Meta is given to each member).
package swarm
