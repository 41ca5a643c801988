package analyzertest

import (
	"testing"

	"github.com/protocollab/protolab/lab"
)

// CheckSpans fails t for every field of msgs whose span (Off, Len) does not lie
// within its message's Raw, or is negative.
func CheckSpans(t testing.TB, msgs []lab.Message) {
	t.Helper()
	for _, m := range msgs {
		fields, _ := m.Detail()
		for _, f := range fields {
			if f.Len == 0 && f.Off == 0 {
				continue
			}
			if f.Len < 0 || !f.Spanned(m.Raw) {
				t.Errorf("%q: field %q spans %d+%d, outside its %d bytes", m.Summary, f.Name, f.Off, f.Len, len(m.Raw))
			}
		}
	}
}

// Span returns the bytes the first field named name covers in m, and whether m
// has such a field with a span.
func Span(m lab.Message, name string) (string, bool) {
	fields, _ := m.Detail()
	for _, f := range fields {
		if f.Name == name {
			return string(f.Bytes(m.Raw)), f.Spanned(m.Raw)
		}
	}
	return "", false
}

// Spans is a table of the bytes fields must cover: field name → bytes.
type Spans map[string]string

// ExpectSpans fails t unless each named field of m covers exactly its bytes.
func ExpectSpans(t testing.TB, m lab.Message, want Spans) {
	t.Helper()
	CheckSpans(t, []lab.Message{m})
	for name, w := range want {
		if got, ok := Span(m, name); !ok || got != w {
			t.Errorf("%q: field %q covers %q (spanned %v), want %q", m.Summary, name, got, ok, w)
		}
	}
}

// Find returns the first of msgs whose summary is summary, failing t if there is none.
func Find(t testing.TB, msgs []lab.Message, summary string) lab.Message {
	t.Helper()
	for _, m := range msgs {
		if m.Summary == summary {
			return m
		}
	}
	t.Fatalf("no message %q in %q", summary, Summaries(msgs))
	return lab.Message{}
}

// FeedSpans feeds steps whole to a, checks that every field's span lies in its
// message (CheckSpans) and returns the messages.
func FeedSpans[S Steps](t testing.TB, a lab.Analyzer, steps []S) []lab.Message {
	t.Helper()
	msgs := Feed(a, steps, 0)
	CheckSpans(t, msgs)
	return msgs
}
