// Package p2pserver is what the lab runs so that WebRTC peers find each
// other, and no more: the data then goes peer to peer. It has three parts,
// each a server with the net/http lifecycle and, in the lab, a protocol of
// the registry of its own (the Module variables; the server rail shows them
// as one row, p2p's):
//
//   - SignalServer, the signalling server (protocols/p2p): rooms of peers
//     over WebSocket (RFC 6455) at /signal, on a port of its own (8188).
//     Peers join a room and pass each other SDP offers and answers (RFC
//     8829) and candidates; the server checks what it passes on (a room that
//     does not exist, a peer not in the room, an SDP that does not parse or
//     lacks ICE credentials or a DTLS fingerprint get an error message that
//     says why) and serves on whatever a peer sends.
//   - STUNServer, a STUN server (RFC 8489) on UDP 3478: it answers
//     well-formed Binding requests with the address they came from
//     (XOR-MAPPED-ADDRESS), which is how a peer learns its server-reflexive
//     candidate. It is not a TURN server (RFC 8656): it allocates nothing and
//     relays nothing, so no peer's data ever crosses it. Other requests get
//     an error response that says why.
//   - AnsweringPeer, the lab's own peer (clients/p2pclient): it waits in a
//     room ("lab") and answers every offer with a new PeerConnection on its
//     one UDP socket, echoing each data-channel message back on the channel
//     it came in on (or, in chat mode, staying quiet for its owner to speak).
//
// # Why signalling has its own port
//
// The lab's WebSocket server (servers/wsserver) is another protocol's, with
// its own tap and rail row: a room on it would be captured as a "ws"
// conversation, need that server running, and tie two packages' lifecycles
// together. On its own listener the signalling conversations are the p2p
// protocol's (read as WebSocket: the JSON messages are shown frame by
// frame), start and stop with the P2P switch, and are linked to the peer
// flows they set up (lab.LinkSignal, by the lab peer that sees ICE choose the
// flow). The answering peer signals in process (SignalServer.DialLocal), so
// its own side of the room is no conversation that stays open as long as the
// server; the flows of outside offerers are linked to their signalling
// conversations as the server saw them (SignalServer.ConversationOf).
//
// Left out: TURN, trickle of the answering peer's own candidates, rooms'
// access control (every peer is let in), media.
package p2pserver
