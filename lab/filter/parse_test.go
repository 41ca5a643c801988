package filter_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/filter"
	"github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/tls"
	"github.com/protocollab/protolab/protocols/udp"
)

// testRegistry holds the protocols the tests name.
func testRegistry() *lab.Registry {
	reg := &lab.Registry{}
	for _, p := range []*lab.Protocol{tcp.Protocol(), udp.Protocol(), dns.Protocol(), http.Protocol(),
		tls.HTTPSProtocol(), ftp.Protocol(), ftp.DataProtocol(), smtp.Protocol()} {
		reg.Register(p)
	}
	return reg
}

var parseTests = []struct {
	in, want string // want: the canonical form
	messages bool
}{
	{"smtp and code >= 400", "smtp and code >= 400", true},
	{"ftp-data", "ftp-data", false},
	{`tls.sni == "www.lab.test"`, `tls.sni == "www.lab.test"`, true},
	{"http && !(code == 200)", "http and not code == 200", true},
	{`client contains ":5432"`, `client contains ":5432"`, false},
	{"dir == c2s", "dir == c2s", true},
	{`state == "FIN-WAIT-2"`, `state == "FIN-WAIT-2"`, true},
	{`text contains "RSET"`, `text contains "RSET"`, true},
	{"rst", "rst", false},
	{"RST or FIN", "rst or fin", false},
	{"smtp || ftp && live", "smtp or ftp and live", false},
	{"(smtp || ftp) && live", "(smtp or ftp) and live", false},
	{"not not tcp", "not not tcp", false},
	{"a and (b and c)", "a and (b and c)", false},
	{"a or (b or c)", "a or (b or c)", false},
	{"!(a || b)", "not (a or b)", false},
	{"port == 2121", "port == 2121", false},
	{`summary ~ "^2[0-9]{2} "`, `text matches "^2[0-9]{2} "`, true},
	{"Protocol == SMTP", "proto == SMTP", false},
	{"tls.SNI", "tls.sni", true},
	{"smtp.code >= 500", "smtp.code >= 500", true},
	{"  ", "", false},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		f, err := filter.Parse(tt.in, nil)
		if err != nil {
			t.Errorf("Parse(%q) = %v", tt.in, err)
			continue
		}
		if got := f.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if got := f.Messages(); got != tt.messages {
			t.Errorf("Parse(%q).Messages() = %v, want %v", tt.in, got, tt.messages)
		}
	}
}

var errorTests = []struct {
	in, want string
}{
	{"code >=", "at 8: a value is expected after >="},
	{"code >= abc", "at 9: a whole number is expected after >=, not “abc”"},
	{"smtp and", "at 9: a test is expected: a protocol (smtp), a flag (rst) or a comparison (code >= 400)"},
	{"(smtp", "at 6: a ) is expected to close the ( at 1"},
	{"smtp)", "at 5: this ) closes no ("},
	{"smtp ftp", "at 6: and, or or the end is expected, not “ftp”"},
	{"code = 200", "at 6: = is not an operator: write == to compare"},
	{"smtp & ftp", "at 6: & alone is not an operator: write && (or and)"},
	{`text contains "RSET`, `at 20: a closing " is expected for the string at 15`},
	{"smtpp", `at 1: no protocol or layer is called "smtpp" (try smtp)`},
	{"xyz", `at 1: no protocol or layer is called "xyz" (try dns, ftp, ftp-data, http, https, smtp, tcp, udp)`},
	{"tsl.sni", `at 1: no protocol or layer is called "tsl" (try tcp, tls)`},
	{"smtp == 3", `at 1: smtp is a protocol, not a field: compare a field such as proto == "smtp"`},
	{"code", "at 5: an operator (== != < <= > >= contains matches) is expected after code"},
	{"text > 3", "at 6: text is text: compare it with == != contains or matches"},
	{"port contains 3", "at 6: port is a number: compare it with == != < <= > or >="},
	{`text matches "("`, "at 14: the pattern does not parse: missing closing ): `(`"},
	{"dir == and", "at 8: a value is expected after =="},
	{"é$", "at 2: '$' cannot stand here: put text in double quotes"},
	// Found by FuzzParse: text that String writes out longer than a filter may be.
	{"text == \"" + strings.Repeat("\x01", 1100) + "\"", "at 1111: a filter is at most 4096 characters long, written out as String writes it"},
	{"text == \"\xbc\"", "at 9: the string at 9 is not valid UTF-8 text"},
	{strings.Repeat("(", 70) + "tcp" + strings.Repeat(")", 70), "at 66: the filter nests deeper than 64"},
}

func TestParseErrors(t *testing.T) {
	reg := testRegistry()
	for _, tt := range errorTests {
		f, err := filter.Parse(tt.in, reg)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want the error %q", tt.in, f, tt.want)
			continue
		}
		var fe *filter.Error
		if !errors.As(err, &fe) {
			t.Errorf("Parse(%q) error %T, want *filter.Error", tt.in, err)
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q) error = %q, want %q", tt.in, err.Error(), tt.want)
		}
	}
}

func TestParseKnowsLayers(t *testing.T) {
	reg := testRegistry()
	for _, in := range []string{"tls", "https", "ftp-data", "tcp", "udp", `tls.sni == "x"`, "https.sni"} {
		if _, err := filter.Parse(in, reg); err != nil {
			t.Errorf("Parse(%q) = %v", in, err)
		}
	}
}
