package safepath_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/protocollab/protolab/internal/safepath"
)

// FuzzPath checks what holds for any name a client may send: no panic; a
// refusal is an *Error naming a part of the input and wrapping ErrUnsafe; a
// path that passes has only elements that pass; Fix always gives a name that
// passes and leaves one that passes as it is.
func FuzzPath(f *testing.F) {
	for _, tt := range nameTests {
		f.Add(tt.name)
	}
	for _, tt := range pathTests {
		f.Add(tt.path)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, check := range []func(string) error{safepath.Name, safepath.Path} {
			err := check(s)
			if err == nil {
				continue
			}
			var se *safepath.Error
			if !errors.As(err, &se) || !errors.Is(err, safepath.ErrUnsafe) {
				t.Fatalf("%q: %v is not an *Error wrapping ErrUnsafe", s, err)
			}
			if !strings.Contains(s, se.Name) || se.Rule < safepath.Empty || se.Rule > safepath.ReservedName {
				t.Fatalf("%q: refused %q by rule %d", s, se.Name, int(se.Rule))
			}
		}
		if safepath.Path(s) == nil {
			for elem := range strings.SplitSeq(s, "/") {
				if elem != "" && elem != "." && elem != ".." && safepath.Name(elem) != nil {
					t.Fatalf("Path(%q) passes but its element %q does not", s, elem)
				}
			}
		}
		if safepath.Name(s) == nil && safepath.Path(s) != nil {
			t.Fatalf("Name(%q) passes but Path refuses it: %v", s, safepath.Path(s))
		}
		fixed := safepath.Fix(s)
		if err := safepath.Name(fixed); err != nil {
			t.Fatalf("Fix(%q) = %q, which Name refuses: %v", s, fixed, err)
		}
		if safepath.Name(s) == nil && fixed != s {
			t.Fatalf("Fix(%q) = %q, want it unchanged", s, fixed)
		}
	})
}
