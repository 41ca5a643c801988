package daytime

import (
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestTimeSpan(t *testing.T) {
	msgs := NewAnalyzer().Feed(lab.ServerToClient, []byte("Saturday, December 5, 2026 07:30:00-UTC\r\n"), time.Time{})
	if len(msgs) != 1 {
		t.Fatalf("messages %q", analyzertest.Summaries(msgs))
	}
	analyzertest.ExpectSpans(t, msgs[0], analyzertest.Spans{"time": "Saturday, December 5, 2026 07:30:00-UTC"})
}
