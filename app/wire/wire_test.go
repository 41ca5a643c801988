package wire

import "testing"

// TestModuleSettings: a server module's settings replace its protocol's, so a
// setting the protocol's description declares (TCP's service, DNS's zone) must
// be among its server's, or the bench and `serve --config` lose it.
func TestModuleSettings(t *testing.T) {
	for _, m := range modules() {
		if m.Server == nil {
			continue
		}
		keys := map[string]bool{}
		for _, s := range m.Server.Settings {
			keys[s.Key] = true
		}
		for _, s := range m.Protocol.Settings {
			if !keys[s.Key] {
				t.Errorf("%s: the protocol's setting %q is not among its server module's", m.Protocol.Name, s.Key)
			}
		}
	}
}
