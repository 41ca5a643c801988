package websocket

import "github.com/protocollab/protolab/lab"

// placeFrame gives a frame's fields the bytes they are read from in raw, the
// frame as kept (§5.2): FIN, RSV and the opcode share the first byte, MASK and
// the 7-bit length the second, then the extended length, the masking key and the
// payload (a close frame's: its status code, then its reason). A field whose
// bytes were not kept has none.
func placeFrame(fields []lab.Field, raw []byte) {
	if len(raw) < 2 {
		return
	}
	hl := headerLen(raw[1])
	masked := raw[1]&0x80 != 0
	key := 0
	if masked {
		key = 4
	}
	for i := range fields {
		f := &fields[i]
		switch f.Name {
		case "FIN", "RSV1 RSV2 RSV3", "opcode":
			f.Off, f.Len = 0, 1
		case "MASK":
			f.Off, f.Len = 1, 1
		case "payload length":
			f.Off, f.Len = 1, hl-1-key
		case "masking key":
			f.Off, f.Len = hl-4, 4
		case "payload", "payload (hex)":
			f.Off, f.Len = hl, len(raw)-hl
		case "status code":
			f.Off, f.Len = hl, 2
		case "reason":
			f.Off, f.Len = hl+2, len(raw)-hl-2
		}
		if f.Len <= 0 || !f.Spanned(raw) {
			f.Off, f.Len = 0, 0
		}
	}
}
