package filter_test

import (
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/filter"
)

// FuzzParse checks that Parse never panics, that what parses writes itself in
// canonical form that parses to the same, and that evaluating it never panics.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range errorTests {
		f.Add(tt.in)
	}
	for _, tt := range evalTests {
		f.Add(tt.filter)
	}
	for _, s := range []string{`text == "\x00\xff\u00e9"`, `a.b.c`, `((a))`, `!!!a`, `text ~ "(?i)a+"`, "a\n&&\tb", `"lone"`, "port == -1", "code >= 99999999999999999999"} {
		f.Add(s)
	}
	reg := testRegistry()
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range []*lab.Registry{nil, reg} {
			x, err := filter.Parse(s, r)
			if err != nil || x == nil {
				continue
			}
			canon := x.String()
			y, err := filter.Parse(canon, r)
			if err != nil {
				t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", s, canon, err)
			}
			if y.String() != canon || y.Messages() != x.Messages() {
				t.Fatalf("Parse(%q) writes %q, which parses to %q", s, canon, y.String())
			}
			for _, ev := range []*lab.Event{nil, &greetEv, &helloEv, &notFoundEv, &faultEv} {
				a := x.Match(&filter.Subject{Conv: &dataConv, Parent: &ftpConv, Event: ev})
				b := y.Match(&filter.Subject{Conv: &dataConv, Parent: &ftpConv, Event: ev})
				if a != b {
					t.Fatalf("%q and its canonical form %q disagree", s, canon)
				}
			}
		}
	})
}
