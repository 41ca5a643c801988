package lab

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/zeebo/xxh3"
)

// captureLimit keeps the first bytes of each direction of a conversation and
// only counts, and unless the protocol says count only hashes, the rest
// (Protocol.CaptureLimit, CaptureCountOnly).
type captureLimit struct {
	max    int64
	hashed bool
	kept   [3][3]int64        // by Side and Dir: bytes kept of that tap's view
	total  [3]int64           // by Dir: the source's bytes
	sum    [3]*xxh3.Hasher128 // by Dir: XXH128 of every source byte (digest), if hashed
	noted  [3]bool            // by Dir: the limit was announced
}

// newCaptureLimit returns p's limit, nil if it has none.
func newCaptureLimit(p *Protocol) *captureLimit {
	if p.CaptureLimit <= 0 {
		return nil
	}
	l := &captureLimit{max: p.CaptureLimit, hashed: !p.CaptureCountOnly}
	if l.hashed {
		l.sum[ClientToServer] = xxh3.New128()
		l.sum[ServerToClient] = xxh3.New128()
	}
	return l
}

// passed reports whether a direction went past the limit.
func (l *captureLimit) passed() bool {
	return l.noted[ClientToServer] || l.noted[ServerToClient]
}

// adoptLimit makes the server tap's protocol p decide how much of c is kept,
// when it joins a conversation the client's tap opened with its own: a limit
// is a server's setting (the TCP server's "Data kept"). Nothing changes once a
// direction went past the limit, nor when a hashed limit would miss bytes
// already recorded. c.mu must be held.
func (c *Conversation) adoptLimit(p *Protocol) {
	l := c.limit
	switch {
	case l != nil && l.passed():
	case p.CaptureLimit <= 0:
		c.limit = nil
	case l != nil && l.hashed == !p.CaptureCountOnly:
		l.max = p.CaptureLimit
	case p.CaptureCountOnly || c.bytes == [3]int64{}:
		n := newCaptureLimit(p)
		for _, d := range []Dir{ClientToServer, ServerToClient} {
			n.total[d] = c.bytes[d]
			n.kept[SideClient][d], n.kept[SideServer][d] = c.bytes[d], c.bytes[d]
		}
		c.limit = n
	}
}

// take returns the part of b to keep and, when this tap is the direction's
// source and the limit hashes, adds all of b to the direction's hash, in
// place. The first time a direction passes the limit a note says so. c.mu
// must be held.
func (l *captureLimit) take(c *Conversation, side Side, dir Dir, source bool, b []byte, at time.Time) (keep []byte) {
	if source {
		l.total[dir] += int64(len(b))
		if l.hashed {
			l.sum[dir].Write(b)
		}
	}
	room := max(l.max-l.kept[side][dir], 0)
	if int64(len(b)) <= room {
		l.kept[side][dir] += int64(len(b))
		return b
	}
	l.kept[side][dir] += room
	if dir == side.Inbound() {
		c.unkept[side].Store(true)
	}
	if source {
		l.note(c, side, dir, at)
	}
	return b[:room]
}

// note says, the first time dir passes the limit, that its bytes are no
// longer kept. c.mu must be held.
func (l *captureLimit) note(c *Conversation, side Side, dir Dir, at time.Time) {
	if l.noted[dir] {
		return
	}
	l.noted[dir] = true
	what, meaning := "counted and hashed", "The lab keeps the first part of a bulk transfer to show it; the rest is only counted and "+
		"hashed with "+digestName+", so a large file never fills memory. The totals come when the connection ends."
	if !l.hashed {
		what, meaning = "counted", "The lab keeps the first part of each direction of a connection to show it; the rest is only "+
			"counted, so a bulk stream never fills memory nor pushes the rest of the capture out. The server pane's "+
			"\"Data kept\" sets how much. The totals come when the connection ends."
	}
	c.note(Event{At: at, Kind: KindMessage, Dir: dir, Side: side, Layer: c.key.transport, Msg: &Message{
		Dir:     dir,
		Summary: fmt.Sprintf("capture limit reached: bytes past %s are %s, not kept", sizeText(l.max), what),
		Meaning: meaning,
	}})
}

// digestName names the hash of a limited direction's bytes: XXH128, the
// checksum rsync checks its transfers with. On one core here SHA-256 hashes
// about 1.5 GB/s, BLAKE3 2.9, XXH128 20, against a loopback transfer's 2:
// BLAKE3, hashed from a copy on the analysis goroutine, took 37 ms of CPU a
// 64 MiB download; XXH128, hashed in place as the bytes are written (c.mu
// held), takes about 6.
const digestName = "XXH128"

// digestWhy says so to a learner.
const digestWhy = "XXH128 is a fast checksum (rsync checks its transfers with it): it tells a transfer that differs from the file, " +
	"but unlike SHA-256 it is no proof against someone who forges a file to match it."

// summarize publishes each limited direction's size and hash. c.mu must be held.
func (l *captureLimit) summarize(c *Conversation) {
	for _, dir := range []Dir{ClientToServer, ServerToClient} {
		if !l.noted[dir] {
			continue
		}
		if !l.hashed {
			c.publish(Event{At: time.Now(), Kind: KindMessage, Dir: dir, Layer: c.key.transport, Msg: &Message{
				Dir:     dir,
				Summary: fmt.Sprintf("%s in all (%s kept)", sizeText(l.total[dir]), sizeText(l.max)),
				Meaning: "What went this way in total; the lab kept its first " + sizeText(l.max) + " and counted the rest.",
				Fields: []Field{
					{Name: "bytes", Value: fmt.Sprint(l.total[dir])},
					{Name: "kept", Value: fmt.Sprint(min(l.total[dir], l.max))},
				},
				Observed: true,
			}})
			continue
		}
		sum := hex.EncodeToString(l.sum[dir].Sum(nil))
		c.publish(Event{At: time.Now(), Kind: KindMessage, Dir: dir, Layer: c.key.transport, Msg: &Message{
			Dir:     dir,
			Summary: fmt.Sprintf("%s in all (%s kept), %s %s…", sizeText(l.total[dir]), sizeText(l.max), digestName, sum[:16]),
			Meaning: "What went this way in total: its size and its " + digestName + " hash, to compare with the file at either end " +
				"(xxh128sum FILE prints the same hash; Debian's and Ubuntu's package xxhash has it). " + digestWhy,
			Fields: []Field{
				{Name: "bytes", Value: fmt.Sprint(l.total[dir])},
				{Name: "kept", Value: fmt.Sprint(min(l.total[dir], l.max))},
				{Name: digestName, Value: sum},
			},
			Observed: true,
		}})
	}
}

// sizeText is n bytes for a person: "512 B", "1.0 MiB".
func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}
