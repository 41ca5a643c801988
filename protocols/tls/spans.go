package tls

import (
	"fmt"

	"github.com/protocollab/protolab/lab"
)

// placeHandshake puts the handshake header's fields first, with their bytes
// (RFC 8446 §4: a type byte and a 24-bit length), and gives a hello's legacy
// version, random and session ID theirs: they lie at fixed places after it.
func placeHandshake(m *lab.Message, typ uint8) {
	head := []lab.Field{
		{Name: "handshake type", Value: fmt.Sprintf("%s (%d)", handshakeName(typ), typ), Off: 0, Len: 1},
		{Name: "handshake length", Value: fmt.Sprintf("%d bytes", len(m.Raw)-4), Off: 1, Len: 3},
	}
	m.Fields = append(head, m.Fields...)
	if typ != HandshakeClientHello && typ != HandshakeServerHello {
		return
	}
	for i := range m.Fields {
		f := &m.Fields[i]
		switch f.Name {
		case "legacy version":
			f.Off, f.Len = 4, 2
		case "client random", "server random":
			f.Off, f.Len = 6, 32
		case "session id":
			if len(m.Raw) > 38 {
				f.Off, f.Len = 38, 1+int(m.Raw[38])
			}
		}
		if !f.Spanned(m.Raw) {
			f.Off, f.Len = 0, 0
		}
	}
}
