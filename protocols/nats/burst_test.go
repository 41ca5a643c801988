package nats

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// msgs is n MSG lines of subject for subscription sid, each with its own
// payload, and the payloads.
func msgs(subject, sid string, from, n int) (string, []string) {
	var b strings.Builder
	var payloads []string
	for i := range n {
		p := fmt.Sprintf("reading %d", from+i)
		fmt.Fprintf(&b, "MSG %s %s %d\r\n%s\r\n", subject, sid, len(p), p)
		payloads = append(payloads, p)
	}
	return b.String(), payloads
}

// subscribed is an analyzer after a client's hello and subscriptions.
func subscribed() *Analyzer {
	a := NewAnalyzer()
	a.Feed(s2c, []byte(`INFO {"server_id":"x","version":"2.15.3"}`+"\r\n"), time.Time{})
	a.Feed(c2s, []byte("CONNECT {}\r\nSUB lab.t1 1\r\nSUB lab.* 2\r\n"), time.Time{})
	return a
}

func TestBurst(t *testing.T) {
	a := subscribed()
	many, payloads := msgs("lab.t1", "1", 0, 40)
	few, _ := msgs("lab.t1", "1", 40, framing.BurstMin-1)
	read := many + "PING\r\n" + few
	out := a.Feed(s2c, []byte(read), time.Time{})
	size := 0
	for _, p := range payloads {
		size += len(p)
	}
	want := []string{fmt.Sprintf("MSG ×40 lab.t1 sid 1: %d bytes sent together", size), "PING"}
	for i := range framing.BurstMin - 1 {
		want = append(want, fmt.Sprintf(`MSG lab.t1 sid 1: "reading %d"`, 40+i))
	}
	if got := analyzertest.Summaries(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("summaries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b := out[0]
	if string(b.Raw) != many || b.Dir != s2c || !b.Observed {
		t.Errorf("the burst's bytes are %q, want the 40 MSGs'", b.Raw)
	}
	p := b.Pub
	if p == nil || p.Subject != "lab.t1" || p.Count() != 40 || p.Size != size || p.Digest != lab.PayloadDigest([]byte(payloads[0])) {
		t.Fatalf("the burst's publication = %+v", p)
	}
	for i, d := range p.Burst {
		if d != lab.PayloadDigest([]byte(payloads[i+1])) {
			t.Errorf("digest %d is not payload %q's", i+1, payloads[i+1])
		}
	}
	fields, meaning := b.Detail()
	if f := analyzertest.Field(lab.Message{Fields: fields}, "subject"); f != "lab.t1" {
		t.Errorf("subject field %q", f)
	}
	if f := analyzertest.Field(lab.Message{Fields: fields}, "messages"); f != "40" {
		t.Errorf("messages field %q", f)
	}
	listed := 0
	at := 0
	for _, f := range fields {
		if !strings.HasPrefix(f.Name, "MSG ") {
			continue
		}
		listed++
		one, _ := msgs("lab.t1", "1", listed-1, 1)
		if f.Name != fmt.Sprint("MSG ", listed) || f.Off != at || string(b.Raw[f.Off:f.Off+f.Len]) != one || f.Value != fmt.Sprintf(`"reading %d"`, listed-1) {
			t.Errorf("field %d: %+v, want MSG %d over %q at %d", listed, f, listed, one, at)
		}
		at += f.Len
	}
	if listed != 40 || !strings.Contains(meaning, "40 messages") || !strings.Contains(meaning, "subscription 1") {
		t.Errorf("%d listed, meaning %q", listed, meaning)
	}
}

// A burst is publications of one subject, subscription and reply subject,
// side by side in one read: another between them, or the read's end, ends it.
func TestBurstEnds(t *testing.T) {
	a := subscribed()
	one, _ := msgs("lab.t1", "1", 0, 20)
	two, _ := msgs("lab.t2", "2", 0, 20)
	mixed := ""
	for i := range 20 {
		x, _ := msgs("lab.t1", "1", i, 1)
		y, _ := msgs("lab.t3", "2", i, 1)
		mixed += x + y
	}
	got := analyzertest.Summaries(a.Feed(s2c, []byte(one+two+mixed), time.Time{}))
	if len(got) != 42 || got[0] != "MSG ×20 lab.t1 sid 1: 190 bytes sent together" || got[1] != "MSG ×20 lab.t2 sid 2: 190 bytes sent together" ||
		got[2] != `MSG lab.t1 sid 1: "reading 0"` || got[3] != `MSG lab.t3 sid 2: "reading 0"` {
		t.Errorf("summaries %q", got)
	}
	// The same subject over two reads, one MSG cut between them, is a burst
	// in each.
	forty, _ := msgs("lab.t1", "1", 0, 40)
	cut := strings.Index(forty, "MSG lab.t1 1 10\r\nreading 20") + 5
	first := a.Feed(s2c, []byte(forty[:cut]), time.Time{})
	second := a.Feed(s2c, []byte(forty[cut:]), time.Time{})
	if len(first) != 1 || len(second) != 1 || first[0].Pub.Count() != 20 || second[0].Pub.Count() != 20 ||
		string(first[0].Raw)+string(second[0].Raw) != forty {
		t.Errorf("two reads: %q then %q", analyzertest.Summaries(first), analyzertest.Summaries(second))
	}
	// A delivery for a subscription with wildcards names its filter.
	wild, _ := msgs("lab.t9", "2", 0, 20)
	out := a.Feed(s2c, []byte(wild), time.Time{})
	if _, meaning := out[0].Detail(); !strings.Contains(meaning, `subscription 2 to "lab.*"`) {
		t.Errorf("meaning %q", meaning)
	}
}

// A client's burst of PUBs, and bursts longer than the detail lists.
func TestBurstPublished(t *testing.T) {
	a := subscribed()
	var b strings.Builder
	for i := range framing.BurstListed + 5 {
		fmt.Fprintf(&b, "PUB lab.t1 reply.x 2\r\n%02d\r\n", i%100)
	}
	out := a.Feed(c2s, []byte(b.String()), time.Time{})
	if len(out) != 1 || out[0].Summary != fmt.Sprintf("PUB ×%d lab.t1 reply reply.x: %d bytes sent together", framing.BurstListed+5, 2*(framing.BurstListed+5)) {
		t.Fatalf("summaries %q", analyzertest.Summaries(out))
	}
	fields, meaning := out[0].Detail()
	last := fields[len(fields)-1]
	if last.Name != "not listed" || last.Value != "5 more" || analyzertest.Field(lab.Message{Fields: fields}, "reply-to") != "reply.x" ||
		!strings.HasPrefix(meaning, fmt.Sprintf("The client publishes %d messages", framing.BurstListed+5)) {
		t.Errorf("last field %+v, meaning %q", last, meaning)
	}
}
