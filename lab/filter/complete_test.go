package filter_test

import (
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/filter"
)

var completeTests = []struct {
	line  string
	start int
	want  []string // each must be offered
	not   []string // none of these may be
}{
	{"", 0, []string{"smtp", "ftp-data", "tls", "rst", "code", "dir", "not"}, []string{"and", "==", "tls.sni"}},
	{"sm", 0, []string{"smtp"}, []string{"ftp", "tls"}},
	{"ftp", 0, []string{"ftp", "ftp-data"}, []string{"smtp"}},
	{"smtp and co", 9, []string{"code"}, []string{"smtp", "contains"}},
	{"smtp an", 5, []string{"and"}, []string{"or", "smtp"}},
	{"code ", 5, []string{">=", "==", "!="}, []string{"contains", "smtp"}},
	{"dir == ", 7, []string{"c2s", "s2c"}, []string{"smtp"}},
	{"dir == c", 7, []string{"c2s"}, []string{"s2c"}},
	{"proto == h", 9, []string{"http", "https"}, []string{"smtp"}},
	{"(tl", 1, []string{"tls"}, []string{"tls.sni"}},
	{"(tls.", 1, []string{"tls.sni"}, []string{"tls", "smtp.enhanced_code"}},
	{"tls.s", 0, []string{"tls.sni"}, []string{"tls"}},
	{"dir == c2s o", 11, []string{"or"}, []string{"and"}},
	{`text contains "x" `, 18, []string{"and", "or"}, nil},
}

func TestComplete(t *testing.T) {
	reg := testRegistry()
	paths := []string{"tls.sni", "smtp.enhanced_code"}
	for _, tt := range completeTests {
		start, got := filter.Complete(tt.line, len(tt.line), reg, paths)
		if start != tt.start {
			t.Errorf("Complete(%q) starts at %d, want %d", tt.line, start, tt.start)
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("Complete(%q) = %q, want %q among them", tt.line, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("Complete(%q) = %q, want no %q", tt.line, got, w)
			}
		}
	}
}

var pathTests = []struct{ layer, name, want string }{
	{"tls", "SNI (server name)", "tls.sni"},
	{"smtp", "enhanced code", "smtp.enhanced_code"},
	{"HTTP", "Content-Type", "http.content-type"},
	{"http", "body (hex)", "http.body"},
	{"tls", "a.b", "tls.ab"},
	{"tls", "", ""},
	{"tls", "what \"quoted\"", "tls.what_quoted"},
	{"tcp", "client's state", "tcp.clients_state"},
	{"tls", "(x)", "tls.x"},
	{"tls", "()", ""},
}

func TestFieldPath(t *testing.T) {
	reg := testRegistry()
	for _, tt := range pathTests {
		got := filter.FieldPath(tt.layer, tt.name)
		if got != tt.want {
			t.Errorf("FieldPath(%q, %q) = %q, want %q", tt.layer, tt.name, got, tt.want)
		}
		if got == "" {
			continue
		}
		// The path names the field it was made from.
		f, err := filter.Parse(got, reg)
		if err != nil {
			continue // a layer the test registry does not hold
		}
		ev := greetEv
		ev.Layer = tt.layer
		ev.Msg = &lab.Message{Fields: []lab.Field{{Name: tt.name, Value: "x"}}}
		if !f.Match(&filter.Subject{Conv: &smtpConv, Event: &ev}) {
			t.Errorf("%q does not find the field %q", got, tt.name)
		}
	}
}
