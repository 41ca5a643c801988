package smtp

import (
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// TestStartTLSPipelined checks that the commands a client pipelines after
// STARTTLS, in the same segment, show as discarded (the server discards them)
// and that TLS starts at the handshake after them: it is decoded and decrypted.
func TestStartTLSPipelined(t *testing.T) {
	steps, keys := analyzertest.StartTLS{
		Greeting: "220 mail.lab.test ESMTP\r\n",
		Ask:      "STARTTLS\r\nRSET\r\nMAIL FROM:<a@b>\r\n",
		GoAhead:  "220 2.0.0 Ready to start TLS\r\n",
		Inside:   []string{"EHLO x\r\n", "250 mail.lab.test\r\n", "QUIT\r\n", "221 bye\r\n"},
	}.Run(t)
	for _, chunk := range []int{0, 3} {
		a := NewAnalyzer()
		a.UseKeys(keys)
		a.Opened(lab.OpenInfo{})
		msgs := analyzertest.Feed(a, steps, chunk)
		var own, tls []string
		for _, m := range msgs {
			switch m.Layer {
			case "":
				own = append(own, m.Summary)
			case "tls":
				tls = append(tls, m.Summary)
			}
			if strings.Contains(m.Summary, "malformed") || strings.Contains(m.Meaning, "not a TLS record") {
				t.Errorf("chunks of %d: %s message %q: %s", chunk, m.Layer, m.Summary, m.Meaning)
			}
		}
		want := []string{"220 mail.lab.test ESMTP", "STARTTLS", "220 2.0.0 Ready to start TLS", "discarded: RSET", "discarded: MAIL FROM:<a@b>",
			"encrypted from here (TLS)", "EHLO x", "250 mail.lab.test", "QUIT", "221 bye"}
		if !slices.Equal(own, want) {
			t.Errorf("chunks of %d: SMTP messages\n%q, want\n%q", chunk, own, want)
		}
		if len(tls) == 0 || !strings.HasPrefix(tls[0], "ClientHello") {
			t.Errorf("chunks of %d: TLS messages %q, want the ClientHello first", chunk, tls)
		}
		for _, m := range msgs {
			if m.Summary == "discarded: RSET" && (m.Dir != lab.ClientToServer || m.Ref != "RFC 3207 §4.2" || string(m.Raw) != "RSET\r\n") {
				t.Errorf("discarded RSET = %+v", m)
			}
		}
		if a.State() != StateQuit {
			t.Errorf("chunks of %d: state %q, want %q", chunk, a.State(), StateQuit)
		}
	}
}
