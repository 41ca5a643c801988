package wire_test

import (
	"testing"

	"github.com/protocollab/protolab/app/wire"
)

// TestEveryProtocolDeclares holds each protocol of the lab to what its
// consumers read of it instead of its name. (Client panes are held to the
// registry in app/ui: TestEveryServerHasAClientPane.)
func TestEveryProtocolDeclares(t *testing.T) {
	reg := wire.Registry()
	t.Run("dissector", func(t *testing.T) {
		// The pcapng export's Decode As rules come from these: a protocol
		// without one shows in Wireshark as raw data.
		for _, p := range reg.All() {
			if !p.Dissector.Declared() {
				t.Errorf("%s declares no Wireshark dissector: set Dissector.Name in its protocols/<p> description, or Dissector.None to say why it needs none", p.Name)
			}
		}
	})
}
