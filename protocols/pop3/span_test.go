package pop3

import (
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestFieldSpans(t *testing.T) {
	msgs := analyzertest.FeedSpans(t, NewAnalyzer(), sessionSteps)
	analyzertest.ExpectSpans(t, msgs[3], analyzertest.Spans{"command": "USER", "arguments": "alice"})
	if _, ok := analyzertest.Span(msgs[5], "arguments"); ok {
		t.Errorf("%q: the masked password has a span of its own", msgs[5].Summary)
	}
	analyzertest.ExpectSpans(t, msgs[6], analyzertest.Spans{"status": "-ERR", "text": "invalid user name or password"})
	analyzertest.ExpectSpans(t, msgs[2], analyzertest.Spans{"status": "+OK", "text": "Capability list follows"})
}
