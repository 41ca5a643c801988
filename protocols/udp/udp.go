// Package udp is what the lab knows about UDP (RFC 768) and its UDP echo service:
// an analyzer that shows each datagram as one message.
//
// UDP has no handshake, no connection and so no state machine: each datagram stands
// alone. The lab groups datagrams between the same two addresses into a flow, which
// ends after a quiet spell (lab.HubOptions.FlowIdle); that grouping is the lab's, not
// UDP's. Left out: checksums and lengths from the header, which the sockets API hides.
package udp

import "github.com/protocollab/protolab/lab"

// DefaultPort is where the lab's UDP echo server listens unless told otherwise.
const DefaultPort = 7001

// Protocol describes UDP and the lab's echo service for the registry. It returns a
// new value on each call. NewServer is left nil: the app wires the server in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:           "udp",
		Title:          "UDP echo",
		DefaultPort:    DefaultPort,
		Transport:      "udp",
		Connectionless: true,
		About: "UDP sends datagrams: each one stands alone and arrives whole or not at all. There is no " +
			"handshake and no connection state, so there is no state diagram (RFC 768); the echo " +
			"server sends every datagram back to its sender.",
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "echo", Ports: []uint16{7}},
	}
}
