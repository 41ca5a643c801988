package imap

import (
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestFieldSpans(t *testing.T) {
	msgs := analyzertest.FeedSpans(t, NewAnalyzer(), sessionSteps)
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "a4 SELECT INBOX"), analyzertest.Spans{"tag": "a4", "command": "SELECT", "mailbox": "INBOX"})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "a5 UID FETCH 1:* (UID FLAGS RFC822.SIZE)"), analyzertest.Spans{"tag": "a5", "command": "UID FETCH"})
	done := analyzertest.Find(t, msgs, "a2 OK [CAPABILITY IMAP4rev2 IDLE] LOGIN completed")
	analyzertest.ExpectSpans(t, done, analyzertest.Spans{"tag": "a2", "status": "OK", "text": "LOGIN completed"})
}
