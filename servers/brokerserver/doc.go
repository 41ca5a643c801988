// Package brokerserver is the lab's publish/subscribe broker: one embedded
// nats-server (github.com/nats-io/nats-server/v2) with JetStream, speaking the
// NATS client protocol and MQTT 3.1.1 (OASIS, 2014) to clients that share its
// messages. An MQTT topic is a NATS subject with "/" turned into ".": what an
// MQTT client publishes to lab/sensors/t1 reaches NATS subscribers of
// lab.sensors.t1, and back. MQTT's retained messages, persistent sessions and
// QoS 1 and 2 messages in flight live in JetStream's file store (BrokerOptions.
// StoreDir, bounded in size), so they survive a restart of the broker.
//
// The broker has three listeners, each a Server: NATS (4222), MQTT (1883) and
// MQTT over TLS (8883, a certificate from the lab's CA). In the lab they are
// three protocols of the registry sharing one Broker (see the Module
// variables); the server rail shows them as one row, MQTT's.
//
// # How the lab sees every byte
//
// nats-server opens its own listeners and offers no way to hand its MQTT side a
// connection accepted elsewhere (its MQTT accept loop is its own), and its
// in-process NATS connection (Server.InProcessConn) is a net.Pipe, which cannot
// half-close: a client that sends its last command and closes its side, as nc
// does, would lose the answer. So each Server is a front listener the lab opens
// and taps as it does every server's; it accepts the client's connection and
// relays its bytes, as they come, to the broker's own listener for that
// protocol on a free loopback port that nothing else dials (Broker.ServeNATS,
// Broker.ServeMQTT), and the broker's bytes back. The capture is of the front
// socket, the one the client is connected to: the bytes, their order and the
// closes are the client's and the broker's, from the first (NATS's INFO, MQTT's
// CONNECT). What it does not show is the loopback hop behind it, which adds a
// copy per message and a second socket per client; the broker sees every
// client as coming from 127.0.0.1, and the port in its NATS INFO is that of
// its own listener behind the front, not the one the client dialled. For MQTT over TLS the front does the TLS
// handshake (its secrets go to the hub's key log) and relays the plaintext.
//
// A client's FIN is passed on as a FIN, so the broker answers what it read
// before it closes; when the broker closes (a client's protocol error: a bad
// remaining length, a wildcard in a PUBLISH topic, a packet over
// BrokerOptions.MaxPayload, a first packet that is not CONNECT), the front
// closes the client's connection, and the broker serves everyone else as before.
//
// Left out: NATS over TLS, MQTT 5, MQTT over WebSocket, clustering, accounts and
// authentication (every client is let in).
package brokerserver
