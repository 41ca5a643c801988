// Package mqtt is what the lab knows about MQTT 3.1.1 (OASIS Standard, 29
// October 2014): the fixed header of every control packet (§2.2) with its
// remaining length (§2.2.3), and each of the fourteen packets (§3.1–§3.14) field
// by field, with the bytes each field was read from. The analyzer follows the
// session (connecting → connected or refused → disconnected), marks every
// PUBLISH as a publication through the broker (lab.Publication, its topic as the
// NATS subject nats-server turns it into: TopicToSubject), and each QoS 1 and
// QoS 2 delivery as an exchange of its own (§4.3.2, §4.3.3), so the QoS 2
// four-step handshake can be drawn.
//
// TLSProtocol is MQTT over TLS on 8883 (§5, IANA's "secure-mqtt"): the TLS
// layer, decrypted with the lab's key log, with MQTT inside whatever the ALPN.
// Layer is MQTT as a layer TLS (ALPN "mqtt") or a WebSocket (subprotocol
// "mqtt", §6) reaches.
//
// Malformed input gets a message that says what is wrong and what a broker
// does about it (most faults close the network connection, §4.8): a packet
// type 0 or 15, reserved flag bits that are not as §2.2.2 fixes them, a
// wildcard in a PUBLISH's topic (§3.3.2.1), a first packet that is not CONNECT
// or a second CONNECT (§3.1). A packet that still frames is decoded as far as
// it goes and framing goes on; a remaining length of more than four bytes
// (§2.2.3) leaves nothing to frame by, so that direction is only counted from
// there. A packet longer than MaxPacket is shown by its header and counted,
// not held.
//
// Left out: MQTT 5.0's properties and reason codes (a CONNECT with protocol
// level 5 is named, and the broker refuses it as 3.1.1 says).
package mqtt
