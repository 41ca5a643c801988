package pgsql

import (
	"fmt"
	"testing"

	"github.com/protocollab/protolab/lab"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestDump(t *testing.T) {
	for name, f := range map[string]func(testing.TB) []step{"simple": simpleQuery, "ext": extended, "tx": txFail, "copy": copyInOut, "scram": scram, "md5": md5, "ssl": sslNo, "cancel": cancel, "bad": badSQL} {
		a := NewAnalyzer()
		a.Opened(lab.OpenInfo{})
		fmt.Println("==", name)
		for _, m := range analyzertest.Feed(a, f(t), 0) {
			fmt.Printf("%v %q [%s] role=%d pair=%q\n", m.Dir, m.Summary, m.NextState, m.Role, m.Pair)
			if testing.Verbose() {
				for _, f := range m.Fields {
					fmt.Printf("     %s = %s (%d+%d) %q\n", f.Name, f.Value, f.Off, f.Len, f.Bytes(m.Raw))
				}
			}
		}
	}
}
