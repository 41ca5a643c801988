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
//
// # Wire order
//
// A tap records what happens in the order it happened on the wire. A write is
// recorded before it is written (the peer may answer before Write returns). On
// Linux, bytes that arrived are recorded before anything the tap records next,
// whether or not the application has read them: before recording a write or a
// close, the tap peeks at the socket's receive queue (SIOCINQ, MSG_PEEK) and
// records the bytes not yet recorded, and a read later records only what no peek
// did. So a server that speaks first (an SSH banner) or answers while the
// client's bytes wait unread (an SMTP 500 in the middle of an overlong line,
// pipelined commands) is recorded after what reached it first, and bytes left
// unread at close come before the reset they cause. Elsewhere, inbound bytes are
// recorded as they are read. Every event carries the time (Event.At) of what
// caused it: a reader that shows several conversations together orders them by
// it, keeping each conversation's own events in their order.
//
// # Locks
//
// Every exported type is safe for concurrent use. These are the locks behind that,
// outermost first; a goroutine holding one takes only locks further down the list:
//
//  1. Bench.mu: the bench's listen address, ports and settings, and each server's
//     state (running, starting, stopping, why it last failed). Held only for that
//     bookkeeping: a start or stop in progress is a state, not a held lock, so the
//     calls that wait for it hold nothing, and no Server method, OnChange callback
//     or hub lock is ever called or taken under it. Under it: the Registry's lock.
//  2. A tapped datagram socket's flow table lock (tapPacketConn.mu): the socket's
//     live flows by peer. Under it: Hub.convMu (a new flow is attached) and the
//     flows' Conversation.mu. It is the one lock held while OnConversation
//     callbacks run (a new flow is announced under it).
//  3. A tapped connection's close lock (tapConn.closeMu), which makes Close run
//     once at a time. Under it: its inbound lock and its Conversation.mu.
//  4. A tapped TCP connection's inbound lock (inbound.mu, Linux), which makes a
//     peek at the receive queue, or a read's receive, one step with the
//     recording of its bytes. Under it: its Conversation.mu.
//  5. Hub.convMu: the conversation table (by ID, in order, by address pair) and
//     the next ID. Under it: Conversation.mu — attach locks the conversation it
//     finds or makes before letting convMu go, so a tap joining it cannot come
//     between; trimming, Stats and Clear ask each conversation whether it is live.
//  6. Conversation.mu: one conversation's state, counters, layers' states and
//     analysis queue (its cond, drained, waits on it). Under it: Hub.mu (its events
//     are published as they happen) and Hub.anMu (its work is scheduled).
//  7. Hub.mu: the event log and the subscriptions. A leaf: Clear and Import take
//     it and convMu one after the other, never one inside the other.
//  8. The leaves: Hub.anMu (the conversations with analysis work), Hub.onConvMu
//     (the OnConversation callbacks: copied under it, called after), KeyLog.mu,
//     Registry.mu.
//
// Callbacks (Bench.OnChange, Hub.OnConversation) run with no bench, hub or
// conversation lock held, so they may call back in; an OnConversation callback
// must not block (a tapped socket may be waiting for it). An analyzer's Feed,
// Opened and Closed run on the hub's analysis goroutine with no lock held; its
// State, InnerStates and UseKeys are called under its conversation's lock or
// convMu, and must only read or set its fields.
package lab
