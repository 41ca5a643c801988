// Package nats is what the lab knows about the NATS client protocol
// (docs.nats.io, "Client Protocol"): a text protocol of CRLF-ended control
// lines — INFO, CONNECT, PUB, HPUB, SUB, UNSUB, MSG, HMSG, PING, PONG, +OK and
// -ERR — where PUB, HPUB, MSG and HMSG are followed by a payload whose length
// the line gives, and which is framed by that length, not by lines (it may hold
// CR LF of its own). HPUB and HMSG carry headers before the payload, as a
// "NATS/1.0" line and header lines like HTTP's.
//
// The analyzer frames every line and payload with the bytes each field was
// read from, shows INFO's and CONNECT's JSON as fields (CONNECT's password and
// tokens masked), marks every PUB and HPUB (client to server) and MSG and HMSG
// (server to client) as a publication through the broker (lab.Publication,
// the subject as it is), and follows the session: connecting once the
// server's INFO came, connected after the client's CONNECT, closed with the
// connection.
//
// Bad input gets a message that says what nats-server does about it: a
// control line over MaxControlLine bytes ("Maximum Control Line Exceeded"), a
// byte count that is not a number or a payload not followed by CR LF ("Parser
// Error"), an unknown verb ("Unknown Protocol Operation"). Framing goes on at
// the next line. A payload over MaxPayload is shown by its line and counted,
// not held.
//
// Wireshark 4.0 has no NATS dissector, so a capture names none.
package nats
