package smtp

import (
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestFieldSpans(t *testing.T) {
	msgs := analyzertest.FeedSpans(t, NewAnalyzer(), sessionSteps)
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "MAIL FROM:<alice@alpha.test> SIZE=120"), analyzertest.Spans{
		"command": "MAIL", "argument": "FROM:<alice@alpha.test> SIZE=120", "sender": "alice@alpha.test", "parameter": "SIZE=120",
	})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "RCPT TO:<eve@outside.example>"), analyzertest.Spans{"recipient": "eve@outside.example"})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "550 5.7.1 Relaying denied"), analyzertest.Spans{
		"code": "550", "enhanced code": "5.7.1", "text": "Relaying denied",
	})
	ehlo := msgs[2] // the EHLO reply: its extensions, each on its line
	analyzertest.ExpectSpans(t, ehlo, analyzertest.Spans{"code": "250", "extension": "PIPELINING"})
}
