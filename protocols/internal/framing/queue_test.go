package framing

import (
	"slices"
	"testing"
)

// all empties q, oldest first.
func all(q *Queue[string]) []string {
	var got []string
	for {
		c, ok := q.Answer(true)
		if !ok {
			return got
		}
		got = append(got, c)
	}
}

func TestQueueInOrder(t *testing.T) {
	var q Queue[string]
	if _, ok := q.Answer(true); ok {
		t.Fatal("an empty queue answered")
	}
	q.Push("USER", 4)
	q.Push("RETR", 4)
	if c, ok := q.Answer(false); c != "USER" || !ok {
		t.Errorf("Answer(preliminary) = %q, %v; want USER", c, ok)
	}
	if c, _ := q.Answer(true); c != "USER" {
		t.Errorf("Answer(final) = %q, want USER again: a preliminary reply leaves it", c)
	}
	if c, _ := q.Newest(); c != "RETR" || q.Len() != 1 {
		t.Errorf("Newest = %q with %d waiting, want RETR alone", c, q.Len())
	}
}

func TestQueueBound(t *testing.T) {
	var q Queue[string]
	for _, c := range []string{"a", "b", "c", "d", "e"} {
		q.Push(c, 3)
	}
	if got := all(&q); !slices.Equal(got, []string{"c", "d", "e"}) {
		t.Errorf("queue = %q, want the newest 3", got)
	}
	q.Push("x", 1)
	q.Push("y", 1)
	if got := all(&q); !slices.Equal(got, []string{"y"}) {
		t.Errorf("queue = %q, want y alone", got)
	}
}

func TestQueueMatch(t *testing.T) {
	var q Queue[string]
	for _, c := range []string{"a1 SELECT", "a2 FETCH", "a3 IDLE", "a2 NOOP"} {
		q.Push(c, 8)
	}
	tag := func(tag string) func(string) bool {
		return func(c string) bool { return c[:2] == tag }
	}
	if c, ok := q.Match(tag("a2")); c != "a2 FETCH" || !ok {
		t.Errorf("Match(a2) = %q, %v; want the oldest a2", c, ok)
	}
	if _, ok := q.Match(tag("a9")); ok {
		t.Error("Match of a tag nobody sent found one")
	}
	if got := all(&q); !slices.Equal(got, []string{"a1 SELECT", "a3 IDLE", "a2 NOOP"}) {
		t.Errorf("queue = %q after the match", got)
	}
	q.Push("a4 LOGOUT", 8)
	q.Clear()
	if _, ok := q.Newest(); ok || q.Len() != 0 {
		t.Error("Clear left commands")
	}
}
