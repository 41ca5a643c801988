package imap

import (
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestFieldSpans(t *testing.T) {
	msgs := analyzertest.Feed(NewAnalyzer(), sessionSteps, 0)
	analyzertest.CheckSpans(t, msgs)
	find := func(summary string) lab.Message {
		t.Helper()
		for _, m := range msgs {
			if m.Summary == summary {
				return m
			}
		}
		t.Fatalf("no message %q in %q", summary, analyzertest.Summaries(msgs))
		return lab.Message{}
	}
	analyzertest.ExpectSpans(t, find("a4 SELECT INBOX"), analyzertest.Spans{"tag": "a4", "command": "SELECT", "mailbox": "INBOX"})
	analyzertest.ExpectSpans(t, find("a5 UID FETCH 1:* (UID FLAGS RFC822.SIZE)"), analyzertest.Spans{"tag": "a5", "command": "UID FETCH"})
	done := find("a2 OK [CAPABILITY IMAP4rev2 IDLE] LOGIN completed")
	analyzertest.ExpectSpans(t, done, analyzertest.Spans{"tag": "a2", "status": "OK", "text": "LOGIN completed"})
}
