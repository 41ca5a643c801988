package framing

import (
	"testing"

	"github.com/protocollab/protolab/lab"
)

func TestPlace(t *testing.T) {
	m := lab.Message{Raw: []byte("mail FROM:<alice@alpha.test> SIZE=10\r\n"), Fields: []lab.Field{
		{Name: "command", Value: "MAIL"}, {Name: "argument", Value: "FROM:<alice@alpha.test> SIZE=10"},
		{Name: "sender", Value: "alice@alpha.test"}, {Name: "parameter", Value: "SIZE=10"},
		{Name: "decoded", Value: "not written"}, {Name: "other", Value: "MAIL"},
	}}
	Place(&m, "command", "argument", "sender", "parameter", "decoded")
	want := []string{"mail", "FROM:<alice@alpha.test> SIZE=10", "alice@alpha.test", "SIZE=10", "", ""}
	for i, f := range m.Fields {
		if got := string(f.Bytes(m.Raw)); got != want[i] {
			t.Errorf("field %q covers %q, want %q", f.Name, got, want[i])
		}
	}
}
