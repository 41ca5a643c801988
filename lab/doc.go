// Package lab is Protocol Lab's core: it knows no protocol and no GUI.
//
// Servers and clients stay ordinary; the lab watches their bytes. Every connection
// passes through a tap (Tap.Listener, Tap.Conn, Tap.Dial, Tap.PacketConn) that turns
// what happens on it into Events on one Hub. A Conversation is one TCP connection or
// one UDP flow; when both ends are in the lab the client's and the server's taps are
// joined into one conversation by the address pair. Per-protocol Analyzers, looked up
// in a Registry, frame the byte stream into Messages and track the session state.
// One protocol nests in another by key, as gopacket's layers name the next
// LayerType: each protocol declares the Layers reached by an ALPN value, an HTTP
// Upgrade token, a WebSocket subprotocol, a STARTTLS go-ahead or a datagram's
// first byte (NextKey); the Registry collects them into one table, which the hub
// hands to every analyzer that carries others (LayerUser), and a Demux splits one
// flow of datagrams among them.
//
// The Hub is bounded by bytes and never blocks a tapped connection: a slow reader
// loses the oldest events and is told how many it missed. The desktop app, the
// headless `protolab serve` command and saved lab sessions are all readers of the hub,
// and the Bench (which servers run, on which addresses) is shared by both front ends.
package lab
