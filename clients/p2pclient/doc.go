// Package p2pclient is the lab's WebRTC peer: a pion PeerConnection
// (github.com/pion/webrtc/v4) whose only UDP socket is tapped by the lab, so
// the inspector shows its flow whole — ICE's STUN checks, the DTLS handshake
// decrypted with the secrets the peer logs, SCTP and the data channels
// (protocols/webrtc) — and the signalling client that finds other peers
// through the lab's signalling server (servers/p2pserver, protocols/p2p).
//
// # Peers
//
// New makes a Peer. Its socket (Socket, or one of its own on loopback) is
// tapped as Options.Tap; its DTLS master secrets and the ICE passwords of both
// ends go to the hub's key log. Its candidates are host candidates on the
// socket and, given Options.STUN, a server-reflexive one: the peer asks the
// STUN server from the same socket (pion would ask from a socket of its own,
// which the lab would not see) and adds the answer to its description.
// Descriptions carry every candidate (no trickle), so any signalling that
// carries one SDP each way works:
//
//	a: ch, _ := a.OpenChannel("chat", ChannelOptions{})   // before the offer
//	a: offer, _ := a.CreateOffer(ctx)
//	b: answer, _ := b.Answer(ctx, offer)                   // a WHIP endpoint does this with a POSTed offer
//	a: a.AcceptAnswer(answer)
//	a: a.Connected(ctx); ch.WaitOpen(ctx); ch.SendText("hello")
//
// Through the lab's signalling the same is Peer.Call on one side and an
// Answerer serving a Signal on the other; the flow ICE chooses is then linked
// to the offerer's signalling conversation (lab.LinkSignal).
//
// # Channels, text and files
//
// A Channel is one data channel (RFC 8831), ordered or not, reliable or
// partially reliable (ChannelOptions). It sends text and binary messages
// and files: SendFile frames a file as a start (name and size), chunks of
// ChunkSize and an end carrying its SHA-256, which the receiver checks
// (File). Several peers on one Socket, each with channels, is what a swarm
// is made of.
//
// # States and errors
//
// Options.OnState reports each layer's state changes (ICE gathering and
// connection, DTLS, SCTP, the peer connection, each channel, the STUN
// question) for a pane's lights. A peer that vanishes is noticed after
// Options.FailTimeout of silence: the connection fails (ErrPeerFailed), every
// channel ends, a file being sent returns the error and one being received is
// given to OnFile with File.Err. The signalling server's refusals are *Error
// values with its words.
//
// Left out: media (RTP), TURN relays, trickle ICE of the peer's own
// candidates (it accepts trickled ones: AddCandidate), IPv6, renegotiation.
package p2pclient
