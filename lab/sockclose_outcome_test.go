package lab

import (
	"strings"
	"syscall"
	"testing"
)

var closeOutcomeTests = []struct {
	name    string
	v       sockView
	known   bool
	aborted bool
	by      Side
	how     string
	why     string // a part of the evidence
}{
	{"nothing unread", sockView{State: "ESTABLISHED"}, true, false, SideClient, HowFIN, ""},
	{"after the peer's FIN", sockView{State: "CLOSE-WAIT"}, true, false, SideClient, HowFIN, ""},
	{"bytes unread", sockView{State: "ESTABLISHED", Unread: 1}, true, false, SideClient, HowRST, "1 byte it had not read"},
	{"SO_LINGER 0", sockView{State: "ESTABLISHED", Linger0: true}, true, false, SideClient, HowRST, "SO_LINGER"},
	{"aborted, system silent", sockView{}, false, true, SideClient, HowRST, "SO_LINGER"},
	{"reset after the peer's FIN", sockView{State: "CLOSED", Err: syscall.EPIPE}, true, false, SideServer, HowRST, "client's kernel had received a reset"},
	{"reset", sockView{State: "CLOSED", Err: syscall.ECONNRESET, Unread: 3}, true, false, SideServer, HowRST, "the close sent nothing"},
	{"ended without an error", sockView{State: "CLOSED"}, true, false, SideClient, HowClosed, "the close sent nothing"},
	{"system silent", sockView{}, false, false, SideClient, HowClosed, "does not say"},
}

// closeOutcomeOf decides what the client's close sent from the kernel's view.
func TestCloseOutcome(t *testing.T) {
	for _, tt := range closeOutcomeTests {
		o := closeOutcomeOf(SideClient, tt.v, tt.known, tt.aborted)
		if o.by != tt.by || o.how != tt.how || !strings.Contains(o.why, tt.why) {
			t.Errorf("%s: %v %s (%q), want %v %s (%q)", tt.name, o.by, o.how, o.why, tt.by, tt.how, tt.why)
		}
	}
}
