// Package tcp is what the lab knows about TCP (RFC 9293) and about its TCP echo/chat
// service: the connection state machine of RFC 9293 Figure 5, and an analyzer that
// shows a connection's life as messages.
//
// The sockets API does not show packets. The analyzer therefore draws the three-way
// handshake (SYN, SYN-ACK, ACK) from a successful connect or accept, the teardown
// (FIN and its ACK, or RST) from what the taps report when a socket is closed or a
// read ends, and marks such steps as inferred (Message.Observed false). It draws a
// FIN or a RST only where a tap saw it (end-of-file, a reset) or the kernel made it
// certain (lab.CloseInfo); a socket that closed without the lab knowing what it sent
// is shown as that, with no segment. What the
// handshake negotiated comes from the kernel (TCP_INFO on Linux). The application's
// bytes are shown as they are, framed into lines when they are line-oriented text.
//
// Left out: sequence and acknowledgment numbers, windows, retransmissions and
// everything else only a packet capture could show; simultaneous open; and the end
// of TIME-WAIT, which the kernel handles after the lab has stopped watching.
package tcp
