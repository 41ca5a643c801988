package ftp

import (
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestFieldSpans(t *testing.T) {
	msgs := analyzertest.FeedSpans(t, NewAnalyzer(), sessionSteps)
	analyzertest.ExpectSpans(t, msgs[1], analyzertest.Spans{"command": "USER", "argument": "lab"})
	analyzertest.ExpectSpans(t, msgs[2], analyzertest.Spans{"code": "331", "text": "Password required for lab."})
	if _, ok := analyzertest.Span(msgs[3], "argument"); ok || msgs[3].Summary != "PASS ****" {
		t.Errorf("%q: the masked password has a span of its own", msgs[3].Summary)
	}
	analyzertest.ExpectSpans(t, msgs[7], analyzertest.Spans{"command": "RETR", "argument": "a.txt"})
}
