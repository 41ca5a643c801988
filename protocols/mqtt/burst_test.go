package mqtt

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
	"github.com/protocollab/protolab/protocols/internal/framing"
)

// publishes is n QoS 0 PUBLISH packets to topic (retained when flags has
// bit 0), each with its own payload, and the payloads.
func publishes(topic string, flags byte, from, n int) (string, []string) {
	var b strings.Builder
	var payloads []string
	for i := range n {
		p := fmt.Sprintf("reading %d", from+i)
		b.WriteString(pkt(0x30|flags, str(topic)+p))
		payloads = append(payloads, p)
	}
	return b.String(), payloads
}

// connectedAnalyzer is an analyzer after a client's CONNECT and its CONNACK.
func connectedAnalyzer() *Analyzer {
	a := NewAnalyzer()
	for _, s := range connected {
		a.Feed(s.Dir, []byte(s.Data), time.Time{})
	}
	return a
}

func TestBurst(t *testing.T) {
	a := connectedAnalyzer()
	many, payloads := publishes("lab/t1", 0, 0, 40)
	few, _ := publishes("lab/t1", 0, 40, framing.BurstMin-1)
	out := a.Feed(s2c, []byte(many+pkt(0xd0, "")+few), time.Time{})
	size := 0
	for _, p := range payloads {
		size += len(p)
	}
	want := []string{fmt.Sprintf("PUBLISH ×40 lab/t1: %d bytes sent together", size), "PINGRESP"}
	for i := range framing.BurstMin - 1 {
		want = append(want, fmt.Sprintf(`PUBLISH lab/t1: "reading %d"`, 40+i))
	}
	if got := analyzertest.Summaries(out); !slices.Equal(got, want) {
		t.Fatalf("summaries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b := out[0]
	p := b.Pub
	if string(b.Raw) != many || p == nil || p.Subject != "lab.t1" || p.Count() != 40 || p.Size != size || p.Digest != lab.PayloadDigest([]byte(payloads[0])) {
		t.Fatalf("the burst's bytes %q, publication %+v", b.Raw, p)
	}
	for i, d := range p.Burst {
		if d != lab.PayloadDigest([]byte(payloads[i+1])) {
			t.Errorf("digest %d is not payload %q's", i+1, payloads[i+1])
		}
	}
	fields, meaning := b.Detail()
	m := lab.Message{Fields: fields}
	if analyzertest.Field(m, "topic name") != `"lab/t1"` || analyzertest.Field(m, "messages") != "40" || analyzertest.Field(m, "NATS subject") != "lab.t1" {
		t.Errorf("fields %+v", fields)
	}
	at, listed := 0, 0
	for _, f := range fields {
		if !strings.HasPrefix(f.Name, "PUBLISH ") {
			continue
		}
		listed++
		one, _ := publishes("lab/t1", 0, listed-1, 1)
		if f.Off != at || string(b.Raw[f.Off:f.Off+f.Len]) != one || f.Value != fmt.Sprintf(`"reading %d"`, listed-1) {
			t.Errorf("field %+v, want PUBLISH %d over %q at %d", f, listed, one, at)
		}
		at += f.Len
	}
	if listed != 40 || !strings.Contains(meaning, "delivers 40 messages at QoS 0") {
		t.Errorf("%d listed, meaning %q", listed, meaning)
	}
}

// A burst is QoS 0 PUBLISH packets of one topic and flags side by side in
// one read: another packet, a QoS 1 one, another topic or the retain flag
// ends it.
func TestBurstEnds(t *testing.T) {
	a := connectedAnalyzer()
	one, _ := publishes("lab/t1", 0, 0, 20)
	retained, _ := publishes("lab/t1", 1, 0, 20)
	two, _ := publishes("lab/t2", 0, 0, 20)
	qos1 := pkt(0x32, str("lab/t1")+"\x00\x07"+"x")
	got := analyzertest.Summaries(a.Feed(s2c, []byte(one+retained+qos1+two), time.Time{}))
	want := []string{"PUBLISH ×20 lab/t1: 190 bytes sent together", "PUBLISH ×20 lab/t1 retain: 190 bytes sent together",
		`PUBLISH lab/t1 QoS 1 id 7: "x"`, "PUBLISH ×20 lab/t2: 190 bytes sent together"}
	if !slices.Equal(got, want) {
		t.Errorf("summaries %q, want %q", got, want)
	}
	// Over two reads, a packet cut between them: a burst in each.
	forty, _ := publishes("lab/t1", 0, 0, 40)
	twenty, _ := publishes("lab/t1", 0, 0, 20)
	cut := len(twenty) + 3
	first := a.Feed(s2c, []byte(forty[:cut]), time.Time{})
	second := a.Feed(s2c, []byte(forty[cut:]), time.Time{})
	if len(first) != 1 || len(second) != 1 || first[0].Pub.Count() != 20 || second[0].Pub.Count() != 20 ||
		string(first[0].Raw)+string(second[0].Raw) != forty {
		t.Errorf("two reads: %q then %q", analyzertest.Summaries(first), analyzertest.Summaries(second))
	}
}

// packets counts the whole packets raw holds, one after another (at least one).
func packets(raw []byte) int {
	n := 0
	for at := 0; at < len(raw); n++ {
		end, err := remaining(raw[at:])
		if err != nil || end == 0 {
			break
		}
		at += end
	}
	return max(n, 1)
}

// FuzzBurst feeds scripts to an analyzer that makes bursts of two or more
// like PUBLISH packets and to one that frames each on its own (single), and
// checks that they agree: each burst is the packets the other framed in its
// place, its bytes all of theirs, its digests theirs in order, its size their
// payloads', its detail each of them over its own bytes; every other message
// is the same.
func FuzzBurst(f *testing.F) {
	for _, tt := range captureTests {
		f.Add(analyzertest.Script(capture(f, tt.file)...))
	}
	some, _ := publishes("a", 0, 0, 6)
	f.Add(analyzertest.Script(append(slices.Clone(connected), step{s2c, some}, step{s2c, some[:20]}, step{s2c, some[20:]},
		step{c2s, some}, step{s2c, pkt(0x30, str("a")) + pkt(0x31, str("a")+"x") + pkt(0x38, str("a")+"y") + pkt(0x30, str("a+")+"z")})...))
	f.Fuzz(func(t *testing.T, script []byte) {
		bursts, single := NewAnalyzer(), NewAnalyzer()
		bursts.burstAt, single.single = 2, true
		analyzertest.Bursts(t, bursts, single, script, func(m lab.Message) int { return packets(m.Raw) }, framing.BurstListed)
	})
}
